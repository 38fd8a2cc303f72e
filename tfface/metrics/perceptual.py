"""Perceptual distance on VGG16 features, the LPIPS form.

Zhang, Isola, Efros, Shechtman & Wang, "The Unreasonable Effectiveness of Deep
Features as a Perceptual Metric", CVPR 2018, Eq. 1:

    d(x, x0) = sum_l 1 / (H_l W_l) sum_{h, w} sum_c w_{l,c} (y_l - y0_l)^2_{h,w,c}

where y_l are the layer-l activations normalised to unit length along the channels
(eps 1e-10) and w_l >= 0 are learned linear weights. Layers: VGG16 relu1_2, relu2_2,
relu3_3, relu4_3, relu5_3 (keras.applications VGG16, ``tfface.weights``).

Learned weights load from an ``.npz`` file holding one (C_l,) array per layer, keyed
by the layer name (``relu1_2``) or by position (``lin0`` ... ``lin4``, the official
LPIPS order; convert the official ``vgg.pth`` with ``w.reshape(-1)``); the metric is
then reported as ``perceptual_lpips``. Note the official weights were learned on
torchvision's VGG16 with its own input scaling, so on keras' VGG16 they are an
approximation. Without a file every w is 1 and the metric is reported as
``perceptual_unit`` (a plain normalised-feature distance, not LPIPS).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import tensorflow as tf

from tfface.metrics.value_range import to_unit_range

LPIPS_VGG_LAYERS = ("relu1_2", "relu2_2", "relu3_3", "relu4_3", "relu5_3")
NORMALISATION_EPS = 1e-10


def load_linear_weights(path: str | os.PathLike, layers: Sequence[str]) -> dict[str, np.ndarray]:
    """Per-layer non-negative (C,) weights from an ``.npz`` (keys: layer names or lin0..)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"perceptual weights file {path} does not exist")
    weights = {}
    with np.load(path, allow_pickle=False) as data:
        for index, layer in enumerate(layers):
            key = layer if layer in data.files else f"lin{index}"
            if key not in data.files:
                raise ValueError(
                    f"{path} has no weights for {layer!r} (keys: {sorted(data.files)})"
                )
            values = np.asarray(data[key], np.float32).reshape(-1)
            if np.any(values < 0):
                raise ValueError(f"{path}: weights of {layer!r} must be non-negative")
            weights[layer] = values
    return weights


def normalise_channels(features: tf.Tensor) -> tf.Tensor:
    """(B, h, w, C) -> unit length along C (LPIPS ``normalize_tensor``)."""
    norm = tf.sqrt(tf.reduce_sum(tf.square(features), axis=-1, keepdims=True))
    return features / (norm + NORMALISATION_EPS)


class PerceptualDistance:
    """LPIPS-form distance (Zhang 2018, Eq. 1) per example between image pairs.

    Args:
        feature_model: images (B, H, W, 3) in [-1, 1] -> {layer: (B, h, w, C)}; default
            ``tfface.weights.vgg16_features(layers, vgg_weights)``.
        layers: the layers (default LPIPS' five VGG16 layers).
        linear_weights: ``.npz`` of learned per-channel weights, or None for unit weights.
        vgg_weights: VGG16 weights for the default model (``imagenet``, a path, ``random``).
        value_range: range of the input images (default (0, 255) for uint8, else (-1, 1)).
    """

    def __init__(
        self,
        feature_model=None,
        layers: Sequence[str] = LPIPS_VGG_LAYERS,
        linear_weights: str | os.PathLike | None = None,
        vgg_weights: str | os.PathLike = "imagenet",
        value_range: Sequence[float] | None = None,
    ) -> None:
        self.layers = tuple(layers)
        if feature_model is None:
            from tfface.weights import vgg16_features
            from tfface.weights.random_weights import seeded_build

            with seeded_build(enabled=vgg_weights == "random"):
                feature_model = vgg16_features(self.layers, weights=vgg_weights)
        self.feature_model = feature_model
        self.value_range = value_range
        self.linear_weights = (
            None if linear_weights is None else load_linear_weights(linear_weights, self.layers)
        )
        self.name = "perceptual_unit" if self.linear_weights is None else "perceptual_lpips"

    def normalised_features(self, images: tf.Tensor) -> dict[str, tf.Tensor]:
        """{layer: (B, h, w, C) unit-length-along-C features} of images in ``value_range``."""
        model_range = to_unit_range(images, self.value_range, tf.float32) * 2.0 - 1.0
        features = self.feature_model(model_range)
        return {
            layer: normalise_channels(tf.cast(features[layer], tf.float32)) for layer in self.layers
        }

    def distance_between(
        self, first: dict[str, tf.Tensor], second: dict[str, tf.Tensor]
    ) -> tf.Tensor:
        """(B,) distances between two batches of ``normalised_features``."""
        total = 0.0
        for layer in self.layers:
            squared = tf.square(first[layer] - second[layer])  # (B, h, w, C)
            if self.linear_weights is not None:
                weights = self.linear_weights[layer]
                if weights.shape[0] != squared.shape[-1]:
                    raise ValueError(
                        f"{layer}: {weights.shape[0]} weights for {squared.shape[-1]} channels"
                    )
                squared = squared * tf.constant(weights)
            total += tf.reduce_mean(tf.reduce_sum(squared, axis=-1), axis=[1, 2])
        return total

    def __call__(self, first: tf.Tensor, second: tf.Tensor) -> tf.Tensor:
        """(B, H, W, 3) x 2 -> (B,) float32 distances (0 for identical images)."""
        features = self.normalised_features(tf.concat([first, second], axis=0))
        batch = tf.shape(first)[0]
        return self.distance_between(
            {layer: value[:batch] for layer, value in features.items()},
            {layer: value[batch:] for layer, value in features.items()},
        )

    def pairwise(self, samples: tf.Tensor, first: np.ndarray, second: np.ndarray) -> tf.Tensor:
        """Distances between samples[first[p]] and samples[second[p]]: features computed once."""
        features = self.normalised_features(samples)
        return self.distance_between(
            {layer: tf.gather(value, first) for layer, value in features.items()},
            {layer: tf.gather(value, second) for layer, value in features.items()},
        )
