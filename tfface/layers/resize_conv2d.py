"""Resize-convolution up-sampling (instead of transposed convolution)."""

from __future__ import annotations

from typing import Any

import keras

from tfface.layers._validation import (
    check_activation,
    check_choice,
    check_positive_int,
    check_rank,
)
from tfface.layers.reflection_padding2d import ReflectionPadding2D


@keras.saving.register_keras_serializable(package="tfface")
class ResizeConv2D(keras.layers.Layer):
    """Up-sample by an integer factor (nearest or bilinear), then a stride-1 convolution.

    Liu 2019, Sec. 4.2.2: the CycleGAN generator's deconvolutions are replaced by
    resize convolutions (Odena et al. 2016, "Deconvolution and checkerboard artifacts"):
    resize to `scale` times the size, then a convolution with no stride, which cannot produce
    the uneven-overlap checkerboard of a strided transposed convolution; optionally with
    reflection instead of zero padding, as in the thesis.

    Args:
        filters: output channels.
        kernel_size: convolution kernel (int; odd when padding="reflect").
        scale: integer up-sampling factor.
        interpolation: "nearest" (the thesis's default) or "bilinear" (half-pixel centres).
        padding: "same" (zeros) or "reflect".
        activation: Keras activation name or None.
        use_bias: convolution bias.
        **kwargs: keras.layers.Layer arguments.

    Input (B, H, W, C_in); output (B, scale*H, scale*W, filters).
    """

    def __init__(
        self,
        filters: int,
        kernel_size: int = 3,
        scale: int = 2,
        interpolation: str = "nearest",
        padding: str = "same",
        activation: str | None = None,
        use_bias: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.filters = check_positive_int(filters, "ResizeConv2D filters")
        self.kernel_size = check_positive_int(kernel_size, "ResizeConv2D kernel_size")
        self.scale = check_positive_int(scale, "ResizeConv2D scale")
        check_choice(interpolation, ("nearest", "bilinear"), "ResizeConv2D interpolation")
        check_choice(padding, ("same", "reflect"), "ResizeConv2D padding")
        if padding == "reflect" and kernel_size % 2 == 0:
            raise ValueError("ResizeConv2D: padding='reflect' needs an odd kernel_size.")
        self.interpolation = interpolation
        self.padding = padding
        self.activation = check_activation(activation, "ResizeConv2D activation")
        self.use_bias = bool(use_bias)
        self.upsample = keras.layers.UpSampling2D(
            size=scale, interpolation=interpolation, name="upsample"
        )
        self.pad = (
            ReflectionPadding2D(kernel_size // 2, name="pad") if padding == "reflect" else None
        )
        self.conv = keras.layers.Conv2D(
            filters,
            kernel_size,
            padding="valid" if padding == "reflect" else "same",
            activation=activation,
            use_bias=use_bias,
            name="conv",
        )

    def build(self, input_shape: tuple) -> None:
        check_rank(input_shape, 4, "ResizeConv2D", "input", "(B, H, W, C)")
        shape = self.upsample.compute_output_shape(input_shape)
        if self.pad is not None:
            self.pad.build(shape)
            shape = self.pad.compute_output_shape(shape)
        self.conv.build(shape)

    def call(self, inputs):
        resized = self.upsample(inputs)  # (B, scale*H, scale*W, C_in)
        if self.pad is not None:
            resized = self.pad(resized)
        return self.conv(resized)  # (B, scale*H, scale*W, filters)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        batch, height, width, _ = input_shape
        height = None if height is None else height * self.scale
        width = None if width is None else width * self.scale
        return (batch, height, width, self.filters)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "scale": self.scale,
            "interpolation": self.interpolation,
            "padding": self.padding,
            "activation": self.activation,
            "use_bias": self.use_bias,
        }
