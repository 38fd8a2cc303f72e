"""Nearest-neighbour hole filling for forward-warped images.

Forward warping leaves holes where no source pixel lands (Sevastopolskiy 2019,
section 3.1.1, the mask m = [w > 0]); `nearest_fill` gives every hole pixel the value of
the nearest non-hole pixel in Euclidean distance, a simple initialisation before the
inpainting network of section 3.2.

The nearest pixel is found exactly with the separable distance transform of
Felzenszwalb and Huttenlocher (2012): first, per column, the nearest valid row (prefix
max / suffix min by log-step doubling); then, per row, the column j' minimising
(j - j')^2 + (row distance in column j')^2, searched at growing offsets d = |j - j'|
until d^2 exceeds every pixel's best squared distance (so the loop runs about as many
times as the largest hole radius). Candidates are compared as int64 keys
(squared distance << 32 | row-major index of the source pixel), so the arithmetic is
exact and ties go to the source pixel that comes first in row-major order.

Pure TensorFlow (slices with dynamic starts and `tf.while_loop`): it runs eagerly, in
graph mode and under XLA (batch 8 at 256 x 256 with 5% holes: about 25 ms under XLA).
"""

from __future__ import annotations

import tensorflow as tf

_INDEX_BITS = 32  # low bits of a key: the source pixel's row-major index in its image


def _pad_both_sides(values: tf.Tensor, axis: int, fill: tf.Tensor | int) -> tf.Tensor:
    """(B, H, W) values with `size` copies of `fill` before and after along axis (1 or 2)."""
    block = tf.fill(tf.shape(values), tf.cast(fill, values.dtype))
    return tf.concat([block, values, block], axis=axis)


def _window(padded: tf.Tensor, offset: tf.Tensor, axis: int, shape: tf.Tensor) -> tf.Tensor:
    """From `_pad_both_sides` output: result[i] = values[i - offset] (fill outside).

    A slice with a dynamic start and a static size: cheap, and valid under XLA.
    """
    begin = tf.one_hot(axis, 3, on_value=shape[axis] - offset, off_value=0, dtype=tf.int32)
    return tf.slice(padded, begin, shape)


def _running_extreme(values: tf.Tensor, reverse: bool) -> tf.Tensor:
    """Prefix max (reverse=False) or suffix min (reverse=True) along axis 1, by doubling."""
    shape = tf.shape(values)
    direction = -1 if reverse else 1
    combine = tf.minimum if reverse else tf.maximum
    fill = values.dtype.max if reverse else values.dtype.min

    def body(step: tf.Tensor, current: tf.Tensor):
        shifted = _window(_pad_both_sides(current, 1, fill), direction * step, 1, shape)
        return step * 2, combine(current, shifted)

    _, result = tf.while_loop(lambda step, _: step < shape[1], body, (tf.constant(1), values))
    return result


def _column_keys(valid: tf.Tensor, outside: tf.Tensor) -> tf.Tensor:
    """Per pixel, the key of the nearest valid pixel in its own column.

    Args:
        valid: (B, H, W) bool.
        outside: int64 scalar squared distance larger than any inside the image.

    Returns:
        (B, H, W) int64 keys: squared row distance << 32 | row-major index of that pixel;
        `outside` << 32 when the column has no valid pixel.
    """
    shape = tf.shape(valid)
    height, width = shape[1], shape[2]
    rows = tf.broadcast_to(tf.range(height)[tf.newaxis, :, tf.newaxis], shape)  # (B, H, W)
    columns = tf.broadcast_to(tf.range(width)[tf.newaxis, tf.newaxis, :], shape)
    none = 2 * height + 1  # farther than any row, and the int32 arithmetic stays in range
    above = _running_extreme(tf.where(valid, rows, -none), reverse=False)  # nearest at or above
    below = _running_extreme(tf.where(valid, rows, height + none), reverse=True)
    row = tf.where(rows - above <= below - rows, above, below)  # (B, H, W)
    found = (row >= 0) & (row < height)
    distance = tf.cast(row - rows, tf.int64)
    squared = tf.where(found, distance * distance, outside)
    source = tf.cast(tf.clip_by_value(row, 0, height - 1) * width + columns, tf.int64)
    return tf.bitwise.bitwise_or(tf.bitwise.left_shift(squared, _INDEX_BITS), source)


