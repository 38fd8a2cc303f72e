"""Residual block normalised by AdaIN from a style vector."""

from __future__ import annotations

from typing import Any

import keras

from tfface.layers._residual_base import ResidualBlockBase
from tfface.layers._validation import check_positive_float, split_input_shapes
from tfface.layers.adain import AdaIN


@keras.saving.register_keras_serializable(package="tfface")
class AdaINResidualBlock(ResidualBlockBase):
    """Pre-activation residual block with AdaIN normalisations (StarGAN v2's AdainResBlk).

        residual = conv2(act(AdaIN2(down(conv1(up(act(AdaIN1(x, s))))), s)))
        out = skip(x) + residual,   skip = up -> [1x1 conv if C_in != filters] -> down

    Bergqvist 2020, Sec. 3.4.2, Table 3.4 (the encoder-decoder generator's decoder:
    "AdaIn ResBlocks followed by bilinear interpolation layers", so resample="up") and Fig. 3.12
    (learned 1x1 skip when the channel count changes); Choi et al. 2020. The normalisation is
    AdaIN by construction (instance statistics, scale and bias from the style vector s through
    a learned Dense), so there is no `norm` argument; see ResidualBlock for batch/instance/none.

    Args:
        filters: output channels.
        kernel_size: of conv1 and conv2 (stride 1).
        resample: None, "down" (average pooling after conv1) or "up" (bilinear before conv1).
        activation: Keras activation name ("leaky_relu": slope 0.2 as in StarGAN v2).
        padding: "same" or "reflect".
        epsilon: of the AdaIN layers.
        **kwargs: keras.layers.Layer arguments.

    Inputs [features (B, H, W, C_in), style (B, S)]; output (B, H', W', filters).
    """

    block_name = "AdaINResidualBlock"

    def __init__(
        self,
        filters: int,
        kernel_size: int = 3,
        resample: str | None = None,
        activation: str = "leaky_relu",
        padding: str = "same",
        epsilon: float = 1e-5,
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
        self.epsilon = check_positive_float(epsilon, "AdaINResidualBlock epsilon")
        self.norm1 = AdaIN(epsilon=epsilon, name="adain1")
        self.norm2 = AdaIN(epsilon=epsilon, name="adain2")

    def build(self, input_shape: list) -> None:
        features_shape, style_shape = split_input_shapes(input_shape, (2,), self.block_name)
        self._check_features_shape(features_shape)
        self.norm1.build([features_shape, style_shape])
        _, conv2_shape = self._build_convs_and_skip(features_shape)
        self.norm2.build([conv2_shape, style_shape])

    def call(self, inputs):
        features, style = inputs  # (B, H, W, C_in), (B, S)
        residual = self._act(self.norm1([features, style]))
        residual = self._down(self._conv(self.conv1, self._up(residual)))  # (B, H', W', filters)
        residual = self._act(self.norm2([residual, style]))
        residual = self._conv(self.conv2, residual)
        return self._skip(features) + residual

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "epsilon": self.epsilon}
