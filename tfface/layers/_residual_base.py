"""What the residual blocks share: argument checks, convolutions, resampling, learned skip."""

from __future__ import annotations

from typing import Any

import keras

from tfface.layers._validation import (
    check_activation,
    check_choice,
    check_positive_int,
    check_rank,
    check_static_channels,
)
from tfface.layers.reflection_padding2d import ReflectionPadding2D

RESAMPLES = (None, "down", "up")
PADDINGS = ("same", "reflect")


class ResidualBlockBase(keras.layers.Layer):
    """Base of ResidualBlock, AdaINResidualBlock and MultiNormResidualBlock (not public).

    Holds conv1 and conv2 (kernel_size, stride 1), the resampling layers ("up": bilinear x2
    before conv1; "down": 2x2 average pooling after conv1) and the skip path
    up -> [1x1 conv without bias, only when the channel count changes] -> down, the dashed
    "learned skip connection" of Bergqvist 2020, Fig. 3.12.
    """

    block_name = "ResidualBlockBase"

    def __init__(
        self,
        filters: int,
        kernel_size: int = 3,
        resample: str | None = None,
        activation: str = "relu",
        padding: str = "same",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        name = self.block_name
        self.filters = check_positive_int(filters, f"{name} filters")
        self.kernel_size = check_positive_int(kernel_size, f"{name} kernel_size")
        check_choice(resample, RESAMPLES, f"{name} resample")
        check_choice(padding, PADDINGS, f"{name} padding")
        if padding == "reflect" and kernel_size % 2 == 0:
            raise ValueError(f"{name}: padding='reflect' needs an odd kernel_size.")
        if activation is None:
            raise ValueError(f"{name} activation must be a Keras activation name, got None.")
        self.activation = check_activation(activation, f"{name} activation")
        self.resample = resample
        self.padding = padding
        self._activation_fn = keras.activations.get(activation)
        self.upsample = None
        self.downsample = None
        if resample == "up":
            self.upsample = keras.layers.UpSampling2D(2, interpolation="bilinear", name="up")
        elif resample == "down":
            self.downsample = keras.layers.AveragePooling2D(2, name="down")
        self.pad = None
        if padding == "reflect":
            self.pad = ReflectionPadding2D(kernel_size // 2, name="pad")
        conv_padding = "valid" if padding == "reflect" else "same"
        self.conv1 = keras.layers.Conv2D(filters, kernel_size, padding=conv_padding, name="conv1")
        self.conv2 = keras.layers.Conv2D(filters, kernel_size, padding=conv_padding, name="conv2")
        self.skip_conv = None

    # Shapes ---------------------------------------------------------------------------------

    def _check_features_shape(self, shape: tuple) -> int:
        check_rank(shape, 4, self.block_name, "features", "(B, H, W, C)")
        return check_static_channels(shape, self.block_name, "features")

    @staticmethod
    def _scaled(shape: tuple, factor: float, channels: int) -> tuple:
        def scale(size):
            return None if size is None else int(size * factor)

        return (shape[0], scale(shape[1]), scale(shape[2]), channels)

    def _shape_after_up(self, shape: tuple) -> tuple:
        return self._scaled(shape, 2 if self.upsample else 1, shape[-1])

    def _shape_after_down(self, shape: tuple) -> tuple:
        return self._scaled(shape, 0.5 if self.downsample else 1, shape[-1])

    def _build_convs_and_skip(self, input_shape: tuple) -> tuple[tuple, tuple]:
        """Build conv1, conv2 and the skip; returns (conv1 output shape, conv2 input shape)."""
        channels = self._check_features_shape(input_shape)
        up_shape = self._shape_after_up(input_shape)
        self.conv1.build(up_shape)
        conv1_shape = (*up_shape[:3], self.filters)
        down_shape = self._shape_after_down(conv1_shape)
        self.conv2.build(down_shape)
        if channels != self.filters:
            self.skip_conv = keras.layers.Conv2D(self.filters, 1, use_bias=False, name="skip_conv")
            self.skip_conv.build(up_shape)
        return conv1_shape, down_shape

    # Paths ----------------------------------------------------------------------------------

    def _up(self, features):
        return features if self.upsample is None else self.upsample(features)

    def _down(self, features):
        return features if self.downsample is None else self.downsample(features)

    def _conv(self, conv: keras.layers.Layer, features):
        if self.pad is not None:
            features = self.pad(features)
        return conv(features)

    def _act(self, features):
        return self._activation_fn(features)

    def _skip(self, features):
        """(B, H, W, C_in) -> (B, H', W', filters): up, learned 1x1 when C_in != filters, down."""
        features = self._up(features)
        if self.skip_conv is not None:
            features = self.skip_conv(features)
        return self._down(features)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = input_shape[0] if isinstance(input_shape[0], list | tuple) else input_shape
        shape = self._shape_after_down(self._shape_after_up(tuple(shape)))
        return (*shape[:3], self.filters)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "resample": self.resample,
            "activation": self.activation,
            "padding": self.padding,
        }
