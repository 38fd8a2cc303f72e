"""The losses of uv_completion (Yin 2022 Eqs. 4.3-4.11). Each returns per-example (B,) values.

UV maps and images are float32 in [-1, 1], 0 where empty; masks float32 in {0, 1}.
"""

from __future__ import annotations

import tensorflow as tf

from tfface.losses import masked_l1_loss
from tfface.losses.adversarial import discriminator_adversarial_loss
from tfface.losses.regularization import total_variation_loss
from tfface.losses.segmentation import binary_cross_entropy_loss, dice_loss


def sampler_losses(
    uv_sampled: tf.Tensor,
    sampling_map: tf.Tensor,
    mask: tf.Tensor,
    batch: dict[str, tf.Tensor],
) -> dict[str, tf.Tensor]:
    """The terms of Eq. 4.3: {'sampled_uv_loss': ||UV_spl - UV_gt||_1 over ALL texels (A6),
    'sampling_map_loss': ||S_att - S_gt||_1 over the valid texels, 'segmentation_loss':
    Dice + BCE of m against m_gt (Eq. 4.4), 'sampler_tv_loss': TV(UV_spl) (Eq. 4.5, mean
    of squared differences, A13)}, each (B,)."""
    return {
        "sampled_uv_loss": masked_l1_loss(uv_sampled, batch["uv_gt"]),
        "sampling_map_loss": masked_l1_loss(sampling_map, batch["sampling_map"], batch["uv_valid"]),
        "segmentation_loss": dice_loss(batch["face_mask"], mask)
        + binary_cross_entropy_loss(batch["face_mask"], mask),
        "sampler_tv_loss": total_variation_loss(uv_sampled),
    }


def coefficient_loss(predicted: tf.Tensor, given: tf.Tensor, layout) -> tf.Tensor:
    """Sum over the layout's parts of the part's mean squared error, (B,) (our coefficient
    head; per-part means keep the 3 angles as heavy as the 80 identity values)."""
    predicted_parts = layout.split(predicted)
    given_parts = layout.split(tf.cast(given, tf.float32))
    return tf.add_n(
        [
            tf.reduce_mean(tf.square(predicted_parts[name] - given_parts[name]), axis=-1)
            for name in layout.sizes
        ]
    )


def symmetry_loss(uv_pred: tf.Tensor) -> tf.Tensor:
    """Eq. 4.9: ||UV_pred - FlipLR(UV_pred)||_1 (mean), (B,)."""
    return masked_l1_loss(uv_pred, tf.reverse(uv_pred, axis=[2]))


def flagged_discriminator_loss(
    real_logits: tf.Tensor, fake_logits: tf.Tensor, flags: tf.Tensor, mode: str
) -> tf.Tensor:
    """Eq. 4.7 for D on examples whose real crop exists (flag 1), 0 for the others, (B,).

    Real partial crops exist only for frontal / profile images; a per-example weight (not a
    regrouping of the batch) keeps N replicas' update equal to one device's.
    """
    return flags * discriminator_adversarial_loss(real_logits, fake_logits, mode=mode)


def weighted_total(terms: dict[str, tf.Tensor], weights: dict[str, float]) -> tf.Tensor:
    """sum_k weights[k] * terms[k], (B,) (the objectives of Eqs. 4.3 and 4.11)."""
    return tf.add_n([weight * terms[name] for name, weight in weights.items()])
