"""Multi-scale discriminator feature matching.

Salimans et al. 2016; the pairwise feature matching of Gu et al. 2019 / S1408 2022
Eq. 3.5 (printed as 1/2 squared L2), in the pix2pixHD form (Wang et al. 2018,
Eq. 4): L1 between the discriminator's intermediate features of the real and the
fake image, averaged within each layer, summed over layers and scales.
lambda_FM = 10 as in pix2pixHD (Wang et al. 2018).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import tensorflow as tf

from tfface.losses.input_checks import as_float32, check_choice, check_same_shape
from tfface.losses.per_example import mean_per_example

FeatureWeighting = Literal["uniform", "pix2pixhd"]
FEATURE_WEIGHTINGS: tuple[str, ...] = ("uniform", "pix2pixhd")
FEATURE_DISTANCES: tuple[str, ...] = ("l1", "l2")
Features = Sequence[tf.Tensor] | Sequence[Sequence[tf.Tensor]]


def _as_scales(features: Features, name: str) -> list[list[tf.Tensor]]:
    """A list of layer features (one scale) or a list of such lists -> list of lists."""
    if isinstance(features, tf.Tensor) or not isinstance(features, (list, tuple)):
        raise ValueError(f"{name} must be a list of feature tensors or a list of such lists")
    if not features:
        raise ValueError(f"{name} is empty")
    if all(isinstance(layer, (list, tuple)) for layer in features):
        return [list(scale) for scale in features]
    if any(isinstance(layer, (list, tuple)) for layer in features):
        raise ValueError(f"{name} mixes tensors and lists; give one list per scale")
    return [list(features)]


def feature_matching_loss(
    real_features: Features,
    fake_features: Features,
    weighting: FeatureWeighting = "uniform",
    distance: Literal["l1", "l2"] = "l1",
) -> tf.Tensor:
    """Feature matching loss per example.

    Args:
        real_features: discriminator intermediate features of the real image: a list
            over layers of (B, h, w, c) tensors, or a list over scales of such lists
            (multi-scale discriminators). No gradient flows into them.
        fake_features: same structure for the generated image.
        weighting: ``uniform`` (every layer weight 1) or ``pix2pixhd`` (each layer
            weighted 4 / (L * S) for L layers per scale and S scales, as in pix2pixHD
            with n_layers_D = 3: feat_weights = 4 / (n_layers_D + 1), D_weights = 1 / S).
        distance: ``l1`` mean absolute difference per layer (pix2pixHD) or ``l2`` mean
            squared difference per layer (S1408 2022 Eq. 3.5 up to its factor 1/2).

    Returns:
        (B,) float32: sum over scales and layers of weight * per-layer mean distance.
    """
    check_choice(weighting, FEATURE_WEIGHTINGS, "feature weighting")
    check_choice(distance, FEATURE_DISTANCES, "feature distance")
    real_scales = _as_scales(real_features, "real_features")
    fake_scales = _as_scales(fake_features, "fake_features")
    if len(real_scales) != len(fake_scales):
        raise ValueError(
            f"real_features has {len(real_scales)} scales, fake_features {len(fake_scales)}"
        )
    total = 0.0
    for scale, (real_layers, fake_layers) in enumerate(zip(real_scales, fake_scales, strict=True)):
        if len(real_layers) != len(fake_layers) or not real_layers:
            raise ValueError(
                f"scale {scale}: real_features has {len(real_layers)} layers, "
                f"fake_features {len(fake_layers)}; need the same non-zero number"
            )
        weight = 4.0 / (len(real_layers) * len(real_scales)) if weighting == "pix2pixhd" else 1.0
        for layer, (real, fake) in enumerate(zip(real_layers, fake_layers, strict=True)):
            real = tf.stop_gradient(as_float32(real, f"real_features[{scale}][{layer}]"))
            fake = as_float32(fake, f"fake_features[{scale}][{layer}]")
            check_same_shape(real, fake, (f"real layer {layer}", f"fake layer {layer}"))
            difference = fake - real
            per_element = tf.abs(difference) if distance == "l1" else tf.square(difference)
            total += weight * mean_per_example(per_element)
    return total
