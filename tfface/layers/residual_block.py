"""Plain residual block: conv-norm-act-conv-norm plus a (learned) skip."""

from __future__ import annotations

from typing import Any

import keras

from tfface.layers._residual_base import ResidualBlockBase
from tfface.layers._validation import check_choice
from tfface.layers.instance_normalization import InstanceNormalization

NORMS = ("instance", "batch", "none")


def _make_norm(norm: str, name: str) -> keras.layers.Layer | None:
    if norm == "instance":
        return InstanceNormalization(name=name)
    if norm == "batch":
        return keras.layers.BatchNormalization(name=name)
    return None


@keras.saving.register_keras_serializable(package="tfface")
class ResidualBlock(ResidualBlockBase):
    """Residual block with normalisation after each convolution.

        residual = norm2(conv2(down(act(norm1(conv1(up(x)))))))
        out = skip(x) + residual,   skip = up -> [1x1 conv if C_in != filters] -> down

    The ResnetBlock of the CycleGAN generator (Zhu et al. 2017, adopted by Liu 2019,
    Sec. 4.2.2; residual layers described in its Sec. 2.1.3) when resample=None and the channels
    do not change; y = F(x) + x as in Bergqvist 2020, Sec. 2.4.1 (He et al. 2016).
    With resample="down" and norm="batch" it is the encoder
    ResBlock of Bergqvist 2020, Table 3.4 (AvgPool down-sampling, learned 1x1 skip when the
    channel count changes, Fig. 3.12). No activation after the sum.

    Args:
        filters: output channels.
        kernel_size: of conv1 and conv2 (stride 1).
        resample: None, "down" (2x2 average pooling after conv1 and on the skip) or "up"
            (bilinear x2 before conv1 and on the skip).
        norm: "instance" (InstanceNormalization, affine), "batch" or "none".
        activation: Keras activation name between the convolutions ("relu").
        padding: "same" (zeros) or "reflect" (CycleGAN).
        **kwargs: keras.layers.Layer arguments.

    Input (B, H, W, C_in); output (B, H', W', filters), H' = 2H, H/2 or H.
    """

    block_name = "ResidualBlock"

    def __init__(
        self,
        filters: int,
        kernel_size: int = 3,
        resample: str | None = None,
        norm: str = "instance",
        activation: str = "relu",
        padding: str = "same",
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
        check_choice(norm, NORMS, "ResidualBlock norm")
        self.norm = norm
        self.norm1 = _make_norm(norm, "norm1")
        self.norm2 = _make_norm(norm, "norm2")

    def build(self, input_shape: tuple) -> None:
        conv1_shape, conv2_shape = self._build_convs_and_skip(tuple(input_shape))
        if self.norm1 is not None:
            self.norm1.build(conv1_shape)
            self.norm2.build(conv2_shape)

    def _norm(self, layer: keras.layers.Layer | None, features, training):
        return features if layer is None else layer(features, training=training)

    def call(self, inputs, training=None):
        residual = self._conv(self.conv1, self._up(inputs))  # (B, H', W', filters)
        residual = self._act(self._norm(self.norm1, residual, training))
        residual = self._conv(self.conv2, self._down(residual))
        residual = self._norm(self.norm2, residual, training)
        return self._skip(inputs) + residual

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "norm": self.norm}
