"""Segmentation losses: dice, binary cross-entropy with online hard example mining,
and the face-parsing cross-entropy."""

from __future__ import annotations

from typing import Literal

import tensorflow as tf

from tfface.losses.hard_example_mining import hard_example_mean
from tfface.losses.input_checks import as_float32, check_choice, check_rank, check_same_shape
from tfface.losses.per_example import mean_per_example

CLASS_REDUCTIONS: tuple[str, ...] = ("sum", "mean")


def _segmentation_pair(labels: tf.Tensor, predictions: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Both as float32 (B, H, W, C); (B, H, W) inputs get a channel axis."""
    labels = as_float32(labels, "labels")
    predictions = as_float32(predictions, "predictions")
    check_rank(labels, (3, 4), "labels ((B, H, W) or (B, H, W, C))")
    check_rank(predictions, (3, 4), "predictions ((B, H, W) or (B, H, W, C))")
    if labels.shape.rank == 3:
        labels = labels[..., tf.newaxis]
    if predictions.shape.rank == 3:
        predictions = predictions[..., tf.newaxis]
    check_same_shape(labels, predictions, ("labels", "predictions"))
    return labels, predictions


def dice_loss(
    labels: tf.Tensor,
    predictions: tf.Tensor,
    class_reduction: Literal["sum", "mean"] = "sum",
    smooth: float = 1e-6,
) -> tf.Tensor:
    """Soft dice loss per example; Yin 2022 Eq. 3.3 (classes summed) and Eq. 5.3 (binary).

    Per class c: 1 - (2 sum(P_c * Y_c) + smooth) / (sum P_c + sum Y_c + smooth), sums over
    pixels. A class absent from both labels and predictions costs 0.

    Args:
        labels: (B, H, W) binary mask or (B, H, W, C) one-hot, in [0, 1].
        predictions: probabilities of the same shape, in [0, 1].
        class_reduction: ``sum`` over classes (Eq. 3.3) or ``mean``.
        smooth: added to numerator and denominator.

    Returns:
        (B,) float32.
    """
    check_choice(class_reduction, CLASS_REDUCTIONS, "class reduction")
    labels, predictions = _segmentation_pair(labels, predictions)
    intersection = tf.reduce_sum(labels * predictions, axis=[1, 2])  # (B, C)
    total = tf.reduce_sum(labels, axis=[1, 2]) + tf.reduce_sum(predictions, axis=[1, 2])
    per_class = 1.0 - (2.0 * intersection + smooth) / (total + smooth)
    if class_reduction == "sum":
        return tf.reduce_sum(per_class, axis=1)
    return tf.reduce_mean(per_class, axis=1)


def binary_cross_entropy_loss(
    labels: tf.Tensor,
    predictions: tf.Tensor,
    from_logits: bool = False,
    hard_fraction: float = 1.0,
    epsilon: float = 1e-7,
) -> tf.Tensor:
    """Per-pixel binary cross-entropy, averaged per example over the hardest pixels.

    Thesis 001 Eq. 5.4 (-1/(WH) sum [M log M_hat + (1 - M) log(1 - M_hat)]) and
    Eq. 4.4, with online hard example mining (Shrivastava et al. 2016), which Yin
    applies to this BCE: each example keeps its ceil(hard_fraction * H * W * C)
    largest per-pixel losses and averages them. ``hard_fraction=1`` is Eq. 5.4.

    Args:
        labels: (B, H, W) or (B, H, W, C) targets in [0, 1].
        predictions: same shape; probabilities, or logits when ``from_logits``.
        from_logits: predictions are logits.
        hard_fraction: fraction in (0, 1] of pixels kept per example.
        epsilon: probabilities are clipped to [epsilon, 1 - epsilon].

    Returns:
        (B,) float32.
    """
    labels, predictions = _segmentation_pair(labels, predictions)
    if from_logits:
        per_pixel = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=predictions)
    else:
        probabilities = tf.clip_by_value(predictions, epsilon, 1.0 - epsilon)
        per_pixel = -(
            labels * tf.math.log(probabilities) + (1.0 - labels) * tf.math.log(1.0 - probabilities)
        )
    return hard_example_mean(per_pixel, hard_fraction)


def ohem_binary_cross_entropy_loss(
    labels: tf.Tensor,
    predictions: tf.Tensor,
    hard_fraction: float = 0.25,
    from_logits: bool = False,
) -> tf.Tensor:
    """``binary_cross_entropy_loss`` keeping the hardest 25 % of pixels by default.

    Thesis 001 gives no kept fraction; 0.25 is our default (a config field).
    Returns (B,) float32.
    """
    return binary_cross_entropy_loss(
        labels, predictions, from_logits=from_logits, hard_fraction=hard_fraction
    )


def parsing_cross_entropy_loss(
    labels: tf.Tensor, logits: tf.Tensor, from_logits: bool = True, epsilon: float = 1e-7
) -> tf.Tensor:
    """Pixel-wise categorical cross-entropy of a face parser; S1408 2022 Eq. 3.7 / 3.8.

    The thesis sums -log P(label | parser output) over pixels; we average over
    pixels (the sum is this times H * W) so the weight does not depend on image size.

    Args:
        labels: (B, H, W, C) one-hot (or soft) class maps.
        logits: (B, H, W, C) parser logits (or probabilities if ``from_logits`` is False).
        from_logits: ``logits`` are unnormalised scores.
        epsilon: probabilities are clipped to [epsilon, 1].

    Returns:
        (B,) float32.
    """
    labels = as_float32(labels, "labels")
    logits = as_float32(logits, "logits")
    check_rank(labels, (4,), "labels (one-hot (B, H, W, C))")
    check_same_shape(labels, logits, ("labels", "logits"))
    if from_logits:
        per_pixel = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    else:
        per_pixel = -tf.reduce_sum(
            labels * tf.math.log(tf.clip_by_value(logits, epsilon, 1.0)), axis=-1
        )
    return mean_per_example(per_pixel)
