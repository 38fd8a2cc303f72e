"""Training of the gated-convolution baseline, mixed into `GatedInpaintingSystem`.

Yu et al., "Free-Form Image Inpainting with Gated Convolution", ICCV 2019, sec. 3.2-3.3 and
their released training code, plus the perceptual losses of Sevastopolskiy 2019 sec. 4.2.2:

1. generator: alpha_coarse |x_1 - y|_1 + alpha_refined |x_2 - y|_1 (means over 3 H W
   values) + alpha_content L_content(x_2, y) + alpha_style L_style(x_2, y) + alpha_adv
   L^G_adv, with L^G_adv = -mean D(x_hat, hole) (hinge form), x_hat the refined output
   pasted into the known pixels;
2. SN-PatchGAN discriminator on (image, hole mask): mean relu(1 - D(y)) + mean relu(1 +
   D(x_hat)) over every element of its output map (hinge form).

Losses are per example (B,), reduced by `GANSystem.reduce`.
"""

from __future__ import annotations

from collections.abc import Mapping

import tensorflow as tf

from tfface.losses import (
    discriminator_adversarial_loss,
    generator_adversarial_loss,
    masked_l1_loss,
)
from tfface.systems.inpainting_perceptual import PerceptualLosses


class GatedInpaintingTraining(PerceptualLosses):
    """`train_step` and `held_out_losses` of the gated inpainting baseline (module docstring)."""

    def discriminate(
        self, images: tf.Tensor, hole_mask: tf.Tensor, training: bool = True
    ) -> tf.Tensor:
        """SN-PatchGAN outputs of images (B, S, S, 3) with their hole masks (B, S, S, 1)."""
        return self.discriminator(tf.concat([images, hole_mask], axis=-1), training=training)

    def generator_losses(
        self, real: tf.Tensor, hole_mask: tf.Tensor, training: bool
    ) -> dict[str, tf.Tensor]:
        """The generator objective and its terms, each (B,), with the 'completed' image.

        Args:
            real: float32 (B, S, S, 3) in [-1, 1], the complete image y.
            hole_mask: float32 (B, S, S, 1) in {0, 1}, 1 = hole.
            training: networks in training mode (the spectral norms' power iteration too).
        """
        config = self.model_config
        outputs = self.forward(real, hole_mask, training=training)
        coarse_l1 = masked_l1_loss(outputs["coarse"], real)  # (B,)
        refined_l1 = masked_l1_loss(outputs["refined"], real)
        content, style = self.perceptual(outputs["refined"], real)
        adversarial = generator_adversarial_loss(
            self.discriminate(outputs["image"], hole_mask, training=training),
            mode=config.adversarial_form,
        )
        generator_loss = (
            config.coarse_l1_weight * coarse_l1
            + config.refined_l1_weight * refined_l1
            + config.content_weight * content
            + config.style_weight * style
            + config.adversarial_weight * adversarial
        )  # (B,)
        return {
            "coarse_l1_loss": coarse_l1,
            "refined_l1_loss": refined_l1,
            "content_loss": content,
            "style_loss": style,
            "adversarial_loss": adversarial,
            "generator_loss": generator_loss,
            "completed": outputs["image"],
        }

    def discriminator_losses(
        self, real: tf.Tensor, completed: tf.Tensor, hole_mask: tf.Tensor, training: bool
    ) -> tf.Tensor:
        """The SN-PatchGAN's objective on real and completed images, (B,)."""
        return discriminator_adversarial_loss(
            self.discriminate(real, hole_mask, training=training),
            self.discriminate(completed, hole_mask, training=training),
            mode=self.model_config.adversarial_form,
        )

    def train_step(self, batch: Mapping[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """One generator and one discriminator update.

        Args:
            batch: {'image': float32 (B, S, S, 3) in [-1, 1], the complete image y;
                'hole_mask': float32 (B, S, S, 1) in {0, 1}, 1 = hole}.
        """
        real = batch["image"]  # y
        hole_mask = tf.cast(batch["hole_mask"], tf.float32)

        with tf.GradientTape() as tape:
            losses = self.generator_losses(real, hole_mask, training=True)
            total = self.reduce(losses["generator_loss"])
        self.update(tape, total, "generator")

        completed = tf.stop_gradient(losses.pop("completed"))
        with tf.GradientTape() as tape:
            discriminator_loss = self.discriminator_losses(
                real, completed, hole_mask, training=True
            )
            total = self.reduce(discriminator_loss)
        self.update(tape, total, "discriminator")

        self.record(**losses, discriminator_loss=discriminator_loss)
        return self.finish_step()

    def held_out_losses(self, batch: Mapping[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """Every logged loss on a held-out batch (networks in inference mode), {name: (B,)}.

        Args:
            batch: as for `train_step`.
        """
        real = batch["image"]
        hole_mask = tf.cast(batch["hole_mask"], tf.float32)
        losses = self.generator_losses(real, hole_mask, training=False)
        completed = losses.pop("completed")
        return {
            **losses,
            "discriminator_loss": self.discriminator_losses(
                real, completed, hole_mask, training=False
            ),
        }
