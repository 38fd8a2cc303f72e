"""A z-buffer rasterizer in TensorFlow: per-pixel triangle ids (batched, in-graph).

The rasterization step of a differentiable renderer (Yin 2022, Eq. 4.1: a depth-buffer
rasterizer followed by a barycentric shader). As in nvdiffrast, finding which triangle
covers a pixel is not differentiable; the barycentric weights are recomputed
differentiably from the vertices by `tfface.face3d.interpolate`.

It is the algorithm of `tfface.geometry.rasterizer` written with TensorFlow ops, so the
two agree pixel for pixel: every triangle enumerates the pixel centres in its bounding
box, keeps those with non-negative barycentric weights, and the z-buffer keeps the
largest depth key at every pixel (ties go to the lowest triangle index). Computed in
float64 whatever the input type. Runs inside tf.function and XLA-free graphs; the batch
is flattened into one fragment list.
"""

from __future__ import annotations

import tensorflow as tf

_EDGE_TOLERANCE = 1e-7  # as tfface.geometry.rasterizer


def rasterize(
    screen: tf.Tensor,
    triangles: tf.Tensor,
    height: int,
    width: int,
    cull_backfaces: bool = False,
) -> tf.Tensor:
    """Finds the front-most triangle at every pixel centre.

    Args:
        screen: float (B, V, 3) (x, y, depth key) in pixels, larger depth key is nearer.
        triangles: int (F, 3) vertex indices.
        height, width: output size in pixels.
        cull_backfaces: drop triangles that face away from the camera (clockwise on
            screen with y down, for meshes wound counter-clockwise seen from outside), as
            `tfface.geometry.rasterizer.rasterize` does; about halves the work on closed
            meshes without changing what is visible.

    Returns:
        int32 (B, H, W) triangle index, -1 where no triangle covers the pixel. No gradient.
    """
    screen = tf.cast(tf.stop_gradient(screen), tf.float64)
    triangles = tf.cast(triangles, tf.int32)
    batch = tf.shape(screen)[0]
    num_triangles = tf.shape(triangles)[0]
    corners = tf.gather(screen, triangles, axis=1)  # (B, F, 3, 3)
    corners = tf.reshape(corners, [-1, 3, 3])  # (B*F, 3 corners, xyz)
    x0, y0, z0 = corners[:, 0, 0], corners[:, 0, 1], corners[:, 0, 2]
    x1, y1, z1 = corners[:, 1, 0], corners[:, 1, 1], corners[:, 1, 2]
    x2, y2, z2 = corners[:, 2, 0], corners[:, 2, 1], corners[:, 2, 2]
    doubled_area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0)

    x_min = tf.maximum(tf.math.ceil(tf.reduce_min(corners[:, :, 0], axis=1)), 0.0)
    x_max = tf.minimum(tf.math.floor(tf.reduce_max(corners[:, :, 0], axis=1)), width - 1.0)
    y_min = tf.maximum(tf.math.ceil(tf.reduce_min(corners[:, :, 1], axis=1)), 0.0)
    y_max = tf.minimum(tf.math.floor(tf.reduce_max(corners[:, :, 1], axis=1)), height - 1.0)
    finite = tf.reduce_all(tf.math.is_finite(tf.reshape(corners, [-1, 9])), axis=1)
    keep = (x_max >= x_min) & (y_max >= y_min) & (tf.abs(doubled_area) > 1e-12) & finite
    if cull_backfaces:
        keep &= doubled_area < 0.0  # counter-clockwise on screen with y down
    kept = tf.cast(tf.where(keep)[:, 0], tf.int32)  # flat (b * F + f) indices

    x_min, y_min = tf.gather(x_min, kept), tf.gather(y_min, kept)
    box_width = tf.cast(tf.gather(x_max, kept) - x_min + 1.0, tf.int32)
    box_height = tf.cast(tf.gather(y_max, kept) - y_min + 1.0, tf.int32)
    counts = box_width * box_height
    fragment_owner = tf.repeat(tf.range(tf.size(kept)), counts)  # index into `kept`
    starts = tf.cumsum(counts, exclusive=True)
    offsets = tf.range(tf.size(fragment_owner)) - tf.gather(starts, fragment_owner)
    local_width = tf.gather(box_width, fragment_owner)
    pixel_x = tf.gather(x_min, fragment_owner) + tf.cast(offsets % local_width, tf.float64)
    pixel_y = tf.gather(y_min, fragment_owner) + tf.cast(offsets // local_width, tf.float64)

    flat = tf.gather(kept, fragment_owner)  # b * F + f of every fragment
    # one gather of the 9 corner values (and the doubled area) per fragment
    table = tf.stack([x0, y0, z0, x1, y1, z1, x2, y2, z2, doubled_area], axis=1)
    values = tf.gather(tf.gather(table, kept), fragment_owner)  # (N, 10)
    fx0, fy0, fz0, fx1, fy1, fz1, fx2, fy2, fz2, area = tf.unstack(values, axis=1)
    dx0, dy0 = pixel_x - fx0, pixel_y - fy0
    weight_1 = (dx0 * (fy2 - fy0) - (fx2 - fx0) * dy0) / area
    weight_2 = ((fx1 - fx0) * dy0 - dx0 * (fy1 - fy0)) / area
    weight_0 = 1.0 - weight_1 - weight_2
    inside = (
        (weight_0 >= -_EDGE_TOLERANCE)
        & (weight_1 >= -_EDGE_TOLERANCE)
        & (weight_2 >= -_EDGE_TOLERANCE)
    )
    weight_0, weight_1, weight_2 = (
        tf.clip_by_value(weight, 0.0, 1.0) for weight in (weight_0, weight_1, weight_2)
    )
    depth = weight_0 * fz0 + weight_1 * fz1 + weight_2 * fz2
    depth, flat = depth[inside], flat[inside]
    example = flat // num_triangles
    triangle = flat % num_triangles
    pixels_per_image = height * width
    pixel = (
        example * pixels_per_image
        + tf.cast(pixel_y[inside], tf.int32) * width
        + tf.cast(pixel_x[inside], tf.int32)
    )
    num_pixels = batch * pixels_per_image
    nearest = tf.math.unsorted_segment_max(depth, pixel, num_pixels)
    winner = depth >= tf.gather(nearest, pixel)
    sentinel = tf.int32.max
    triangle_map = tf.math.unsorted_segment_min(
        tf.where(winner, triangle, sentinel), pixel, num_pixels
    )
    triangle_map = tf.where(triangle_map == sentinel, -1, triangle_map)
    return tf.reshape(triangle_map, [batch, height, width])
