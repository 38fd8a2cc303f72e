"""Bilinear sampling (backward warping) kernels: value and analytic gradients.

Sevastopolskiy 2019, eqs. 3.1-3.3 (after Spatial Transformer Networks): the output at
position n is the bilinear interpolation of the image at absolute pixel coordinates
(x_n, y_n):

    out[n] = sum_t img[t] K(t, x_n, y_n)                                  (eq. 3.2)

with the four corners t of (x_n, y_n) and the kernel K of eq. 3.3. Gradients:

    dL/dimg[t] = sum_n K(t, x_n, y_n) g[n]       (a bilinear splat of the upstream g)
    dL/dx_n    = sum_t dK/dx(t, x_n, y_n) <img[t], g[n]>

so the backward pass is one scatter (the image gradient, a splat like forward warping)
and one gather of the corner values (the coordinate gradient).
"""

from __future__ import annotations

import tensorflow as tf

from tfface.ops.bilinear import (
    Corners,
    bilinear_corners,
    crop_table,
    pad_table,
    scatter_corners,
)
from tfface.ops.private_apis import in_xla_context


def _sample_corners(image: tf.Tensor, coordinates: tf.Tensor, padding: str) -> Corners:
    """Corners of coordinates (B, H', W', 2) in the image (B, H, W, C)."""
    image_shape = tf.shape(image)
    batch = tf.shape(coordinates)[0]
    x = tf.reshape(coordinates[..., 0], [batch, -1])  # (B, H' * W') columns
    y = tf.reshape(coordinates[..., 1], [batch, -1])  # (B, H' * W') rows
    return bilinear_corners(x, y, image_shape[1], image_shape[2], padding=padding)


def sample_forward(image: tf.Tensor, coordinates: tf.Tensor, padding: str) -> tf.Tensor:
    """Eq. 3.2. image (B, H, W, C), coordinates (B, H', W', 2) pixels -> (B, H', W', C)."""
    channels = tf.shape(image)[3]
    corners = _sample_corners(image, coordinates, padding)
    table = pad_table(image, padding)  # (B * (H + 2) * (W + 2), C)
    at_corners = tf.gather(table, corners.indices)  # (N', 4, C)
    sampled = tf.reduce_sum(corners.weights[..., tf.newaxis] * at_corners, axis=1)  # (N', C)
    return tf.reshape(sampled, tf.concat([tf.shape(coordinates)[:3], [channels]], 0))


def sample_backward(
    image: tf.Tensor, coordinates: tf.Tensor, upstream: tf.Tensor, padding: str
) -> tuple[tf.Tensor, tf.Tensor]:
    """Gradients wrt image (B, H, W, C) and coordinates (B, H', W', 2).

    Args:
        image: (B, H, W, C) sampled image.
        coordinates: (B, H', W', 2) absolute pixel coordinates, x first.
        upstream: (B, H', W', C) dL/dout.
        padding: "zeros" or "border".
    """
    image_shape = tf.shape(image)
    batch, height, width, channels = image_shape[0], image_shape[1], image_shape[2], image_shape[3]
    corners = _sample_corners(image, coordinates, padding)
    gradient = tf.reshape(upstream, [-1, channels])  # (N', C)
    padded_count = batch * (height + 2) * (width + 2)
    splatted = scatter_corners(corners, gradient, padded_count, per_corner=False)
    image_gradient = crop_table(splatted, image_shape)  # (B, H, W, C)
    # <img[t], g[n]> for the four corners t of every position n: (N', 4).
    if in_xla_context():
        # The forward pass gathers the same corner values; written as a gather_nd into
        # (B * (H + 2), W + 2, C) rows, this gather is not merged with that one, so XLA
        # fuses it into the reduction instead of writing (N', 4, C) values to memory.
        rows = tf.reshape(pad_table(image, padding), tf.stack([-1, width + 2, channels]))
        at_corners = tf.gather_nd(rows, tf.stack([corners.rows, corners.columns], axis=-1))
    else:
        at_corners = tf.gather(pad_table(image, padding), corners.indices)  # (N', 4, C)
    dot = tf.reduce_sum(at_corners * gradient[:, tf.newaxis], axis=-1)  # (N', 4)
    coordinate_gradient = tf.stack(
        [
            tf.reduce_sum(corners.weights_dx * dot, axis=1),
            tf.reduce_sum(corners.weights_dy * dot, axis=1),
        ],
        axis=-1,
    )  # (N', 2)
    return image_gradient, tf.reshape(coordinate_gradient, tf.shape(coordinates))
