"""`template`: the smallest complete tfface system, to copy when adding one.

A conditional GAN that colourises greyscale faces (pix2pix, Isola et al. CVPR 2017: a
generator G(x) from the grey image x, a patch discriminator D(x, y) on the grey image with
a colour image, L1 + adversarial, Eq. 4 of their paper). It is a real system: `tfface train
template --preset tiny` trains it on SynthFaces, `tfface export` serves it, and the contract
tests (tests/systems/test_system_contract.py) run it. Everything a system needs is here,
in order; a larger system spreads the same parts over a package `tfface/systems/<name>/`
(config.py, networks in tfface/networks/, system.py), see README "Adding a system".

    system = tfface.systems.registry.build("template", get_preset("template", "tiny"))
    colour = system(grey_or_colour_images)  # float32 (B, S, S, 3) in [-1, 1]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Literal

import keras
import tensorflow as tf

from tfface.config import ConfigError, DataConfig, TrainConfig
from tfface.config.model_config import (
    AdamConfig,
    ModelConfig,
    SystemConfig,
    non_negative,
    positive,
    unit_interval,
)
from tfface.losses import discriminator_adversarial_loss, generator_adversarial_loss, masked_l1_loss
from tfface.networks.inpainting_patch_discriminator import build_spectral_patch_discriminator
from tfface.signatures.image_to_image import image_to_image_signatures
from tfface.systems.base import GANSystem
from tfface.systems.data_recipes import image_batches
from tfface.systems.updates import Update

# -- 1. the config: every number of the method, the paper's values as defaults ---------------


@dataclasses.dataclass(frozen=True)
class TemplateModelConfig(ModelConfig):
    """pix2pix colourisation (Isola et al. 2017): sizes, loss weights, optimizers.

    Args:
        base_filters: filters of the generator's first convolution (64).
        discriminator_filters: filters of the patch discriminator's layers (64, 128, 256).
        l1_weight: lambda of the L1 term (100, Isola et al. sec. 3.1).
        adversarial_form: GAN loss of `tfface.losses.adversarial` ("least_squares").
        learning_rate: Adam rate of both networks (2e-4).
        beta_1, beta_2: Adam betas (0.5, 0.999).
    """

    base_filters: int = positive(64)
    discriminator_filters: tuple[int, ...] = positive((64, 128, 256))
    l1_weight: float = non_negative(100.0)
    adversarial_form: Literal["hinge", "least_squares", "non_saturating"] = "least_squares"
    learning_rate: float = positive(2e-4)
    beta_1: float = unit_interval(0.5)
    beta_2: float = unit_interval(0.999)

    def validate(self) -> None:
        """The generator halves the image twice."""
        if self.image_size is not None and self.image_size % 4:
            raise ConfigError(f"model.image_size must be a multiple of 4, got {self.image_size}")


@dataclasses.dataclass(frozen=True)
class TemplateConfig(SystemConfig):
    """Experiment config of `tfface train template`."""

    model: TemplateModelConfig = dataclasses.field(default_factory=TemplateModelConfig)


def paper() -> TemplateConfig:
    """pix2pix's setting (Isola et al. 2017 sec. 4): 256 px, batch 1, Adam 2e-4."""
    return TemplateConfig(
        system="template",
        preset="paper",
        data=DataConfig(image_size=256),
        train=TrainConfig(steps=200000, batch_size=1, learning_rate=2e-4),
    )


def tiny() -> TemplateConfig:
    """32 px, 8 filters, batch 4: tests and smoke runs."""
    return TemplateConfig(
        system="template",
        preset="tiny",
        data=DataConfig(image_size=32, shuffle_buffer=64),
        train=TrainConfig(steps=200, batch_size=4, log_every=50, checkpoint_every=100),
        model=TemplateModelConfig(
            base_filters=8, discriminator_filters=(8, 16), l1_weight=10.0, learning_rate=1e-3
        ),
    )


# -- 2. the system: declarations, networks, forward pass, objectives ------------------------


def greyscale(images: tf.Tensor) -> tf.Tensor:
    """float32 (B, S, S, 3) in [-1, 1] -> (B, S, S, 1) luma (ITU-R BT.601 weights)."""
    return tf.image.rgb_to_grayscale(images)


