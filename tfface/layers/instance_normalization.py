"""Instance normalisation layer."""

from __future__ import annotations

from typing import Any

import keras

from tfface.layers._normalization import instance_normalize
from tfface.layers._validation import check_positive_float, check_rank, check_static_channels


@keras.saving.register_keras_serializable(package="tfface")
class InstanceNormalization(keras.layers.Layer):
    """Normalises every channel of every example over its spatial positions.

    x'_{nchw} = gamma_c * (x_{nchw} - mu_{nc}) / sqrt(sigma^2_{nc} + epsilon) + beta_c, with
    mu_{nc}, sigma^2_{nc} the mean and biased variance over (h, w): Bergqvist 2020,
    Sec. 2.4.2.2 (the equation after Fig. 2.7); Ulyanov et al. 2016. Same statistics in training
    and inference (no moving averages). Numerically equal to
    `keras.layers.GroupNormalization(groups=-1, epsilon=epsilon)` (tested); this layer exists for
    the name, the `affine` switch, the 1e-5 default and a rank check.

    Args:
        epsilon: added to the variance (PyTorch / CycleGAN default 1e-5).
        affine: learn a per-channel scale gamma (init 1) and offset beta (init 0). False is
            PyTorch's `InstanceNorm2d` default, as in the CycleGAN generator.
        **kwargs: keras.layers.Layer arguments (name, dtype, ...).

    Input (B, H, W, C) float; output same shape.
    """

    def __init__(self, epsilon: float = 1e-5, affine: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.epsilon = check_positive_float(epsilon, "InstanceNormalization epsilon")
        self.affine = bool(affine)
        self.gamma = None
        self.beta = None

    def build(self, input_shape: tuple) -> None:
        check_rank(input_shape, 4, "InstanceNormalization", "input", "(B, H, W, C)")
        channels = check_static_channels(input_shape, "InstanceNormalization", "the input")
        if self.affine:
            self.gamma = self.add_weight(name="gamma", shape=(channels,), initializer="ones")
            self.beta = self.add_weight(name="beta", shape=(channels,), initializer="zeros")

    def call(self, inputs):
        normalized = instance_normalize(inputs, self.epsilon)  # (B, H, W, C), ~N(0, 1) per (b, c)
        if self.affine:
            normalized = normalized * self.gamma + self.beta
        return normalized

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "epsilon": self.epsilon, "affine": self.affine}
