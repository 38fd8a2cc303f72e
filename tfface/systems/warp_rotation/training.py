"""The losses of warp_rotation (Sevastopolskiy 2019 sec. 3.3), as functions of tensors.

One train step = one generator update and one update of each discriminator
(`WarpRotationSystem.UPDATES`):

1. generator (f_omega, g_phi), L_generator = L_warping + L_inpainter + alpha_adv L_adv
   + alpha_gap L_gap, with
   L_warping = alpha_pix1 * 1/(3|m|) ||m (y_fw - y_gt)||_1 + alpha_rigidity * L_rigidity,
   L_inpainter = alpha_pix2 * 1/(3HW) ||y_inp - y_gt||_1 + alpha_identity * 1/K ||v(y_inp) -
   v(y_gt)||_2, L_adv = -log d(y_inp) (Eq. 3.11), L_gap = -1/|1-m| ||(1-m) log h(y_inp)||_1;
2. real/fake discriminator d_psi: Eq. 3.10 on y_gt (real) and y_inp (fake);
3. gap discriminator h_xi (when enabled): Eq. 3.12, class-balanced cross entropy of m.

Every loss is per example (B,), reduced once by `GANSystem.reduce`. The discriminators use
instance norm (per example) and the regressor synchronised BatchNorm, so N replicas make
the update of one device with the same global batch.
"""

from __future__ import annotations

import tensorflow as tf

from tfface.losses import (
    discriminator_adversarial_loss,
    gap_generator_loss,
    generator_adversarial_loss,
    masked_l1_loss,
    rigidity_loss,
)
from tfface.losses.per_example import mean_per_example
from tfface.systems.warp_rotation.config import WarpRotationModelConfig


def adversarial_scores(logits: tf.Tensor, form: str) -> tuple[tf.Tensor, bool]:
    """d_psi's average-pooled patch logits (B, 1) as the adversarial losses take them:
    (scores, from_logits). "non_saturating" applies the sigmoid inside the log losses
    (Eq. 3.10 / 3.11), "least_squares" scores the sigmoid output."""
    if form == "least_squares":
        return tf.sigmoid(logits), False
    return logits, True


def generator_terms(
    config: WarpRotationModelConfig,
    forward: dict[str, tf.Tensor],
    target: tf.Tensor,
    identity: tf.Tensor,
    fake_logits: tf.Tensor,
    gap_logits: tf.Tensor | None,
) -> dict[str, tf.Tensor]:
    """L_generator and its terms, each (B,).

    Args:
        config: the loss weights and forms.
        forward: `WarpRotationSystem.rotate_graph`'s outputs ('flow', 'warped' y_fw,
            'known' m, 'inpainted' y_inp).
        target: y_gt, float32 (B, S, S, 3) in [-1, 1].
        identity: 1/K ||v(y_inp) - v(y_gt)||_2 (B,) (zeros without an identity network).
        fake_logits: d_psi(y_inp) (B, 1).
        gap_logits: h_xi(y_inp) (B, S, S, 1), or None without the gap discriminator.
    """
    known = forward["known"]  # m, (B, S, S, 1) in {0, 1}
    warp = masked_l1_loss(forward["warped"], target, known)  # L_pix1: 1/(3|m|) ||m (y_fw - y)||_1
    rigidity = rigidity_loss(forward["flow"])  # Eq. 3.13, normalised [0, 1] grid units
    inpainting = masked_l1_loss(forward["inpainted"], target)  # L_pix2: 1/(3HW) ||y_inp - y||_1
    scores, from_logits = adversarial_scores(fake_logits, config.adversarial_form)
    adversarial = generator_adversarial_loss(  # Eq. 3.11
        scores, mode=config.adversarial_form, from_logits=from_logits
    )
    if gap_logits is None:
        gap = tf.zeros_like(warp)
    else:
        gap = gap_generator_loss(  # sec. 3.3 L_gap ("holes" form by default)
            known, gap_logits, form=config.gap_generator_form, from_logits=True
        )
    generator_loss = (
        config.warp_weight * warp
        + config.rigidity_weight * rigidity
        + config.inpainting_weight * inpainting
        + config.identity_weight * identity
        + config.adversarial_weight * adversarial
        + config.gap_weight * gap
    )  # (B,)
    return {
        "warp_loss": warp,
        "rigidity_loss": rigidity,
        "inpainting_loss": inpainting,
        "identity_loss": identity,
        "adversarial_loss": adversarial,
        "gap_loss": gap,
        "generator_loss": generator_loss,
        "hole_fraction": 1.0 - mean_per_example(known),
    }


def discriminator_term(logits: tf.Tensor, form: str) -> tf.Tensor:
    """d_psi's objective (Eq. 3.10), (B,), from its logits (2B, 1) on [real; fake]."""
    scores, from_logits = adversarial_scores(logits, form)
    real_scores, fake_scores = tf.split(scores, 2, axis=0)
    return discriminator_adversarial_loss(
        real_scores, fake_scores, mode=form, from_logits=from_logits
    )
