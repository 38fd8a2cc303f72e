"""Differentiable barycentric interpolation of vertex attributes (the shader of Eq. 4.1).

Given the triangle id of every pixel (from `tfface.face3d.rasterize`, not
differentiable), the barycentric weights of the pixel centre are recomputed from the
projected vertices with TensorFlow ops, so the render is differentiable with respect to
the vertex positions and every interpolated attribute, as in nvdiffrast's `interpolate`.
Yin 2022, Eq. 4.1: c = w0 c0 + w1 c1 + w2 c2, and Eq. 4.2: dL/dc_i = dL/dc * w_i.
Perspective-correct: screen-space weights b_i become (b_i / w_i) / sum_j (b_j / w_j).
"""

from __future__ import annotations

import tensorflow as tf


def barycentrics(
    screen: tf.Tensor, w: tf.Tensor, triangles: tf.Tensor, triangle_map: tf.Tensor
) -> tf.Tensor:
    """Perspective-correct barycentric weights at every pixel centre.

    Args:
        screen: float32 (B, V, 3) projected vertices (x, y, depth key) in pixels.
        w: float32 (B, V) homogeneous w (ones for an orthographic camera).
        triangles: int (F, 3).
        triangle_map: int32 (B, H, W) from `rasterize`, -1 where empty.

    Returns:
        (B, H, W, 3) weights (the dtype of `screen`) summing to 1 on covered pixels, zeros elsewhere;
        differentiable with respect to `screen` and `w`.
    """
    height, width = tf.shape(triangle_map)[1], tf.shape(triangle_map)[2]
    covered = triangle_map >= 0
    corner_index = tf.gather(triangles, tf.maximum(triangle_map, 0))  # (B, H, W, 3)
    corners = tf.gather(screen[..., :2], corner_index, batch_dims=1)  # (B, H, W, 3, 2)
    corner_w = tf.gather(w, corner_index, batch_dims=1)  # (B, H, W, 3)
    rows = tf.cast(tf.range(height), screen.dtype)
    columns = tf.cast(tf.range(width), screen.dtype)
    pixel_y, pixel_x = tf.meshgrid(rows, columns, indexing="ij")  # (H, W)
    x0, y0 = corners[..., 0, 0], corners[..., 0, 1]
    x1, y1 = corners[..., 1, 0], corners[..., 1, 1]
    x2, y2 = corners[..., 2, 0], corners[..., 2, 1]
    doubled_area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0)
    safe_area = tf.where(covered, doubled_area, tf.ones_like(doubled_area))
    dx0, dy0 = pixel_x - x0, pixel_y - y0
    weight_1 = (dx0 * (y2 - y0) - (x2 - x0) * dy0) / safe_area
    weight_2 = ((x1 - x0) * dy0 - dx0 * (y1 - y0)) / safe_area
    weights = tf.stack([1.0 - weight_1 - weight_2, weight_1, weight_2], axis=-1)
    corrected = weights / corner_w
    corrected = corrected / tf.reduce_sum(corrected, axis=-1, keepdims=True)
    return tf.where(covered[..., None], corrected, tf.zeros_like(corrected))


def interpolate(
    attributes: tf.Tensor, triangles: tf.Tensor, triangle_map: tf.Tensor, weights: tf.Tensor
) -> tf.Tensor:
    """Interpolates per-vertex attributes (B, V, K) -> (B, H, W, K), zeros where empty.

    Differentiable with respect to `attributes` and `weights`.
    """
    corner_index = tf.gather(triangles, tf.maximum(triangle_map, 0))  # (B, H, W, 3)
    values = tf.gather(attributes, corner_index, batch_dims=1)  # (B, H, W, 3, K)
    return tf.reduce_sum(values * weights[..., None], axis=-2)
