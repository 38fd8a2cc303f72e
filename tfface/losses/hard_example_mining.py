"""Online hard example mining (OHEM) over the pixels of each example.

Shrivastava et al., "Training region-based object detectors with online hard
example mining", CVPR 2016; applied per pixel to the segmentation BCE and the SSIM
loss in Yin 2022, Eq. 5.4 and the text after Eq. 5.11.
"""

from __future__ import annotations

import tensorflow as tf

from tfface.losses.input_checks import check_fraction
from tfface.losses.per_example import flatten_per_example, mean_per_example


def hard_example_mean(
    losses: tf.Tensor, hard_fraction: float, mask: tf.Tensor | None = None
) -> tf.Tensor:
    """Mean of the ``hard_fraction`` largest per-element losses of each example.

    Args:
        losses: (B, ...) non-negative per-element losses (e.g. per-pixel BCE).
        hard_fraction: in (0, 1]; each example keeps its ceil(hard_fraction * n)
            hardest (largest-loss) elements, n = number of valid elements, at least 1.
            1.0 is the plain mean.
        mask: optional (B, ...) of the same shape, 1 = valid element, 0 = ignored.
            Examples without valid elements get loss 0.

    Returns:
        (B,) float32.
    """
    check_fraction(hard_fraction, "hard_fraction")
    losses = tf.cast(losses, tf.float32)
    if mask is None and hard_fraction == 1.0:
        return mean_per_example(losses)
    flat = flatten_per_example(losses)  # (B, N)
    size = tf.shape(flat)[1]
    if mask is None:
        valid = tf.ones_like(flat)
    else:
        valid = flatten_per_example(tf.cast(tf.broadcast_to(mask, tf.shape(losses)), tf.float32))
    count = tf.reduce_sum(valid, axis=1)  # (B,)
    kept = tf.math.ceil(hard_fraction * count)
    kept = tf.where(count > 0, tf.maximum(kept, 1.0), 0.0)  # (B,)
    # Invalid elements sort last: they are never among the kept ones (kept <= count).
    lowest = tf.stop_gradient(tf.reduce_min(flat)) - 1.0
    ranked, _ = tf.math.top_k(tf.where(valid > 0, flat, lowest), k=size)  # (B, N) descending
    keep = tf.cast(tf.range(size)[tf.newaxis, :], tf.float32) < kept[:, tf.newaxis]
    total = tf.reduce_sum(tf.where(keep, ranked, 0.0), axis=1)
    return tf.math.divide_no_nan(total, kept)
