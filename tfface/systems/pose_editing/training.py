"""The losses of pose editing (Yin 2022 sec. 3.3.2-3.3.3, Eqs. 3.1-3.14) as functions of tensors.

Training (`PoseEditingSystem.stages`): the first `model.pretrain_steps` steps pre-train the
inpainter on the occlusion task alone (the thesis: CelebA, 20k iterations) with its
discriminator; then every step updates PAS on L_sampler (Eq. 3.8), the inpainter on L_gen
(Eq. 3.13) with the PAS outputs behind a stop-gradient, the projection discriminator on
hinge L_dis (Eq. 3.14), and our landmark estimator. Every term is per example (B,),
reduced once by `GANSystem.reduce`.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from tfface.losses import (
    dice_loss,
    discriminator_adversarial_loss,
    generator_adversarial_loss,
    masked_l1_loss,
    total_variation_loss,
)
from tfface.losses.perceptual_presets import POSE_EDITING, perceptual_losses
from tfface.systems.pose_editing.config import PoseEditingModelConfig
from tfface.systems.updates import Update

PRETRAIN_UPDATE, SAMPLER_UPDATE, INPAINTER_UPDATE, DISCRIMINATOR_UPDATE, LANDMARK_UPDATE = (
    Update(optimizer, f"{objective}_objective", loss)
    for optimizer, objective, loss in (
        ("inpainter", "pretrain", "pretrain_loss"),  # stage 1: the occlusion task alone
        ("sampler", "sampler", "sampler_loss"),  # PAS on L_sampler (Eq. 3.8)
        ("inpainter", "generator", "generator_loss"),  # the U-Net on L_gen (Eq. 3.13)
        ("discriminator", "discriminator", "discriminator_loss"),  # hinge L_dis (Eq. 3.14)
        ("landmarks", "landmark", "landmark_loss"),  # our landmark estimator and template
    )
)
Stage = tuple[int, tuple[Update, ...]]
"""(first step, updates) of one training stage (`GANSystem.stages`)."""


def perceptual_term(
    extractor: keras.Model | None, generated: tf.Tensor, target: tf.Tensor, weight: float
) -> tf.Tensor:
    """L_per (Eqs. 3.4-3.5): sum over VGG16 relu1_2..relu5_3 of mean |phi(x) - phi(y)|, (B,).

    Zeros when `weight` is 0 (no VGG16 pass).

    Raises:
        ValueError: weight > 0 but no extractor (compile with compile_for_training).
    """
    if weight == 0:
        return tf.zeros(tf.shape(generated)[:1], tf.float32)
    if extractor is None:
        raise ValueError(
            "model.perceptual_weight > 0 needs the VGG16 extractor: compile the system with "
            "compile_for_training (or call its prepare_training)"
        )
    return perceptual_losses(extractor, generated, target, POSE_EDITING)[0]


def squared_tv(images: tf.Tensor) -> tf.Tensor:
    """TV of Eq. 3.6 as squared neighbour differences averaged over elements (Eq. 5.13), (B,)."""
    return total_variation_loss(images, form="squared", normalization="mean")


def sampler_terms(
    config: PoseEditingModelConfig,
    sampled: tf.Tensor,
    target: tf.Tensor,
    reconstruction: tf.Tensor,
    source: tf.Tensor,
    sampled_segmentation: tf.Tensor,
    target_segmentation: tf.Tensor,
    perceptual: tf.Tensor,
) -> dict[str, tf.Tensor]:
    """L_sampler = L_pix + L_seg + L_per + L_tv (Eq. 3.8) and its terms, each (B,).

    Args:
        sampled: J^_fake = PAS(I_tf, ldmk_J) applied to I_tf, (B, S, S, 3) in [-1, 1].
        target: J, (B, S, S, 3).
        reconstruction: I^_recon = PAS(I, ldmk_I) applied to I.
        source: I.
        sampled_segmentation: J_seg_fake (B, S, S, K), the same map applied to I_seg_tf.
        target_segmentation: J_seg one-hot (B, S, S, K).
        perceptual: L_per(J^_fake, J) (B,).
    """
    pixel = masked_l1_loss(sampled, target) + config.reconstruction_weight * masked_l1_loss(
        reconstruction, source
    )  # Eq. 3.1
    first = 0 if config.segmentation_background else 1
    segmentation = dice_loss(
        target_segmentation[..., first:], sampled_segmentation[..., first:]
    )  # Eq. 3.3, classes summed
    tv = squared_tv(sampled) + squared_tv(reconstruction)  # Eq. 3.6
    total = (
        pixel
        + config.segmentation_weight * segmentation
        + config.perceptual_weight * perceptual
        + config.tv_weight * tv
    )
    return {
        "sampler_pixel_loss": pixel,
        "segmentation_loss": segmentation,
        "sampler_perceptual_loss": perceptual,
        "sampler_tv_loss": tv,
        "sampler_loss": total,
    }


def task_mean(values: tf.Tensor, tasks: int) -> tf.Tensor:
    """(tasks B, ...) per-task values stacked on the batch axis -> the mean over tasks (B, ...)."""
    shape = tf.shape(values)
    per_task = tf.reshape(values, tf.concat([[tasks, shape[0] // tasks], shape[1:]], 0))
    return tf.reduce_mean(per_task, axis=0)


def generator_terms(
    config: PoseEditingModelConfig,
    fakes: tf.Tensor,
    reals: tf.Tensor,
    task_weights: tuple[float, ...],
    perceptual: tf.Tensor,
    identity: tf.Tensor,
    fake_scores: tf.Tensor,
) -> dict[str, tf.Tensor]:
    """L_gen = L_pix + L_per + L_id + L_tv + L_adv (Eq. 3.13) and its terms, each (B,).

    Args:
        fakes, reals: (T B, S, S, 3) the inpainter's outputs of T tasks (J_fake, I_recon,
            S_recon, in that order; any prefix) and their reals (J, I, S).
        task_weights: the L1 weight of each task (Eq. 3.9: 1, lambda, 1).
        perceptual: L_per of Eq. 3.10 (B,).
        identity: L_id of Eq. 3.11 (B,) (zeros without an identity network).
        fake_scores: D(fake | landmarks) (T B, 1).
    """
    tasks = len(task_weights)
    per_task_l1 = tf.reshape(masked_l1_loss(fakes, reals), [tasks, -1])  # (T, B)
    pixel = tf.reduce_sum(tf.constant(task_weights)[:, tf.newaxis] * per_task_l1, axis=0)
    tv = tf.reduce_sum(tf.reshape(squared_tv(fakes), [tasks, -1]), axis=0)
    adversarial = task_mean(generator_adversarial_loss(fake_scores, mode="hinge"), tasks)
    total = (
        pixel
        + config.perceptual_weight * perceptual
        + config.identity_weight * identity
        + config.tv_weight * tv
        + config.adversarial_weight * adversarial
    )
    return {
        "pixel_loss": pixel,
        "perceptual_loss": perceptual,
        "identity_loss": identity,
        "tv_loss": tv,
        "adversarial_loss": adversarial,
        "generator_loss": total,
    }


def discriminator_term(real_scores: tf.Tensor, fake_scores: tf.Tensor, tasks: int) -> tf.Tensor:
    """Hinge L_dis (Eq. 3.14) averaged over the T tasks, (B,), from scores (T B, 1)."""
    per_example = discriminator_adversarial_loss(real_scores, fake_scores, mode="hinge")
    return task_mean(per_example, tasks)
