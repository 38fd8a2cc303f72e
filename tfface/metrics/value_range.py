"""Input conventions of the per-example image metrics: value ranges and region masks.

Images arrive as uint8 (0..255) or float in [-1, 1] (tfface's model range); the
caller states the range with ``value_range=(low, high)`` (default ``(-1, 1)``;
uint8 tensors default to ``(0, 255)``). The metrics map them to [0, 1] in float64,
so MSE and L1 are in units of the full range and PSNR / SSIM use ``data_range = 1``
(both are invariant to the common rescaling, so SSIM equals skimage's with
``data_range=255`` on the uint8 images).

Masks select the region a metric is computed over (missing-region metrics for
inpainting): (B, H, W) or (B, H, W, 1), nonzero = inside. Masked means average only
over mask pixels (and all channels); an example with an empty mask gets NaN.
"""

from __future__ import annotations

from collections.abc import Sequence

import tensorflow as tf

ValueRange = tuple[float, float]
MODEL_RANGE: ValueRange = (-1.0, 1.0)
UINT8_RANGE: ValueRange = (0.0, 255.0)


def resolve_value_range(images: tf.Tensor, value_range: Sequence[float] | None) -> ValueRange:
    """The stated range; for ``None``: (0, 255) for uint8 tensors, (-1, 1) otherwise."""
    if value_range is None:
        return UINT8_RANGE if images.dtype == tf.uint8 else MODEL_RANGE
    low, high = (float(value) for value in value_range)
    if not high > low:
        raise ValueError(f"value_range must be (low, high) with high > low, got {value_range}")
    return low, high


def to_unit_range(
    images: tf.Tensor, value_range: Sequence[float] | None = None, dtype: tf.DType = tf.float64
) -> tf.Tensor:
    """(B, H, W, C) images in ``value_range`` -> the same images in [0, 1] as ``dtype``.

    Values are not clipped: out-of-range inputs stay out of range (and are visible in
    the metric) rather than being silently repaired.
    """
    images = tf.convert_to_tensor(images)
    if images.shape.rank != 4:
        raise ValueError(f"images must be (B, H, W, C), got shape {images.shape}")
    low, high = resolve_value_range(images, value_range)
    return (tf.cast(images, dtype) - low) / (high - low)


def prepare_pair(
    first: tf.Tensor,
    second: tf.Tensor,
    value_range: Sequence[float] | None,
    dtype: tf.DType = tf.float64,
) -> tuple[tf.Tensor, tf.Tensor]:
    """Both images in [0, 1] (same stated range), after a shape check."""
    first, second = tf.convert_to_tensor(first), tf.convert_to_tensor(second)
    if not first.shape.is_compatible_with(second.shape):
        raise ValueError(f"images must have the same shape, got {first.shape} and {second.shape}")
    return to_unit_range(first, value_range, dtype), to_unit_range(second, value_range, dtype)


def prepare_mask(mask: tf.Tensor, images: tf.Tensor) -> tf.Tensor:
    """Mask (B, H, W) / (B, H, W, 1), any dtype -> {0, 1} of the images' dtype, (B, H, W, 1)."""
    mask = tf.convert_to_tensor(mask)
    if mask.shape.rank == 3:
        mask = mask[..., tf.newaxis]
    if mask.shape.rank != 4 or (mask.shape[-1] is not None and mask.shape[-1] != 1):
        raise ValueError(f"mask must be (B, H, W) or (B, H, W, 1), got shape {mask.shape}")
    if not mask.shape[:3].is_compatible_with(images.shape[:3]):
        raise ValueError(f"mask {mask.shape} does not match images {images.shape}")
    return tf.cast(tf.not_equal(mask, tf.zeros_like(mask)), images.dtype)


def masked_mean(values: tf.Tensor, weights: tf.Tensor | None) -> tf.Tensor:
    """Per-example mean of (B, H, W, C) values over pixels with weight (B, H, W, 1) -> (B,).

    ``weights=None`` is the plain mean. With weights: sum(w * v) / (sum(w) * C); NaN where
    the weights sum to zero.
    """
    if weights is None:
        return tf.reduce_mean(values, axis=[1, 2, 3])
    channels = tf.cast(tf.shape(values)[-1], values.dtype)
    total = tf.reduce_sum(values * weights, axis=[1, 2, 3])
    count = tf.reduce_sum(weights, axis=[1, 2, 3]) * channels
    nan = tf.constant(float("nan"), values.dtype)
    return tf.where(count > 0, total / tf.where(count > 0, count, tf.ones_like(count)), nan)
