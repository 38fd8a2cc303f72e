"""Sampling grids: pixel offsets <-> absolute pixel coordinates <-> normalised [-1, 1].

Conventions: the last axis holds (x, y), x (the column) first.

* A *flow* is a per-pixel offset in pixels: pixel (row p, column q) with flow (dx, dy)
  refers to the absolute position (q + dx, p + dy) (Sevastopolskiy 2019, eqs. 3.1 and 3.4).
* *Coordinates* are absolute pixel positions (x, y); pixel centres sit on integers.
* A *grid* holds coordinates normalised to [-1, 1] with align-corners semantics:
  -1 is the centre of pixel 0 and +1 the centre of pixel `size - 1`, separately for
  width and height, so non-square images work.

An axis of size 1 has no extent: every normalised value maps to pixel 0, and pixel 0
maps to -1 (the normalisation divides by max(size - 1, 1)).
"""

from __future__ import annotations

import tensorflow as tf

SizeLike = int | tf.Tensor


def _extent(size: SizeLike, dtype: tf.DType) -> tf.Tensor:
    """size - 1 as a float scalar, at least 1 (the span between the first and last centre)."""
    return tf.maximum(tf.cast(size, dtype) - 1.0, 1.0)


def mesh_grid(
    height: SizeLike, width: SizeLike, normalized: bool = False, dtype: tf.DType = tf.float32
) -> tf.Tensor:
    """The identity grid: coordinates of every pixel centre.

    Args:
        height: number of rows H.
        width: number of columns W.
        normalized: False for pixel coordinates (x in [0, W-1], y in [0, H-1]),
            True for the align-corners normalised grid in [-1, 1].
        dtype: float dtype of the result.

    Returns:
        (H, W, 2) tensor; [..., 0] is x (the column), [..., 1] is y (the row).
    """
    columns = tf.range(tf.cast(width, tf.int32), dtype=dtype)  # (W,) in [0, W-1]
    rows = tf.range(tf.cast(height, tf.int32), dtype=dtype)  # (H,) in [0, H-1]
    x, y = tf.meshgrid(columns, rows)  # each (H, W)
    coordinates = tf.stack([x, y], axis=-1)  # (H, W, 2) pixels
    if normalized:
        coordinates = normalize_coordinates(coordinates, height, width)
    return coordinates


def offsets_to_coordinates(flow: tf.Tensor) -> tf.Tensor:
    """Flow (..., H, W, 2) pixel offsets -> absolute pixel coordinates, same shape."""
    flow = tf.convert_to_tensor(flow)
    shape = tf.shape(flow)
    return flow + mesh_grid(shape[-3], shape[-2], dtype=flow.dtype)


def coordinates_to_offsets(coordinates: tf.Tensor) -> tf.Tensor:
    """Absolute pixel coordinates (..., H, W, 2) -> flow (pixel offsets), same shape."""
    coordinates = tf.convert_to_tensor(coordinates)
    shape = tf.shape(coordinates)
    return coordinates - mesh_grid(shape[-3], shape[-2], dtype=coordinates.dtype)


def normalize_coordinates(coordinates: tf.Tensor, height: SizeLike, width: SizeLike) -> tf.Tensor:
    """Pixel coordinates (..., 2) of an H x W image -> align-corners grid values in [-1, 1]."""
    coordinates = tf.convert_to_tensor(coordinates)
    dtype = coordinates.dtype
    extent = tf.stack([_extent(width, dtype), _extent(height, dtype)])  # (2,) x first
    return coordinates * (2.0 / extent) - 1.0


def denormalize_coordinates(grid: tf.Tensor, height: SizeLike, width: SizeLike) -> tf.Tensor:
    """Align-corners grid values (..., 2) in [-1, 1] -> pixel coordinates of an H x W image.

    An axis of size 1 maps every value to pixel 0.
    """
    grid = tf.convert_to_tensor(grid)
    dtype = grid.dtype
    span = tf.stack([tf.cast(width, dtype), tf.cast(height, dtype)]) - 1.0  # (2,) x first
    return (grid + 1.0) * (0.5 * span)


def flow_to_grid(flow: tf.Tensor) -> tf.Tensor:
    """Flow (..., H, W, 2) pixel offsets -> normalised grid of the same H x W image."""
    flow = tf.convert_to_tensor(flow)
    shape = tf.shape(flow)
    return normalize_coordinates(offsets_to_coordinates(flow), shape[-3], shape[-2])


def grid_to_flow(grid: tf.Tensor) -> tf.Tensor:
    """Normalised grid (..., H, W, 2) over an H x W image -> flow (pixel offsets)."""
    grid = tf.convert_to_tensor(grid)
    shape = tf.shape(grid)
    return coordinates_to_offsets(denormalize_coordinates(grid, shape[-3], shape[-2]))
