"""Smoothness regularisers: total variation of images, rigidity of warp fields."""

from __future__ import annotations

from typing import Literal

import tensorflow as tf

from tfface.losses.input_checks import as_float32, check_choice, check_images, check_rank
from tfface.losses.per_example import mean_per_example, sum_per_example

TOTAL_VARIATION_FORMS: tuple[str, ...] = ("squared", "sqrt")
TOTAL_VARIATION_NORMALIZATIONS: tuple[str, ...] = ("mean", "sum")


def total_variation_loss(
    images: tf.Tensor,
    form: Literal["squared", "sqrt"] = "squared",
    normalization: Literal["mean", "sum"] = "mean",
    epsilon: float = 1e-8,
) -> tf.Tensor:
    """Total variation per example.

    ``squared`` (Yin 2022 Eq. 3.7, 4.5, 5.13): sum of squared differences between
    horizontal and vertical neighbours. ``sqrt`` (isotropic TV, Rudin et al. 1992;
    Mahendran and Vedaldi 2015 with beta = 1): sum over the (H-1) x (W-1) pixels with
    both neighbours of sqrt(dx^2 + dy^2 + epsilon).

    Args:
        images: (B, H, W, C), H, W >= 2.
        form: ``squared`` or ``sqrt``.
        normalization: ``mean`` divides the sum by H * W * C (Yin 2022 Eq. 5.13),
            ``sum`` keeps the sum (Eq. 3.7 / 4.5).
        epsilon: inside the square root of the ``sqrt`` form (finite gradient at 0).

    Returns:
        (B,) float32.
    """
    check_choice(form, TOTAL_VARIATION_FORMS, "total variation form")
    check_choice(normalization, TOTAL_VARIATION_NORMALIZATIONS, "total variation normalization")
    images = as_float32(images, "images")
    check_images(images, "images")
    height, width = images.shape[1], images.shape[2]
    if (height is not None and height < 2) or (width is not None and width < 2):
        raise ValueError(f"images must be at least 2 x 2 pixels, got shape {images.shape}")
    dy = images[:, 1:, :, :] - images[:, :-1, :, :]  # (B, H-1, W, C)
    dx = images[:, :, 1:, :] - images[:, :, :-1, :]  # (B, H, W-1, C)
    if form == "squared":
        total = sum_per_example(tf.square(dy)) + sum_per_example(tf.square(dx))
    else:
        magnitude = tf.sqrt(tf.square(dy[:, :, :-1, :]) + tf.square(dx[:, :-1, :, :]) + epsilon)
        total = sum_per_example(magnitude)
    if normalization == "sum":
        return total
    elements = tf.cast(tf.reduce_prod(tf.shape(images)[1:]), tf.float32)
    return total / elements


def rigidity_loss(flows: tf.Tensor, epsilon: float = 1e-12) -> tf.Tensor:
    """Warp-field rigidity ("springs between grid neighbours"); Sevastopolskiy 2019 Eq. 3.13.

    A pixel (p, q) (row, column) of an H x W image sits at (p/(H-1), q/(W-1)) in
    normalised [0, 1] grid units and moves to ((p + dy)/(H-1), (q + dx)/(W-1)).
    Springs join vertical neighbours (rest length 1/(H-1)) and horizontal
    neighbours (rest length 1/(W-1)); each contributes
    | sqrt(du^2 + dv^2 + epsilon) - rest length |. The thesis leaves the sum over
    (p, q) implicit; we average over the springs of each direction and add the two
    directions, then average over the K warp fields (its 1/K). Translations give 0
    (up to epsilon); rotations give 0 for square images (for H != W, rigid in pixels is
    not rigid in these normalised units, as in the thesis); stretching gives > 0.

    Args:
        flows: pixel offsets (dx, dy), x first (`tfface/ops/grids.py`): (B, H, W, 2) for one warp
            field or (B, K, H, W, 2) for K of them (Sevastopolskiy 2019 section 3.4); H, W >= 2.
        epsilon: inside the square root (thesis epsilon; finite gradient at length 0).

    Returns:
        (B,) float32.
    """
    flows = as_float32(flows, "flows")
    check_rank(flows, (4, 5), "flows ((B, H, W, 2) or (B, K, H, W, 2) pixel offsets)")
    if flows.shape[-1] is not None and flows.shape[-1] != 2:
        raise ValueError(f"flows must end in 2 channels (dx, dy), got shape {flows.shape}")
    if flows.shape.rank == 4:
        flows = flows[:, tf.newaxis]
    height, width = flows.shape[2], flows.shape[3]
    if (height is not None and height < 2) or (width is not None and width < 2):
        raise ValueError(f"flows must be at least 2 x 2 pixels, got shape {flows.shape}")
    row_unit = 1.0 / (tf.cast(tf.shape(flows)[2], tf.float32) - 1.0)  # 1/(H-1)
    column_unit = 1.0 / (tf.cast(tf.shape(flows)[3], tf.float32) - 1.0)  # 1/(W-1)
    dx, dy = flows[..., 0], flows[..., 1]  # (B, K, H, W) each

    def spring_terms(row_step: tf.Tensor, column_step: tf.Tensor, rest: tf.Tensor) -> tf.Tensor:
        length = tf.sqrt(tf.square(row_step) + tf.square(column_step) + epsilon)
        return tf.abs(length - rest)

    vertical = spring_terms(  # (p, q) -> (p + 1, q)
        row_unit * (1.0 + dy[:, :, 1:, :] - dy[:, :, :-1, :]),
        column_unit * (dx[:, :, 1:, :] - dx[:, :, :-1, :]),
        row_unit,
    )
    horizontal = spring_terms(  # (p, q) -> (p, q + 1)
        row_unit * (dy[:, :, :, 1:] - dy[:, :, :, :-1]),
        column_unit * (1.0 + dx[:, :, :, 1:] - dx[:, :, :, :-1]),
        column_unit,
    )
    per_field = tf.reduce_mean(vertical, axis=[2, 3]) + tf.reduce_mean(horizontal, axis=[2, 3])
    return mean_per_example(per_field)  # mean over K
