"""Batched Poisson image editing in TensorFlow: conjugate gradients on the 4-neighbour system.

The same discrete system as `tfface.face3d.poisson` (Yin 2022, Eq. 4.6, section 4.3.2.1),
solved matrix-free for a batch of images and channels at once: the operator
A x = |N_p| x_p - sum_{q in N_p} x_q restricted to Omega is applied with four shifts, and
conjugate gradients run until every system's residual is below the tolerance or the
iteration limit is reached. Runs inside tf.function; differentiable by unrolled autodiff
(gradients with respect to source and target, through the iterations).
"""

from __future__ import annotations

import tensorflow as tf


def _neighbour_sum(values: tf.Tensor) -> tf.Tensor:
    """(B, H, W, C) -> sum of the 4 in-image neighbours of every pixel (zeros outside)."""
    padded = tf.pad(values, [[0, 0], [1, 1], [1, 1], [0, 0]])
    return padded[:, :-2, 1:-1] + padded[:, 2:, 1:-1] + padded[:, 1:-1, :-2] + padded[:, 1:-1, 2:]


def poisson_blend_tf(
    source: tf.Tensor,
    target: tf.Tensor,
    region: tf.Tensor,
    max_iterations: int = 2000,
    tolerance: float = 1e-6,
) -> tf.Tensor:
    """Seamlessly clones `source` into `target` over `region` (Eq. 4.6), batched.

    Args:
        source: float (B, H, W, C), the image whose gradients are kept (g).
        target: float (B, H, W, C), the image supplying boundary values (f*).
        region: (B, H, W) or (B, H, W, 1), nonzero / True on Omega.
        max_iterations: conjugate-gradient iteration limit.
        tolerance: stop when every system's residual norm is below tolerance times the
            norm of its right-hand side.

    Returns:
        (B, H, W, C) in the source dtype: f inside Omega, the target elsewhere.
    """
    source = tf.convert_to_tensor(source)
    target = tf.cast(target, source.dtype)
    region = tf.convert_to_tensor(region)
    if region.shape.rank == 3:
        region = region[..., None]
    inside = tf.cast(tf.cast(region, tf.bool), source.dtype)  # (B, H, W, 1)
    ones = tf.ones_like(inside)
    neighbours = _neighbour_sum(ones)  # |N_p|
    outside = 1.0 - inside

    def operator(values: tf.Tensor) -> tf.Tensor:
        return inside * (neighbours * values - _neighbour_sum(values * inside))

    guidance = neighbours * source - _neighbour_sum(source)  # sum_q (g_p - g_q)
    right_side = inside * (_neighbour_sum(target * outside) + guidance)

    def dot(a: tf.Tensor, b: tf.Tensor) -> tf.Tensor:
        return tf.reduce_sum(a * b, axis=[1, 2], keepdims=True)  # (B, 1, 1, C)

    solution = target * inside
    residual = right_side - operator(solution)
    direction = residual
    residual_norm = dot(residual, residual)
    threshold = tolerance**2 * tf.maximum(dot(right_side, right_side), 1e-30)

    def keep_going(iteration, solution, residual, direction, residual_norm):
        return (iteration < max_iterations) & tf.reduce_any(residual_norm > threshold)

    def step(iteration, solution, residual, direction, residual_norm):
        applied = operator(direction)
        curvature = dot(direction, applied)
        alpha = tf.math.divide_no_nan(residual_norm, curvature)
        solution = solution + alpha * direction
        residual = residual - alpha * applied
        new_norm = dot(residual, residual)
        beta = tf.math.divide_no_nan(new_norm, residual_norm)
        return iteration + 1, solution, residual, residual + beta * direction, new_norm

    _, solution, _, _, _ = tf.while_loop(
        keep_going, step, [tf.constant(0), solution, residual, direction, residual_norm]
    )
    return inside * solution + outside * target