class TemplateSystem(GANSystem):
    """Colourisation of greyscale faces (module docstring).

    `call(images)`: float32 (B, S, S, 3) in [-1, 1] (colour or grey; only the luma is
    used) -> colourised float32 (B, S, S, 3) in [-1, 1].
    """

    NAME = "template"
    SUMMARY = "greyscale-to-colour pix2pix: the template to copy (Isola et al. CVPR 2017)"
    CONFIG = TemplateConfig
    PRESETS = {"paper": paper, "tiny": tiny}
    NETWORKS = ("generator", "discriminator")
    INFERENCE_NETWORKS = ("generator",)
    OPTIMIZER_GROUPS = {"generator": ("generator",), "discriminator": ("discriminator",)}
    LOSS_NAMES = ("l1_loss", "adversarial_loss", "generator_loss", "discriminator_loss")
    UPDATES = (
        Update("generator", "generator_objective", "generator_loss"),
        Update("discriminator", "discriminator_objective", "discriminator_loss"),
    )
    DATA = staticmethod(image_batches)
    EXPORTS = staticmethod(image_to_image_signatures)

    @classmethod
    def build_networks(
        cls, model_config: TemplateModelConfig, seed: int = 0
    ) -> dict[str, keras.Model]:
        """G: grey (B, S, S, 1) -> colour (B, S, S, 3), two halvings and back; D: SN patch
        discriminator on grey + colour (B, S, S, 4) -> logits (B, S/2^k, S/2^k, 1)."""
        keras.utils.set_random_seed(seed)
        size, filters = model_config.image_size, model_config.base_filters
        generator = keras.Sequential(
            [
                keras.Input((size, size, 1)),
                keras.layers.Conv2D(filters, 4, 2, "same", activation="relu"),
                keras.layers.Conv2D(2 * filters, 4, 2, "same", activation="relu"),
                keras.layers.Conv2DTranspose(filters, 4, 2, "same", activation="relu"),
                keras.layers.Conv2DTranspose(3, 4, 2, "same", activation="tanh"),
            ],
            name="generator",
        )
        strides = (2,) * len(model_config.discriminator_filters)
        discriminator = build_spectral_patch_discriminator(
            size,
            4,
            model_config.discriminator_filters,
            4,
            strides,
            "none",
            "logits",
            name="discriminator",
        )
        return {"generator": generator, "discriminator": discriminator}

    @classmethod
    def optimizer_configs(cls, config: TemplateConfig) -> dict[str, AdamConfig]:
        """Adam for both networks at model.learning_rate (pix2pix: 2e-4, betas 0.5, 0.999)."""
        model = config.model
        adam = AdamConfig(model.learning_rate, model.beta_1, model.beta_2)
        return {"generator": adam, "discriminator": adam}

    def call(self, inputs: tf.Tensor, training: bool = False) -> tf.Tensor:
        """The colourised images (class docstring)."""
        return self.generator(greyscale(tf.cast(inputs, tf.float32)), training=training)

    def discriminate(self, grey: tf.Tensor, colour: tf.Tensor, training: bool) -> tf.Tensor:
        """D(x, y): patch logits (B, h, w, 1) of a colour image given its grey image."""
        return self.discriminator(tf.concat([grey, colour], axis=-1), training=training)

    def generator_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """L_G = lambda |y - G(x)|_1 + L_adv(D(x, G(x))), each (B,); carries 'fake'.

        Args:
            batch: {'image': float32 (B, S, S, 3) in [-1, 1]}, the colour target y.
        """
        real = batch["image"]  # y, (B, S, S, 3) in [-1, 1]
        grey = greyscale(real)  # x, (B, S, S, 1)
        fake = self.generator(grey, training=training)  # G(x), (B, S, S, 3)
        l1 = masked_l1_loss(fake, real)  # (B,)
        adversarial = generator_adversarial_loss(
            self.discriminate(grey, fake, training), mode=self.model_config.adversarial_form
        )  # (B,)
        return {
            "l1_loss": l1,
            "adversarial_loss": adversarial,
            "generator_loss": self.model_config.l1_weight * l1 + adversarial,
            "fake": fake,
        }

    def discriminator_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """L_D on the real pair (x, y) and the generator's pair (x, G(x)), (B,)."""
        real = batch["image"]
        grey = greyscale(real)
        return {
            "discriminator_loss": discriminator_adversarial_loss(
                self.discriminate(grey, real, training),
                self.discriminate(grey, carried["fake"], training),
                mode=self.model_config.adversarial_form,
            )
        }

    def preview(self, batch: Mapping[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """The grey input, the colourised output and the real image."""
        real = batch["image"]
        return {
            "grey": tf.image.grayscale_to_rgb(greyscale(real)),
            "colourised": self(real),
            "real": real,
        }