def _nearest_keys(column_keys: tf.Tensor, outside: tf.Tensor) -> tf.Tensor:
    """Minimises (j - j')^2 + column distance^2 over columns j' for every pixel (exact)."""
    shape = tf.shape(column_keys)
    width = shape[2]
    padded = _pad_both_sides(column_keys, 2, tf.bitwise.left_shift(outside, _INDEX_BITS))

    def condition(offset: tf.Tensor, best: tf.Tensor) -> tf.Tensor:
        best_squared = tf.bitwise.right_shift(best, _INDEX_BITS)
        return (offset < width) & tf.reduce_any(tf.cast(offset * offset, tf.int64) < best_squared)

    def body(offset: tf.Tensor, best: tf.Tensor):
        extra = tf.bitwise.left_shift(tf.cast(offset * offset, tf.int64), _INDEX_BITS)
        left = _window(padded, offset, 2, shape)  # candidates j' = j - offset
        right = _window(padded, -offset, 2, shape)  # j' = j + offset
        return offset + 1, tf.minimum(best, tf.minimum(left, right) + extra)

    _, best = tf.while_loop(condition, body, (tf.constant(1), column_keys))
    return best


def nearest_fill(image: tf.Tensor, mask: tf.Tensor) -> tf.Tensor:
    """Fills holes (mask == 0) with the value of the nearest non-hole pixel (Euclidean).

    Args:
        image: (B, H, W, C) image of any dtype, e.g. a forward-warped image; H * W < 2^31.
        mask: (B, H, W, 1), > 0 where the pixel is valid (the `forward_warp` mask).

    Returns:
        (B, H, W, C) like image. Valid pixels are unchanged; an image without any valid
        pixel is returned as it is. Among equally near pixels the first in row-major order
        is used. Gradients flow to the image (each output pixel is a copy of one input
        pixel); the mask has none.

    Raises:
        ValueError: wrong ranks, a mask with more than one channel, or mismatched shapes.
    """
    image = tf.convert_to_tensor(image)
    mask = tf.convert_to_tensor(mask)
    if image.shape.rank is not None and image.shape.rank != 4:
        raise ValueError(
            f"image must have rank 4 (batch, height, width, channels), got {image.shape}"
        )
    if mask.shape.rank is not None and (mask.shape.rank != 4 or mask.shape[-1] not in (None, 1)):
        raise ValueError(f"mask must have shape (batch, height, width, 1), got {mask.shape}")
    if not image.shape[:3].is_compatible_with(mask.shape[:3]):
        raise ValueError(
            f"image and mask must have the same batch, height and width: image {image.shape}, "
            f"mask {mask.shape}"
        )
    shape = tf.shape(image)
    batch, height, width = shape[0], shape[1], shape[2]
    outside = tf.cast(height, tf.int64) ** 2 + tf.cast(width, tf.int64) ** 2  # > any distance^2
    valid = mask[..., 0] > 0  # (B, H, W) bool
    keys = _nearest_keys(_column_keys(valid, outside), outside)  # (B, H, W) int64
    source = tf.cast(
        tf.bitwise.bitwise_and(keys, 2**_INDEX_BITS - 1), tf.int32
    )  # row-major index in the image
    identity = tf.reshape(tf.range(height * width), tf.stack([1, height, width]))  # (1, H, W)
    has_valid = tf.reduce_any(valid, axis=[1, 2], keepdims=True)  # (B, 1, 1)
    source = tf.where(has_valid, source, identity)
    source += tf.range(batch)[:, tf.newaxis, tf.newaxis] * (height * width)  # flat index
    table = tf.reshape(image, tf.stack([batch * height * width, shape[3]]))  # (B * H * W, C)
    return tf.reshape(tf.gather(table, source), shape)
