"""Identity-preservation losses between face-recognition embeddings."""

from __future__ import annotations

from typing import Literal

import tensorflow as tf

from tfface.losses.input_checks import as_float32, check_choice, check_min_rank, check_same_shape
from tfface.losses.per_example import flatten_per_example

L1_REDUCTIONS: tuple[str, ...] = ("mean", "sum")


def _embedding_pair(first: tf.Tensor, second: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Both as float32 (B, D); extra axes are flattened."""
    first = as_float32(first, "first")
    second = as_float32(second, "second")
    check_min_rank(first, 2, "first (embeddings (B, D))")
    check_same_shape(first, second, ("first", "second"))
    return flatten_per_example(first), flatten_per_example(second)


def identity_cosine_distance(
    first: tf.Tensor, second: tf.Tensor, epsilon: float = 1e-12
) -> tf.Tensor:
    """1 - cosine similarity per example; Yin 2022 Eq. 5.7 (ArcFace embeddings).

    Args:
        first: (B, D) embeddings (e.g. F(generated)).
        second: (B, D) embeddings (e.g. F(real)).
        epsilon: floor of the squared norms (finite for zero vectors).

    Returns:
        (B,) float32 in [0, 2].
    """
    first, second = _embedding_pair(first, second)
    first = first * tf.math.rsqrt(
        tf.maximum(tf.reduce_sum(tf.square(first), axis=1, keepdims=True), epsilon)
    )
    second = second * tf.math.rsqrt(
        tf.maximum(tf.reduce_sum(tf.square(second), axis=1, keepdims=True), epsilon)
    )
    return 1.0 - tf.reduce_sum(first * second, axis=1)


def identity_l1_distance(
    first: tf.Tensor, second: tf.Tensor, reduction: Literal["mean", "sum"] = "mean"
) -> tf.Tensor:
    """L1 distance per example: ``mean`` 1/N sum |a - b| (Yin 2022 Eq. 3.11, LightCNN)
    or ``sum`` ||a - b||_1 (Eq. 4.10, FaceNet).

    Args:
        first: (B, D) embeddings.
        second: (B, D) embeddings.
        reduction: ``mean`` or ``sum`` over the D dimensions.

    Returns:
        (B,) float32.
    """
    check_choice(reduction, L1_REDUCTIONS, "L1 reduction")
    first, second = _embedding_pair(first, second)
    distance = tf.abs(first - second)
    if reduction == "mean":
        return tf.reduce_mean(distance, axis=1)
    return tf.reduce_sum(distance, axis=1)


def identity_l2_distance(
    first: tf.Tensor, second: tf.Tensor, divide_by_dimension: bool = True
) -> tf.Tensor:
    """Euclidean distance per example, divided by D: Sevastopolskiy 2019 section 3.3,
    L_identity = 1/K ||v(g) - v(y)||_2 (LightCNN-29, K = 256).

    Args:
        first: (B, D) embeddings.
        second: (B, D) embeddings.
        divide_by_dimension: divide by D (the thesis's 1/K).

    Returns:
        (B,) float32.
    """
    first, second = _embedding_pair(first, second)
    distance = tf.sqrt(tf.reduce_sum(tf.square(first - second), axis=1) + 1e-12)
    if divide_by_dimension:
        distance = distance / tf.cast(tf.shape(first)[1], tf.float32)
    return distance
