"""Spatially-adaptive normalisation (SPADE)."""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from tfface.layers._normalization import instance_normalize
from tfface.layers._validation import (
    check_choice,
    check_positive_float,
    check_positive_int,
    check_rank,
    check_static_channels,
    split_input_shapes,
)

BASE_NORMS = ("batch", "instance")


@keras.saving.register_keras_serializable(package="tfface")
class SPADE(keras.layers.Layer):
    """Spatially-adaptive normalisation: parameter-free norm, then per-pixel scale and bias.

    Bergqvist 2020, Eq. 2.9 and Fig. 2.8; Park et al. 2019:
        out_{nchw} = norm(x)_{nchw} * (1 + gamma_{nchw}) + beta_{nchw},
        gamma = conv_gamma(a), beta = conv_beta(a), a = ReLU(conv_shared(resize(condition))).
    The condition (a label map or a source image) is resized with nearest-neighbour
    interpolation to the feature size. The "1 +" is the SPADE reference implementation's
    parameterisation of Eq. 2.9's gamma.

    Args:
        hidden_filters: channels of the shared convolution (128 in Park et al.).
        kernel_size: kernel of all three convolutions ("same" zero padding).
        base_norm: "batch" (Eq. 2.9: batch statistics, moving averages at inference, no affine
            parameters) or "instance" (per-example statistics).
        epsilon: added to the variance.
        momentum: moving-average momentum of the batch statistics (Keras convention).
        **kwargs: keras.layers.Layer arguments.

    Inputs [features (B, H, W, C), condition (B, H', W', L)]; output (B, H, W, C).
    """

    def __init__(
        self,
        hidden_filters: int = 128,
        kernel_size: int = 3,
        base_norm: str = "batch",
        epsilon: float = 1e-5,
        momentum: float = 0.99,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.hidden_filters = check_positive_int(hidden_filters, "SPADE hidden_filters")
        self.kernel_size = check_positive_int(kernel_size, "SPADE kernel_size")
        check_choice(base_norm, BASE_NORMS, "SPADE base_norm")
        self.base_norm = base_norm
        self.epsilon = check_positive_float(epsilon, "SPADE epsilon")
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"SPADE momentum must be in [0, 1], got {momentum!r}.")
        self.momentum = float(momentum)
        self.batch_norm = None
        if base_norm == "batch":
            self.batch_norm = keras.layers.BatchNormalization(
                center=False, scale=False, epsilon=epsilon, momentum=momentum, name="batch_norm"
            )
        self.shared_conv = keras.layers.Conv2D(
            hidden_filters, kernel_size, padding="same", activation="relu", name="shared_conv"
        )
        self.gamma_conv = None
        self.beta_conv = None

    def build(self, input_shape: list) -> None:
        features_shape, condition_shape = split_input_shapes(input_shape, (2,), "SPADE")
        check_rank(features_shape, 4, "SPADE", "features", "(B, H, W, C)")
        check_rank(condition_shape, 4, "SPADE", "condition", "(B, H', W', L)")
        channels = check_static_channels(features_shape, "SPADE", "features")
        check_static_channels(condition_shape, "SPADE", "condition")
        self.gamma_conv = keras.layers.Conv2D(
            channels, self.kernel_size, padding="same", name="gamma_conv"
        )
        self.beta_conv = keras.layers.Conv2D(
            channels, self.kernel_size, padding="same", name="beta_conv"
        )
        if self.batch_norm is not None:
            self.batch_norm.build(features_shape)
        resized = (condition_shape[0], *features_shape[1:3], condition_shape[-1])
        self.shared_conv.build(resized)
        hidden_shape = (*resized[:3], self.hidden_filters)
        self.gamma_conv.build(hidden_shape)
        self.beta_conv.build(hidden_shape)

    def call(self, inputs, training=None):
        features, condition = inputs  # (B, H, W, C), (B, H', W', L)
        if self.batch_norm is not None:
            normalized = self.batch_norm(features, training=training)
        else:
            normalized = instance_normalize(features, self.epsilon)
        condition = _resize_nearest_like(condition, features)  # (B, H, W, L)
        hidden = self.shared_conv(condition)  # (B, H, W, hidden_filters), >= 0
        gamma = self.gamma_conv(hidden)  # (B, H, W, C)
        beta = self.beta_conv(hidden)  # (B, H, W, C)
        return normalized * (1.0 + gamma) + beta

    def compute_output_shape(self, input_shape: list) -> tuple:
        return tuple(input_shape[0])

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "hidden_filters": self.hidden_filters,
            "kernel_size": self.kernel_size,
            "base_norm": self.base_norm,
            "epsilon": self.epsilon,
            "momentum": self.momentum,
        }


def _resize_nearest_like(condition, features):
    """Nearest-neighbour resize of (B, H', W', L) to the spatial size of (B, H, W, C)."""
    static_size = tuple(features.shape[1:3])
    if None not in static_size:
        if tuple(condition.shape[1:3]) == static_size:
            return condition
        size = static_size
    else:
        size = tf.shape(features)[1:3]
    resized = tf.image.resize(condition, size, method="nearest")
    return tf.cast(resized, condition.dtype)
