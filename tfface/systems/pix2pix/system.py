"""`pix2pix`: paired image-to-image translation (Isola et al. CVPR 2017; Liu 2019 l.388-424).

A U-Net G(x) maps the source x (a face photo) to the target domain (a painted portrait); a
70 x 70 PatchGAN D(y, x) judges a target-domain image y given its source x. The objective
(Isola et al. Eq. 4, Liu 2019 l.410-416):

    G* = arg min_G max_D L_cGAN(G, D) + lambda L_L1(G),  L_L1 = E |y - G(x)|_1,  lambda = 100

One train step: a D step on the real pair (x, y) against (x, G(x)) (G not differentiated,
the objective halved, l.412), then a G step on a fresh G(x) (dropout is G's only noise).

    system = tfface.systems.registry.build("pix2pix", get_preset("pix2pix", "tiny"))
    paintings = system(photos)  # float32 (B, S, S, 3) in [-1, 1] -> (B, S, S, 3) in [-1, 1]
"""

from __future__ import annotations

from collections.abc import Mapping

import keras
import tensorflow as tf

from tfface.config.model_config import AdamConfig
from tfface.losses import discriminator_adversarial_loss, generator_adversarial_loss, masked_l1_loss
from tfface.networks import build_conditional_patch_discriminator, build_unet_generator
from tfface.systems.base import GANSystem
from tfface.systems.gan_updates import DISCRIMINATOR_UPDATE, GENERATOR_UPDATE
from tfface.systems.pix2pix.config import Pix2PixConfig, Pix2PixModelConfig, paper, tiny
from tfface.systems.pix2pix.export import pix2pix_signatures
from tfface.systems.translation_data import paired_translation_batches
from tfface.systems.translation_settings import decaying_adam


class Pix2PixSystem(GANSystem):
    """Paired translation source -> target (module docstring).

    `call(images)`: float32 (B, S, S, 3) sources in [-1, 1] (the export turns uint8 into
    these) -> translated float32 (B, S, S, 3) in [-1, 1] (no dropout unless training).
    """

    NAME = "pix2pix"
    SUMMARY = (
        "paired image-to-image translation (photo <-> painting): U-Net G, 70x70 PatchGAN, "
        "L1 + cGAN (Isola et al. 2017; Liu 2019)"
    )
    CONFIG = Pix2PixConfig
    PRESETS = {"paper": paper, "tiny": tiny}
    NETWORKS = ("generator", "discriminator")
    INFERENCE_NETWORKS = NETWORKS[:1]  # G alone is averaged and exported
    OPTIMIZER_GROUPS = {network: (network,) for network in NETWORKS}
    LOSS_NAMES = ("discriminator_loss", "l1_loss", "adversarial_loss", "generator_loss")
    UPDATES = (DISCRIMINATOR_UPDATE, GENERATOR_UPDATE)  # Isola et al.: D, then G
    DATA = staticmethod(paired_translation_batches)
    EXPORTS = staticmethod(pix2pix_signatures)
    SYNTHFACES = ("--yaws", "-30", "0", "30", "--pair-domains", "rgb", "painting")

    @classmethod
    def build_networks(
        cls, model_config: Pix2PixModelConfig, seed: int = 0
    ) -> dict[str, keras.Model]:
        """G: U-Net (B, S, S, 3) -> (B, S, S, 3); D: PatchGAN on [y, x] -> [features...,
        logits (B, S/8, S/8, 1)] (with 3 layers)."""
        keras.utils.set_random_seed(seed)
        size = model_config.image_size
        generator = build_unet_generator(
            size,
            model_config.generator_downsamplings,
            base_filters=model_config.generator_filters,
            max_filters=model_config.generator_max_filters,
            dropout_layers=model_config.dropout_layers,
            dropout_rate=model_config.dropout_rate,
            norm=model_config.norm,
        )
        discriminator = build_conditional_patch_discriminator(
            size,
            condition_channels=3,
            base_filters=model_config.discriminator_filters,
            layers=model_config.discriminator_layers,
            norm=model_config.norm,
        )
        return {"generator": generator, "discriminator": discriminator}

    @classmethod
    def optimizer_configs(cls, config: Pix2PixConfig) -> dict[str, AdamConfig]:
        """Adam (model.learning_rate, 0.5, 0.999) for G and D, constant, then linearly to 0
        over the last model.decay_fraction of the steps (`decaying_adam`)."""
        adam = decaying_adam(config)
        return {"generator": adam, "discriminator": adam}

    def call(self, inputs: tf.Tensor, training: bool = False) -> tf.Tensor:
        """G(x) (class docstring)."""
        return self.generator(tf.cast(inputs, tf.float32), training=training)

    def patch_logits(self, target: tf.Tensor, source: tf.Tensor, training: bool) -> tf.Tensor:
        """D(y, x): logits (B, h, w, 1), one per 70 x 70 patch."""
        return self.discriminator([target, source], training=training)[-1]

    def discriminator_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """factor * L_D(D(x, y), D(x, G(x))) per example (B,), G not differentiated.

        Args:
            batch: {'source' x, 'target' y: float32 (B, S, S, 3) in [-1, 1]}.
        """
        source, target = batch["source"], batch["target"]
        fake = tf.stop_gradient(self.generator(source, training=training))  # (B, S, S, 3)
        count = tf.shape(source)[0]
        logits = self.patch_logits(
            tf.concat([target, fake], 0), tf.concat([source, source], 0), training
        )  # one D call on real and fake pairs: (2B, h, w, 1)
        loss = discriminator_adversarial_loss(
            logits[:count], logits[count:], mode=self.model_config.adversarial_form
        )
        return {"discriminator_loss": self.model_config.discriminator_loss_factor * loss}

    def generator_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """L_G = L_adv(D(x, G(x))) + lambda |y - G(x)|_1, each (B,) (mean over pixels)."""
        source, target = batch["source"], batch["target"]
        fake = self.generator(source, training=training)  # G(x) (B, S, S, 3)
        l1 = masked_l1_loss(fake, target)  # (B,)
        adversarial = generator_adversarial_loss(
            self.patch_logits(fake, source, training), mode=self.model_config.adversarial_form
        )
        return {
            "l1_loss": l1,
            "adversarial_loss": adversarial,
            "generator_loss": adversarial + self.model_config.l1_weight * l1,
        }

    def preview(self, batch: Mapping[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """The source, its translation and the paired target."""
        return {
            "source": batch["source"],
            "translated": self(batch["source"]),
            "target": batch["target"],
        }
