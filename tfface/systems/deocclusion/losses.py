"""The losses and measures of N_S and N_G (Yin 2022 Eqs. 5.3-5.4 and 5.10-5.15).

Per-example values (B,); images float32 (B, S, S, 3) in [-1, 1], masks (B, S, S, 1) in
{0, 1}. The terms themselves are the library's (`tfface.losses`); this module fixes which
masks and images each equation compares.
"""

from __future__ import annotations

import tensorflow as tf

from tfface.losses import masked_l1_loss
from tfface.losses.reconstruction import ssim_loss
from tfface.losses.segmentation import binary_cross_entropy_loss, dice_loss


def segmentation_loss(
    visible: tf.Tensor,
    logits: tf.Tensor,
    dice_weight: float,
    bce_weight: float,
    hard_fraction: float,
) -> tuple[tf.Tensor, tf.Tensor]:
    """(L_dice Eq. 5.3, L_bce Eq. 5.4 with OHEM over the hardest `hard_fraction` pixels),
    each (B,), already weighted.

    Args:
        visible: M_gt (B, S, S, 1); logits: N_S's face logits (B, S, S, 1).
    """
    probabilities = tf.sigmoid(logits)
    dice = dice_loss(visible[..., 0], probabilities[..., 0])
    bce = binary_cross_entropy_loss(visible, logits, from_logits=True, hard_fraction=hard_fraction)
    return dice_weight * dice, bce_weight * bce


def precision_and_iou(
    visible: tf.Tensor, probabilities: tf.Tensor, threshold: float
) -> tuple[tf.Tensor, tf.Tensor]:
    """Precision of the predicted face pixels and IoU of the face class at `threshold`, (B,)
    each (1 where prediction and truth are both empty; methods B8)."""
    predicted = tf.cast(probabilities > threshold, tf.float32)
    true_positive = tf.reduce_sum(predicted * visible, axis=[1, 2, 3])
    predicted_count = tf.reduce_sum(predicted, axis=[1, 2, 3])
    union = tf.reduce_sum(tf.maximum(predicted, visible), axis=[1, 2, 3])
    precision = tf.where(predicted_count > 0, true_positive / tf.maximum(predicted_count, 1.0), 1.0)
    iou = tf.where(union > 0, true_positive / tf.maximum(union, 1.0), 1.0)
    return precision, iou


def pixel_loss(output: tf.Tensor, clean: tf.Tensor, supervised: tf.Tensor) -> tf.Tensor:
    """Eq. 5.10: ||I^ (.) M - I_f (.) M||_1 / sum M, M = M_m (.) M_f of the clean face
    (the mean over the channels of the supervised pixels)."""
    return masked_l1_loss(output, clean, supervised)


def structural_loss(
    output: tf.Tensor, pseudo: tf.Tensor, eroded_render: tf.Tensor, hard_fraction: float
) -> tf.Tensor:
    """Eq. 5.11: 1 - SSIM map of I^ and I_p over the eroded render mask, OHEM over the
    hardest `hard_fraction` positions (same gradient as -SSIM, methods B15)."""
    return ssim_loss(output, pseudo, eroded_render, hard_fraction=hard_fraction)


def background_loss(output: tf.Tensor, image: tf.Tensor, background: tf.Tensor) -> tf.Tensor:
    """Eq. 5.12: mean L1 of I^ against the network's input I over M_bg = eroded 1 - M_m."""
    return masked_l1_loss(output, image, background)
