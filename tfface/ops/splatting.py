"""Bilinear splatting (forward warping) kernels: value and analytic gradients.

Sevastopolskiy 2019, "Learning image deformations via deep learning", section 3.1.1:
every source pixel (row p, column q) of the image x with flow (flow_x, flow_y) adds its
value x[p, q] with the bilinear weight K (eq. 3.3) to the four target pixels around its
target coordinates (u, v) = (q + flow_x, p + flow_y) (u along columns, v along rows):

    a[i, j] = sum_pq x[p, q] K(i, j, ...)        (eq. 3.5, aggregated values)
    w[i, j] = sum_pq K(i, j, ...)                (eq. 3.6, aggregated weights)
    y[i, j] = a[i, j] / (w[i, j] + eps)          (eq. 3.7)

Values and weights are scattered together ([x, 1]: C + 1 packed channels), never with
autodiff through the scatter. Gradients (appendix A, with its sign errors corrected;
derived again here by the quotient rule on eq. 3.7). For a source pixel n with
target coordinates (u_n, v_n) and a target pixel t = (row t_y, column t_x) among its
four corners (the derivative wrt v_n is the same with the roles of u and v swapped):

    dy[t] / dx[n]   = K_nt / (w[t] + eps)
    dy[t] / du_n    = dK_nt/du (x[n] - y[t]) / (w[t] + eps)
    dK_nt/du        = -sign(u_n - t_x) [|u_n - t_x| < 1] max(0, 1 - |v_n - t_y|)

(y[t] already includes the eps). With G = g / (w + eps) and S = sum_c G y for the
upstream gradient g, both gradients need only G and S at the four corners of every
source pixel, i.e. gathers of one (C + 1)-channel table:

    dL/dx[n] = sum_t K_nt G[t]                          (a bilinear gather of G)
    dL/du_n  = sum_t dK_nt/du (<x[n], G[t]> - S[t])

The mask [w > 0] is piecewise constant and has no gradient.
"""

from __future__ import annotations

import tensorflow as tf

from tfface.ops.bilinear import (
    bilinear_corners,
    crop_table,
    pad_table,
    scatter_corners,
)
from tfface.ops.private_apis import in_xla_context


def _source_corners(flow: tf.Tensor):
    """Corners of every source pixel's target position (q + u, p + v); flow (B, H, W, 2)."""
    shape = tf.shape(flow)
    batch, height, width = shape[0], shape[1], shape[2]
    dtype = flow.dtype
    columns = tf.range(width, dtype=dtype)[tf.newaxis, tf.newaxis, :]  # (1, 1, W)
    rows = tf.range(height, dtype=dtype)[tf.newaxis, :, tf.newaxis]  # (1, H, 1)
    x = tf.reshape(flow[..., 0] + columns, [batch, -1])  # (B, H * W) target columns
    y = tf.reshape(flow[..., 1] + rows, [batch, -1])  # (B, H * W) target rows
    return bilinear_corners(x, y, height, width, padding="zeros")


def splat_forward(image: tf.Tensor, flow: tf.Tensor, eps: float) -> tuple[tf.Tensor, tf.Tensor]:
    """Eqs. 3.5-3.7. image (B, H, W, C), flow (B, H, W, 2), same float dtype.

    Returns:
        warped: (B, H, W, C) normalised splat y = a / (w + eps).
        sums: (B, H, W, C + 1) the aggregated values a (eq. 3.5) and, last, the
            aggregated weights w >= 0 (eq. 3.6), for the mask and the backward pass.
    """
    shape = tf.shape(image)
    batch, height, width, channels = shape[0], shape[1], shape[2], shape[3]
    corners = _source_corners(flow)
    values = tf.reshape(image, [-1, channels])  # (N, C)
    packed = tf.concat([values, tf.ones_like(values[:, :1])], axis=-1)  # (N, C + 1): [x, 1]
    padded_count = batch * (height + 2) * (width + 2)
    sums = scatter_corners(corners, packed, padded_count, per_corner=in_xla_context())
    sums = crop_table(sums, shape)  # (B, H, W, C + 1), targets outside the image dropped
    warped = sums[..., :channels] / (sums[..., channels:] + eps)  # (B, H, W, C), eq. 3.7
    return warped, sums


def splat_backward(
    image: tf.Tensor, flow: tf.Tensor, sums: tf.Tensor, upstream: tf.Tensor, eps: float
) -> tuple[tf.Tensor, tf.Tensor]:
    """Appendix A (corrected): gradients of a loss wrt image and flow.

    Args:
        image: (B, H, W, C) source image.
        flow: (B, H, W, 2) pixel offsets.
        sums: (B, H, W, C + 1) aggregated values a and weights w from `splat_forward`.
        upstream: (B, H, W, C) dL/dy.
        eps: the eq. 3.7 constant.

    Returns:
        (B, H, W, C) dL/dimage and (B, H, W, 2) dL/dflow.
    """
    shape = tf.shape(image)
    channels = shape[3]
    corners = _source_corners(flow)
    scale = 1.0 / (sums[..., channels:] + eps)  # 1 / (w + eps), (B, H, W, 1)
    scaled = upstream * scale  # G, (B, H, W, C)
    # S = sum_c G y with y = a / (w + eps), from the sums rather than the forward output
    scaled_dot_warped = tf.reduce_sum(scaled * sums[..., :channels], -1, keepdims=True) * scale
    # [G, S] with zeros around: corners outside the image contribute nothing
    table = pad_table(tf.concat([scaled, scaled_dot_warped], axis=-1))  # (B(H+2)(W+2), C + 1)
    values = tf.reshape(image, [-1, channels])  # (N, C)
    extended = tf.concat([values, -tf.ones_like(values[:, :1])], axis=-1)  # (N, C + 1): [x, -1]
    if in_xla_context():
        # Two gathers, each feeding exactly one reduction: XLA fuses them there instead of
        # writing the (N, 4, C + 1) corner values to memory.
        scaled_at_corners = tf.gather(table[:, :channels], corners.indices)  # (N, 4, C)
        at_corners = tf.gather(table, corners.indices)  # (N, 4, C + 1)
    else:  # one gather, each op runs on its own anyway
        at_corners = tf.gather(table, corners.indices)  # (N, 4, C + 1)
        scaled_at_corners = at_corners[..., :channels]
    # sum_t K_nt G[t]: (N, C)
    image_gradient = tf.reduce_sum(corners.weights[..., tf.newaxis] * scaled_at_corners, axis=1)
    # <x[n], G[t]> - S[t] for the four targets t of every source pixel n: (N, 4)
    difference = tf.reduce_sum(at_corners * extended[:, tf.newaxis], axis=-1)
    flow_gradient = tf.stack(
        [
            tf.reduce_sum(corners.weights_dx * difference, axis=1),
            tf.reduce_sum(corners.weights_dy * difference, axis=1),
        ],
        axis=-1,
    )  # (N, 2)
    return tf.reshape(image_gradient, shape), tf.reshape(flow_gradient, tf.shape(flow))
