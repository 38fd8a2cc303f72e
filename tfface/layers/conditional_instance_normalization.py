"""Conditional instance normalisation (CIN) on a conditioning vector."""

from __future__ import annotations

import math
from typing import Any

import keras
from keras import ops

from tfface.layers._normalization import instance_normalize
from tfface.layers._validation import (
    check_positive_float,
    check_positive_int,
    check_rank,
    check_static_channels,
    split_input_shapes,
)


@keras.saving.register_keras_serializable(package="tfface")
class ConditionalInstanceNormalization(keras.layers.Layer):
    """Instance normalisation whose scale and offset are predicted from a condition.

    out = (1 + gamma(c)) * IN(x) + beta(c), where c is the flattened condition and gamma, beta
    are Dense layers (optionally after one hidden Dense + ReLU). Yin 2022, Secs.
    3.3.2-3.3.3 (pose editing): CIN layers inject the target 3D landmarks (68 x 3, flattened)
    into the PAS embedder and the inpainting decoder. Dumoulin et al. 2017 introduced CIN with
    one (gamma, beta) per class; the continuous-condition form is the same Dense map from a
    vector. The "1 +" makes a fresh layer close to plain instance normalisation.

    Args:
        hidden_units: size of an optional hidden Dense + ReLU before the projections; None for
            a direct linear map.
        epsilon: added to the variance of the instance statistics.
        **kwargs: keras.layers.Layer arguments.

    Inputs [features (B, H, W, C), condition (B, ...)] (the condition is flattened, static
    trailing dimensions, e.g. landmarks (B, 68, 3)); output (B, H, W, C).
    """

    def __init__(
        self, hidden_units: int | None = None, epsilon: float = 1e-5, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        if hidden_units is not None:
            check_positive_int(hidden_units, "ConditionalInstanceNormalization hidden_units")
        self.hidden_units = hidden_units
        self.epsilon = check_positive_float(epsilon, "ConditionalInstanceNormalization epsilon")
        self.hidden = None
        self.gamma_dense = None
        self.beta_dense = None

    def build(self, input_shape: list) -> None:
        name = "ConditionalInstanceNormalization"
        features_shape, condition_shape = split_input_shapes(input_shape, (2,), name)
        check_rank(features_shape, 4, name, "features", "(B, H, W, C)")
        channels = check_static_channels(features_shape, name, "features")
        if len(condition_shape) < 2 or any(d is None for d in condition_shape[1:]):
            raise ValueError(
                f"{name}: condition must be (B, ...) with known trailing dimensions, "
                f"got shape {condition_shape}."
            )
        width = math.prod(condition_shape[1:])
        if self.hidden_units is not None:
            self.hidden = keras.layers.Dense(self.hidden_units, activation="relu", name="hidden")
            self.hidden.build((None, width))
            width = self.hidden_units
        self.gamma_dense = keras.layers.Dense(channels, name="gamma")
        self.beta_dense = keras.layers.Dense(channels, name="beta")
        self.gamma_dense.build((None, width))
        self.beta_dense.build((None, width))

    def call(self, inputs):
        features, condition = inputs  # (B, H, W, C), (B, ...)
        condition = ops.reshape(condition, (ops.shape(condition)[0], -1))  # (B, D)
        if self.hidden is not None:
            condition = self.hidden(condition)
        gamma = 1.0 + self.gamma_dense(condition)[:, None, None, :]  # (B, 1, 1, C)
        beta = self.beta_dense(condition)[:, None, None, :]
        return instance_normalize(features, self.epsilon) * gamma + beta

    def compute_output_shape(self, input_shape: list) -> tuple:
        return tuple(input_shape[0])

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "hidden_units": self.hidden_units,
            "epsilon": self.epsilon,
        }
