"""Reductions from (B, ...) to per-example values (B,): the only reductions losses use.

Losses never reduce over the batch; the training framework divides the summed
per-example losses by the global batch size in one place (``GANSystem.reduce``).
"""

from __future__ import annotations

import tensorflow as tf


def mean_per_example(values: tf.Tensor) -> tf.Tensor:
    """Mean over every axis but the first: (B, ...) -> (B,)."""
    if values.shape.rank == 1:
        return values
    return tf.reduce_mean(values, axis=tf.range(1, tf.rank(values)))


def sum_per_example(values: tf.Tensor) -> tf.Tensor:
    """Sum over every axis but the first: (B, ...) -> (B,)."""
    if values.shape.rank == 1:
        return values
    return tf.reduce_sum(values, axis=tf.range(1, tf.rank(values)))


def flatten_per_example(values: tf.Tensor) -> tf.Tensor:
    """Reshapes (B, ...) to (B, N)."""
    return tf.reshape(values, (tf.shape(values)[0], -1))
