"""Pixel reconstruction losses: masked L1 / L2 and the SSIM loss.

Masks mark the pixels where the ground truth is known ("learning with incomplete
ground truth", Sevastopolskiy 2019 section 3.2: the losses are evaluated on y * m_gt); the
loss is normalised by the mask area per example, so examples with small known
regions are not down-weighted. An example with an empty mask has loss 0.
"""

from __future__ import annotations

from typing import Literal

import tensorflow as tf

from tfface.losses.hard_example_mining import hard_example_mean
from tfface.losses.input_checks import (
    as_float32,
    check_choice,
    check_images,
    check_same_shape,
    spatial_mask,
)
from tfface.losses.per_example import sum_per_example
from tfface.losses.ssim import ssim_map

MASK_NORMALIZATIONS: tuple[str, ...] = ("mean", "area")


def _masked_difference_sum(
    predictions: tf.Tensor,
    targets: tf.Tensor,
    mask: tf.Tensor | None,
    normalization: str,
    power: int,
) -> tf.Tensor:
    check_choice(normalization, MASK_NORMALIZATIONS, "mask normalization")
    predictions = as_float32(predictions, "predictions")
    targets = as_float32(targets, "targets")
    check_images(predictions, "predictions")
    check_same_shape(predictions, targets, ("predictions", "targets"))
    difference = tf.abs(predictions - targets) if power == 1 else tf.square(predictions - targets)
    channels = tf.cast(tf.shape(predictions)[-1], tf.float32)
    if mask is None:
        mask = tf.ones_like(predictions[..., :1])
    else:
        mask = spatial_mask(mask, predictions, "mask")
    weights = tf.broadcast_to(mask, tf.shape(predictions))  # (B, H, W, C)
    total = sum_per_example(weights * difference)
    count = sum_per_example(weights)  # C * |m| for a one-channel mask
    if normalization == "area":
        count = count / channels
    return tf.math.divide_no_nan(total, count)


def masked_l1_loss(
    predictions: tf.Tensor,
    targets: tf.Tensor,
    mask: tf.Tensor | None = None,
    normalization: Literal["mean", "area"] = "mean",
) -> tf.Tensor:
    """Masked L1 per example.

    ``mean``: sum |m * (x - y)| / (C |m|), the mean over known values; Sevastopolskiy 2019
    section 3.3 L_pix1 = 1/(3|m|) ||m * (f(x) - y)||_1 and L_pix2 / Eq. 3.13 L_L1
    (1/(3HW), no mask), Yin 2022 Eq. 3.2. ``area``: divide by |m| only (Yin 2022
    Eq. 5.10, 1/sum(M)).

    Args:
        predictions: (B, H, W, C).
        targets: (B, H, W, C).
        mask: None (all pixels), (B, H, W), (B, H, W, 1) or (B, H, W, C) in [0, 1];
            1 = ground truth known.
        normalization: ``mean`` or ``area``.

    Returns:
        (B,) float32.
    """
    return _masked_difference_sum(predictions, targets, mask, normalization, power=1)


def masked_l2_loss(
    predictions: tf.Tensor,
    targets: tf.Tensor,
    mask: tf.Tensor | None = None,
    normalization: Literal["mean", "area"] = "mean",
) -> tf.Tensor:
    """Masked mean squared error per example: sum m (x - y)^2 / (C |m|) (``area``: / |m|).

    Thesis 000 Eq. 3.1 / 3.2 (1/2 ||.||_2^2, the 1/2 is the caller's weight) and
    Yin 2022 Eq. 5.6 (printed with the unsquared norm; we use the squared error).
    Arguments as ``masked_l1_loss``. Returns (B,) float32.
    """
    return _masked_difference_sum(predictions, targets, mask, normalization, power=2)


def ssim_loss(
    predictions: tf.Tensor,
    targets: tf.Tensor,
    mask: tf.Tensor | None = None,
    data_range: float = 2.0,
    hard_fraction: float = 1.0,
    window_size: int = 11,
    sigma: float = 1.5,
) -> tf.Tensor:
    """1 - SSIM per example; Yin 2022 Eq. 5.11.

    Without a mask: 1 - mean SSIM (``structural_similarity``). With a mask (Yin 2022
    Eq. 5.11): both images are multiplied by the mask, and 1 - local SSIM is
    averaged over the mask pixels of the valid window positions (the mask cropped
    by window_size // 2 on each side). ``hard_fraction`` < 1 applies online hard
    example mining to the per-position loss, as Yin does after Eq. 5.11.

    Args:
        predictions: (B, H, W, C) in [-1, 1], H, W >= window_size.
        targets: (B, H, W, C) in [-1, 1].
        mask: optional binary (B, H, W), (B, H, W, 1) or (B, H, W, C), 1 = compared pixel.
        data_range: value range width (2 for [-1, 1]).
        hard_fraction: fraction in (0, 1] of positions kept per example.
        window_size: Gaussian window side.
        sigma: Gaussian standard deviation.

    Returns:
        (B,) float32 in [0, 2].
    """
    predictions = as_float32(predictions, "predictions")
    targets = as_float32(targets, "targets")
    check_images(predictions, "predictions")
    weights = None
    if mask is not None:
        mask = spatial_mask(mask, predictions, "mask")
        predictions, targets = predictions * mask, targets * mask
        border = window_size // 2
        weights = mask[:, border:-border, border:-border, :] if border else mask
    local = ssim_map(predictions, targets, data_range, window_size, sigma)  # (B, h, w, C)
    per_position = 1.0 - local
    if weights is not None:
        weights = tf.broadcast_to(weights, tf.shape(per_position))
    return hard_example_mean(per_position, hard_fraction, mask=weights)
