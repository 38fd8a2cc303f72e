"""Training of warp inpainting (Sevastopolskiy 2019, Eq. 3.13), mixed into `WarpInpaintingSystem`.

One step = three updates, each with its own tape and variable list:

1. generator (f_omega and p_eta, train.learning_rate), Eq. 3.13:
   alpha_L1 L_L1 + alpha_content L_content + alpha_style L_style + alpha_rigidity
   L_rigidity + alpha_adv L^G_adv + alpha_gap L^G_gap, with L_L1 the mean absolute error
   over 3 H W values, VGG16 content / style losses (`losses.DEFORMATION`: relu1_2, relu2_2,
   relu3_3, relu4_3), the rigidity of the K warp fields, the least-squares adversarial loss
   ||1 - d_psi(F)||^2 / (H_D W_D) and the gap loss (form `gap_generator_form`);
2. real/fake patch discriminator d_psi: least squares 1/2 [(d(y) - 1)^2 + d(F)^2] per patch
   (the thesis prints the fake image twice; the first term is the real one, Mao et al. 2017);
3. gap discriminator h_xi: cross entropy of predicting the known mask m from F (Eq. 3.12,
   class-balanced unless `gap_balanced` is false).

Every loss is per example (B,) and reduced by `GANSystem.reduce`, so MirroredStrategy makes
the update of one device. With gap_weight = 0 the gap terms and update are skipped.
"""

from __future__ import annotations

from collections.abc import Mapping

import tensorflow as tf

from tfface.losses import (
    discriminator_adversarial_loss,
    gap_discriminator_loss,
    gap_generator_loss,
    generator_adversarial_loss,
    masked_l1_loss,
    rigidity_loss,
)
from tfface.systems.inpainting_perceptual import PerceptualLosses

ADVERSARIAL_MODE = "least_squares"
"""LS-GAN on the sigmoid outputs of d_psi (Eq. 3.13 block, Mao et al. 2017)."""


class WarpInpaintingTraining(PerceptualLosses):
    """`train_step` and `held_out_losses` of the warp inpainting system (module docstring)."""

    def generator_losses(
        self, real: tf.Tensor, hole_mask: tf.Tensor, training: bool
    ) -> dict[str, tf.Tensor]:
        """Eq. 3.13 and its terms, each (B,), with the 'generated' image F(x, m).

        Args:
            real: float32 (B, S, S, 3) in [-1, 1], the complete image y.
            hole_mask: float32 (B, S, S, 1) in {0, 1}, 1 = hole.
            training: networks in training mode.
        """
        config = self.model_config
        fake = self.forward(real, hole_mask, training=training)  # F(x, m) and its parts
        generated = fake["image"]  # (B, S, S, 3)
        l1 = masked_l1_loss(generated, real)  # 1/(3 H W) ||F - y||_1
        content, style = self.perceptual(generated, real)
        rigidity = rigidity_loss(fake["flows"])  # mean over the K fields
        adversarial = generator_adversarial_loss(
            self.patch_discriminator(generated, training=training), mode=ADVERSARIAL_MODE
        )
        gap = tf.zeros_like(l1)
        if config.gap_weight > 0:
            gap = gap_generator_loss(
                1.0 - hole_mask,
                self.gap_discriminator(generated, training=training),
                form=config.gap_generator_form,
            )
        generator_loss = (
            config.l1_weight * l1
            + config.content_weight * content
            + config.style_weight * style
            + config.rigidity_weight * rigidity
            + config.adversarial_weight * adversarial
            + config.gap_weight * gap
        )  # (B,)
        return {
            "l1_loss": l1,
            "content_loss": content,
            "style_loss": style,
            "rigidity_loss": rigidity,
            "adversarial_loss": adversarial,
            "gap_loss": gap,
            "generator_loss": generator_loss,
            "generated": generated,
        }

    def discriminator_losses(
        self, real: tf.Tensor, generated: tf.Tensor, training: bool
    ) -> tf.Tensor:
        """d_psi's least-squares objective on real and generated images, (B,)."""
        adversarial_scale = (
            self.model_config.adversarial_weight
            if self.model_config.scale_discriminator_losses
            else 1.0
        )
        return adversarial_scale * discriminator_adversarial_loss(
            self.patch_discriminator(real, training=training),
            self.patch_discriminator(generated, training=training),
            mode=ADVERSARIAL_MODE,
        )

    def gap_discriminator_losses(
        self, hole_mask: tf.Tensor, generated: tf.Tensor, training: bool
    ) -> tf.Tensor:
        """h_xi's objective (Eq. 3.12) of predicting the known mask from `generated`, (B,);
        zeros when gap_weight is 0."""
        config = self.model_config
        if config.gap_weight <= 0:
            return tf.zeros(tf.shape(generated)[:1], tf.float32)
        gap_scale = config.gap_weight if config.scale_discriminator_losses else 1.0
        return gap_scale * gap_discriminator_loss(
            1.0 - hole_mask,
            self.gap_discriminator(generated, training=training),
            balanced=config.gap_balanced,
        )

    def train_step(self, batch: Mapping[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """One generator, one patch-discriminator and one gap-discriminator update.

        Args:
            batch: {'image': float32 (B, S, S, 3) in [-1, 1], the complete image y;
                'hole_mask': float32 (B, S, S, 1) in {0, 1}, 1 = hole}.
        """
        real = batch["image"]  # y, (B, S, S, 3) in [-1, 1]
        hole_mask = tf.cast(batch["hole_mask"], tf.float32)  # (B, S, S, 1)

        with tf.GradientTape() as tape:
            losses = self.generator_losses(real, hole_mask, training=True)
            total = self.reduce(losses["generator_loss"])
        self.update(tape, total, "generator")

        generated = tf.stop_gradient(losses.pop("generated"))
        with tf.GradientTape() as tape:
            discriminator_loss = self.discriminator_losses(real, generated, training=True)
            total = self.reduce(discriminator_loss)
        self.update(tape, total, "discriminator")

        gap_discriminator = tf.zeros_like(discriminator_loss)
        if self.model_config.gap_weight > 0:
            with tf.GradientTape() as tape:
                gap_discriminator = self.gap_discriminator_losses(
                    hole_mask, generated, training=True
                )
                total = self.reduce(gap_discriminator)
            self.update(tape, total, "gap_discriminator")

        self.record(
            **losses,
            discriminator_loss=discriminator_loss,
            gap_discriminator_loss=gap_discriminator,
        )
        return self.finish_step()

    def held_out_losses(self, batch: Mapping[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """Every logged loss on a held-out batch (networks in inference mode), {name: (B,)}.

        Args:
            batch: as for `train_step`.
        """
        real = batch["image"]
        hole_mask = tf.cast(batch["hole_mask"], tf.float32)
        losses = self.generator_losses(real, hole_mask, training=False)
        generated = losses.pop("generated")
        discriminator_loss = self.discriminator_losses(real, generated, training=False)
        gap_discriminator = tf.zeros_like(discriminator_loss)  # as train_step: off at gap_weight 0
        if self.model_config.gap_weight > 0:
            gap_discriminator = self.gap_discriminator_losses(hole_mask, generated, training=False)
        return {
            **losses,
            "discriminator_loss": discriminator_loss,
            "gap_discriminator_loss": gap_discriminator,
        }
