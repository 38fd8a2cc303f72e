"""Residual block normalised by MultiNorm (SPADE from a source image + AdaIN from a style)."""

from __future__ import annotations

from typing import Any

import keras

from tfface.layers._residual_base import ResidualBlockBase
from tfface.layers._validation import split_input_shapes
from tfface.layers.multi_norm import MultiNorm


@keras.saving.register_keras_serializable(package="tfface")
class MultiNormResidualBlock(ResidualBlockBase):
    """Bergqvist 2020's Multinorm ResBlock: AdaINResidualBlock with MultiNorm normalisations.

        residual = conv2(act(MN2(down(conv1(up(act(MN1(x, y, s))))), y, s)))
        out = skip(x) + residual,   skip = up -> [1x1 conv if C_in != filters] -> down

    where MN = MultiNorm = AdaIN(SPADE(., y), s) (see MultiNorm for our reading of the
    thesis). Seed 002, Sec. 3.4.2, Table 3.5 ("Multinorm Resblock, Interpolate up, SPADE &
    AdaIn"): SPADE and AdaIN layers "with convolutional and bilinear interpolation layers in
    between", i.e. the SPADE ResBlk layout of Park et al. 2019 with each SPADE replaced by
    MultiNorm; the skip is the learned 1x1 convolution of Fig. 3.12 (not normalised).

    Args:
        filters: output channels.
        kernel_size: of conv1 and conv2 (stride 1).
        resample: None, "down" or "up" (Table 3.5 uses "up": bilinear x2).
        activation: Keras activation name ("leaky_relu").
        padding: "same" or "reflect".
        hidden_filters, base_norm, epsilon, momentum, order: of the MultiNorm layers.
        **kwargs: keras.layers.Layer arguments.

    Inputs [features (B, H, W, C_in), source image (B, H_y, W_y, L), style (B, S)];
    output (B, H', W', filters). The source image is resized (nearest) to each norm's input.
    """

    block_name = "MultiNormResidualBlock"

    def __init__(
        self,
        filters: int,
        kernel_size: int = 3,
        resample: str | None = None,
        activation: str = "leaky_relu",
        padding: str = "same",
        hidden_filters: int = 128,
        base_norm: str = "batch",
        epsilon: float = 1e-5,
        momentum: float = 0.99,
        order: str = "spade_first",
        **kwargs: Any,
    ) -> None:
        super().__init__(
            filters,
            kernel_size=kernel_size,
            resample=resample,
            activation=activation,
            padding=padding,
            **kwargs,
        )
        self._norm_config = {
            "hidden_filters": hidden_filters,
            "base_norm": base_norm,
            "epsilon": epsilon,
            "momentum": momentum,
            "order": order,
        }
        self.norm1 = MultiNorm(**self._norm_config, name="multi_norm1")
        self.norm2 = MultiNorm(**self._norm_config, name="multi_norm2")

    def build(self, input_shape: list) -> None:
        shapes = split_input_shapes(input_shape, (3,), self.block_name)
        features_shape, source_shape, style_shape = shapes
        self._check_features_shape(features_shape)
        self.norm1.build([features_shape, source_shape, style_shape])
        _, conv2_shape = self._build_convs_and_skip(features_shape)
        self.norm2.build([conv2_shape, source_shape, style_shape])

    def call(self, inputs, training=None):
        features, source, style = inputs  # (B, H, W, C_in), (B, H_y, W_y, L), (B, S)
        residual = self._act(self.norm1([features, source, style], training=training))
        residual = self._down(self._conv(self.conv1, self._up(residual)))  # (B, H', W', filters)
        residual = self._act(self.norm2([residual, source, style], training=training))
        residual = self._conv(self.conv2, residual)
        return self._skip(features) + residual

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self._norm_config}
