"""Rasterising polygons as a batched TF op (even-odd rule at pixel centres).

Pixel (row i, column j) is at coordinates (x = j, y = i), the convention of `tfface.ops.warp`
and of the iBUG-68 landmarks in pixels. Used by pose_editing's landmark segmentation maps
(Yin 2022 L1229-1232) and by multimodal's gaze measure (the eye polygons of the landmarks).
"""

from __future__ import annotations

import tensorflow as tf


def polygon_inside(polygon: tf.Tensor, size: int) -> tf.Tensor:
    """float32 (B, S, S) 1 inside the polygon (B, V, 2) of (x, y) pixels, else 0 (even-odd
    rule at pixel centres; S = `size`)."""
    coordinates = tf.range(size, dtype=tf.float32)
    rows, columns = tf.meshgrid(coordinates, coordinates, indexing="ij")
    x = tf.reshape(columns, [1, -1, 1])  # (1, P, 1)
    y = tf.reshape(rows, [1, -1, 1])
    polygon = tf.cast(polygon, tf.float32)
    start = polygon[:, tf.newaxis, :, :]  # (B, 1, V, 2)
    end = tf.roll(polygon, shift=-1, axis=1)[:, tf.newaxis, :, :]
    x0, y0, x1, y1 = start[..., 0], start[..., 1], end[..., 0], end[..., 1]  # (B, 1, V)
    straddles = (y0 > y) != (y1 > y)  # (B, P, V)
    height = tf.where(tf.equal(y1, y0), tf.ones_like(y1), y1 - y0)
    crossing_x = x0 + (y - y0) * (x1 - x0) / height
    crossings = tf.logical_and(straddles, x < crossing_x)
    odd = tf.math.floormod(tf.reduce_sum(tf.cast(crossings, tf.int32), axis=-1), 2)  # (B, P)
    return tf.reshape(tf.cast(odd, tf.float32), [-1, size, size])
