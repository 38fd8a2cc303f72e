"""Gated convolution (free-form inpainting)."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from tfface.layers._validation import check_activation, check_choice, check_positive_int, check_rank


@keras.saving.register_keras_serializable(package="tfface")
class GatedConv2D(keras.layers.Layer):
    """Convolution whose output is modulated by a learned soft mask.

    Sevastopolskiy 2019, Sec. 3.3 (the inpainter's equation); Yu et al. 2019:
        Gating = conv(I, W_g),  Features = conv(I, W_f),
        Output = ELU(Features) * sigmoid(Gating).
    W_f and W_g are the two halves of one convolution with 2 * filters outputs (same result as
    two convolutions, one kernel launch). With spectral normalisation the norm is taken of the
    joint (W_f, W_g) kernel.

    Args:
        filters: output channels.
        kernel_size: convolution kernel (int).
        strides: convolution stride (int).
        dilation_rate: convolution dilation (int); strides and dilation cannot both exceed 1.
        padding: "same" or "valid".
        activation: of the features, "elu" by default; None for linear features (the last
            layer of an inpainter).
        use_spectral_norm: wrap the convolution in keras.layers.SpectralNormalization.
        **kwargs: keras.layers.Layer arguments.

    Input (B, H, W, C_in); output (B, H', W', filters).
    """

    def __init__(
        self,
        filters: int,
        kernel_size: int = 3,
        strides: int = 1,
        dilation_rate: int = 1,
        padding: str = "same",
        activation: str | None = "elu",
        use_spectral_norm: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.filters = check_positive_int(filters, "GatedConv2D filters")
        self.kernel_size = check_positive_int(kernel_size, "GatedConv2D kernel_size")
        self.strides = check_positive_int(strides, "GatedConv2D strides")
        self.dilation_rate = check_positive_int(dilation_rate, "GatedConv2D dilation_rate")
        if strides > 1 and dilation_rate > 1:
            raise ValueError("GatedConv2D: strides and dilation_rate cannot both be > 1.")
        check_choice(padding, ("same", "valid"), "GatedConv2D padding")
        self.padding = padding
        self.activation = check_activation(activation, "GatedConv2D activation")
        self.use_spectral_norm = bool(use_spectral_norm)
        conv = keras.layers.Conv2D(
            2 * filters,
            kernel_size,
            strides=strides,
            dilation_rate=dilation_rate,
            padding=padding,
            name="conv",
        )
        if self.use_spectral_norm:
            conv = keras.layers.SpectralNormalization(conv, name="spectral_norm")
        self.conv = conv
        self._activation_fn = keras.activations.get(self.activation)

    def build(self, input_shape: tuple) -> None:
        check_rank(input_shape, 4, "GatedConv2D", "input", "(B, H, W, C)")
        self.conv.build(input_shape)

    def call(self, inputs, training=None):
        both = self.conv(inputs, training=training)  # (B, H', W', 2 * filters)
        features, gating = ops.split(both, 2, axis=-1)  # (B, H', W', filters) each
        return self._activation_fn(features) * ops.sigmoid(gating)  # gate in (0, 1)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        conv = self.conv.layer if self.use_spectral_norm else self.conv
        shape = conv.compute_output_shape(input_shape)  # (B, H', W', 2 * filters): both halves
        return (*shape[:-1], self.filters)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "dilation_rate": self.dilation_rate,
            "padding": self.padding,
            "activation": self.activation,
            "use_spectral_norm": self.use_spectral_norm,
        }
