"""Training of warp_rotation (Sevastopolskiy 2019 sec. 3.3), mixed into `WarpRotationSystem`.

One step = one generator update and one update of each discriminator:

1. generator (f_omega, g_phi), L_generator = L_warping + L_inpainter + alpha_adv L_adv
   + alpha_gap L_gap, with
   L_warping = alpha_pix1 * 1/(3|m|) ||m (y_fw - y_gt)||_1 + alpha_rigidity * L_rigidity,
   L_inpainter = alpha_pix2 * 1/(3HW) ||y_inp - y_gt||_1 + alpha_identity * 1/K ||v(y_inp) -
   v(y_gt)||_2, L_adv = -log d(y_inp) (Eq. 3.11), L_gap = -1/|1-m| ||(1-m) log h(y_inp)||_1;
2. real/fake discriminator d_psi: Eq. 3.10 on y_gt (real) and y_inp (fake);
3. gap discriminator h_xi (when enabled): Eq. 3.12, class-balanced cross entropy of m.

Every loss is per example (B,) and reduced once by `GANSystem.reduce`. The discriminators
use instance norm (per example) and the regressor synchronised BatchNorm, so N replicas
make the update of one device with the same global batch.
"""

from __future__ import annotations

from collections.abc import Mapping

import tensorflow as tf

from tfface.losses import (
    discriminator_adversarial_loss,
    gap_discriminator_loss,
    gap_generator_loss,
    generator_adversarial_loss,
    identity_l2_distance,
    masked_l1_loss,
    rigidity_loss,
)
from tfface.losses.per_example import mean_per_example


class WarpRotationTraining:
    """`train_step` of `WarpRotationSystem` (needs its networks, `rotate_graph`, config)."""

    def discriminator_outputs(
        self, images: tf.Tensor, training: bool = True
    ) -> tuple[tf.Tensor, bool]:
        """d_psi(images) for the adversarial losses: (outputs (B, 1), from_logits).

        d_psi returns the average-pooled patch logit; "non_saturating" applies the sigmoid
        inside the log losses (Eq. 3.10 / 3.11), "least_squares" scores the sigmoid output.
        """
        logits = self.discriminator(images, training=training)  # (B, 1)
        if self.model_config.adversarial_form == "least_squares":
            return tf.sigmoid(logits), False
        return logits, True

    @property
    def adversarial_mode(self) -> str:
        return self.model_config.adversarial_form

    def generator_losses(
        self, batch: Mapping[str, tf.Tensor], training: bool
    ) -> dict[str, tf.Tensor]:
        """L_generator and its terms, each (B,), with the forward pass's 'inpainted' image and
        'known' mask.

        Args:
            batch: 'image' x, 'target_image' y_gt: float32 (B, S, S, 3) in [-1, 1];
                'target_yaw': float32 (B,) degrees (absent: 0, frontal).
            training: networks in training mode.
        """
        config = self.model_config
        image = batch["image"]  # x, (B, S, S, 3) in [-1, 1]
        target = batch["target_image"]  # y_gt, (B, S, S, 3) in [-1, 1]
        result = self.rotate_graph(image, batch.get("target_yaw"), training=training)
        warped, known, inpainted = result["warped"], result["known"], result["inpainted"]
        warp = masked_l1_loss(warped, target, known)  # L_pix1: 1/(3|m|) ||m (y_fw - y)||_1
        rigidity = rigidity_loss(result["flow"])  # Eq. 3.13, normalised [0, 1] grid units
        inpainting = masked_l1_loss(inpainted, target)  # L_pix2: 1/(3HW) ||y_inp - y||_1
        if self.identity_network is not None:
            identity = identity_l2_distance(  # 1/K ||v(y_inp) - v(y_gt)||_2
                self.identity_network(inpainted), self.identity_network(target)
            )
        else:
            identity = tf.zeros_like(warp)
        outputs, from_logits = self.discriminator_outputs(inpainted, training=training)
        adversarial = generator_adversarial_loss(  # Eq. 3.11
            outputs, mode=self.adversarial_mode, from_logits=from_logits
        )
        if config.gap_discriminator:
            gap = gap_generator_loss(  # sec. 3.3 L_gap ("holes" form by default)
                known,
                self.gap_discriminator(inpainted, training=training),
                form=config.gap_generator_form,
                from_logits=True,
            )
        else:
            gap = tf.zeros_like(warp)
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
            "inpainted": inpainted,
            "known": known,
        }

    def discriminator_losses(self, target: tf.Tensor, fake: tf.Tensor, training: bool) -> tf.Tensor:
        """d_psi's objective (Eq. 3.10) on real `target` and `fake` images, (B,)."""
        # Real and fake in one batch: d_psi normalises per example, so this is two calls.
        outputs, from_logits = self.discriminator_outputs(
            tf.concat([target, fake], axis=0), training=training
        )
        real_outputs, fake_outputs = tf.split(outputs, 2, axis=0)
        return discriminator_adversarial_loss(  # Eq. 3.10
            real_outputs, fake_outputs, mode=self.adversarial_mode, from_logits=from_logits
        )

    def gap_discriminator_losses(
        self, known: tf.Tensor, fake: tf.Tensor, training: bool
    ) -> tf.Tensor:
        """h_xi's objective (Eq. 3.12, class-balanced) of predicting `known` from `fake`, (B,);
        zeros without the gap discriminator."""
        if not self.model_config.gap_discriminator:
            return tf.zeros(tf.shape(fake)[:1], tf.float32)
        return gap_discriminator_loss(
            known, self.gap_discriminator(fake, training=training), from_logits=True
        )

    def train_step(self, batch: Mapping[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """One generator, discriminator and gap-discriminator update.

        Args:
            batch: see `generator_losses`.
        """
        with tf.GradientTape() as tape:
            losses = self.generator_losses(batch, training=True)
            total = self.reduce(losses["generator_loss"])
        self.update(tape, total, "generator")

        fake = tf.stop_gradient(losses.pop("inpainted"))
        known = losses.pop("known")
        with tf.GradientTape() as tape:
            discriminator_loss = self.discriminator_losses(
                batch["target_image"], fake, training=True
            )
            total = self.reduce(discriminator_loss)
        self.update(tape, total, "discriminator")

        if self.model_config.gap_discriminator:
            with tf.GradientTape() as tape:
                gap_discriminator = self.gap_discriminator_losses(known, fake, training=True)
                total = self.reduce(gap_discriminator)
            self.update(tape, total, "gap_discriminator")
        else:
            gap_discriminator = tf.zeros_like(discriminator_loss)

        self.record(
            **losses,
            discriminator_loss=discriminator_loss,
            gap_discriminator_loss=gap_discriminator,
        )
        return self.finish_step()

    def held_out_losses(self, batch: Mapping[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """Every logged loss on a held-out batch (networks in inference mode), {name: (B,)}.

        Args:
            batch: see `generator_losses`.
        """
        losses = self.generator_losses(batch, training=False)
        fake, known = losses.pop("inpainted"), losses.pop("known")
        return {
            **losses,
            "discriminator_loss": self.discriminator_losses(
                batch["target_image"], fake, training=False
            ),
            "gap_discriminator_loss": self.gap_discriminator_losses(known, fake, training=False),
        }
