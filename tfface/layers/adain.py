"""Adaptive instance normalisation (AdaIN)."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from tfface.layers._normalization import broadcast_channel_parameter, instance_normalize
from tfface.layers._validation import (
    check_positive_float,
    check_rank,
    check_static_channels,
    split_input_shapes,
)


@keras.saving.register_keras_serializable(package="tfface")
class AdaIN(keras.layers.Layer):
    """Adaptive instance normalisation: instance-normalise content, rescale it from a style.

    Bergqvist 2020, Eq. 2.8: x'_{nchw} = gamma_{nc} (x_{nchw} - mu_{nc}) / sigma_{nc}
    + beta_{nc}; Huang & Belongie 2017. Two ways to call it:

    - `layer([content, style])`: style (B, S) is a latent or style vector; one learned Dense
      layer `style_affine` maps it to (delta_gamma, beta), 2C values, and
      gamma = 1 + delta_gamma, as in the StarGAN v2 AdaIN ResBlock the thesis follows (so a
      freshly initialised layer is close to plain instance normalisation).
    - `layer([content, gamma, beta])`: externally supplied parameters, (B, C) or (B, 1, 1, C),
      used as is in Eq. 2.8 (e.g. gamma = std and beta = mean of a style image's features for
      the original style-transfer AdaIN). This form has no weights.

    Args:
        epsilon: added to the variance of the instance statistics.
        **kwargs: keras.layers.Layer arguments.

    content (B, H, W, C) float -> output (B, H, W, C).
    """

    def __init__(self, epsilon: float = 1e-5, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.epsilon = check_positive_float(epsilon, "AdaIN epsilon")
        self.style_affine = None

    def build(self, input_shape: list) -> None:
        shapes = split_input_shapes(input_shape, (2, 3), "AdaIN")
        check_rank(shapes[0], 4, "AdaIN", "content", "(B, H, W, C)")
        channels = check_static_channels(shapes[0], "AdaIN", "content")
        if len(shapes) == 2:
            check_rank(shapes[1], 2, "AdaIN", "style", "(B, S)")
            check_static_channels(shapes[1], "AdaIN", "style")
            self.style_affine = keras.layers.Dense(2 * channels, name="style_affine")
            self.style_affine.build(shapes[1])
            return
        for what, shape in zip(("gamma", "beta"), shapes[1:], strict=True):
            if len(shape) not in (2, 4) or shape[-1] not in (None, channels):
                raise ValueError(
                    f"AdaIN: {what} must be (B, {channels}) or (B, 1, 1, {channels}), "
                    f"got shape {shape}."
                )

    def call(self, inputs):
        content = inputs[0]  # (B, H, W, C)
        normalized = instance_normalize(content, self.epsilon)
        if len(inputs) == 2:
            delta_gamma, beta = ops.split(self.style_affine(inputs[1]), 2, axis=-1)  # (B, C) x2
            gamma = 1.0 + delta_gamma
        else:
            gamma, beta = inputs[1], inputs[2]
        gamma = broadcast_channel_parameter(gamma)
        beta = broadcast_channel_parameter(beta)
        return normalized * gamma + beta

    def compute_output_shape(self, input_shape: list) -> tuple:
        return tuple(input_shape[0])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "epsilon": self.epsilon}
