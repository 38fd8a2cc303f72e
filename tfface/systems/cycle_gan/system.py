"""`cycle_gan`: unpaired photo <-> painting translation (Zhu et al. ICCV 2017; Liu 2019 ch. 4).

Two ResNet generators G: A -> B and F: B -> A, two 70 x 70 PatchGANs D_B (on B) and D_A
(on A), trained on unpaired images with (Liu 2019 l.616-636, l.702-704):

    L_G = GAN(G, D_B) + GAN(F, D_A) + lambda (|F(G(x)) - x|_1 + |G(F(y)) - y|_1)
          + gamma L_id + w_tv (TV(G(x)) + TV(F(y)))

with lambda = 10, gamma = 0.5 lambda, L_id = |G(y) - y|_1 + |F(x) - x|_1 (Zhu) or
|G(x) - x|_1 + |F(y) - y|_1 (`identity_form="input_output"`, the thesis's wording), the
least-squares GAN loss, and isotropic TV. One train step: a joint step of G and F (one
Adam), then a joint step of D_A and D_B (one Adam) on real images against this step's
translations mixed with older ones from an image pool of 50 per domain, both D inputs with
white noise (sigma 0.05).

The noise is a stateless draw seeded by (train seed, step) for the GLOBAL batch; each
replica takes its rows, so N replicas draw what one device draws. Each replica keeps its
own image pool (`tfface.layers.ImagePool`); while the pools fill, they return their input.

    system = tfface.systems.registry.build("cycle_gan", get_preset("cycle_gan", "tiny"))
    paintings = system(photos)          # G: float32 (B, S, S, 3) in [-1, 1] -> (B, S, S, 3)
    photos_back = system.b_to_a(paintings)  # F
"""

from __future__ import annotations

from collections.abc import Mapping

import keras
import tensorflow as tf

from tfface.config.model_config import AdamConfig
from tfface.layers import ImagePool
from tfface.losses import discriminator_adversarial_loss, generator_adversarial_loss, masked_l1_loss
from tfface.losses.regularization import total_variation_loss
from tfface.networks import build_conditional_patch_discriminator, build_resnet_generator
from tfface.systems.base import GANSystem
from tfface.systems.cycle_gan.config import (
    CycleGANConfig,
    CycleGANModelConfig,
    paper,
    standard,
    tiny,
)
from tfface.systems.cycle_gan.export import cycle_gan_signatures
from tfface.systems.translation_data import unpaired_translation_batches
from tfface.systems.translation_settings import decaying_adam
from tfface.systems.updates import Update

GENERATORS = ("generator_ab", "generator_ba")
DISCRIMINATORS = ("discriminator_a", "discriminator_b")
NOISE_DRAWS = 4
"""Stateless draws per step: D_A's real and fake inputs, then D_B's."""


def replica_noise(seed: tf.Tensor, images: tf.Tensor, stddev: float) -> tf.Tensor:
    """White noise N(0, stddev^2) like `images` (B_local, H, W, C): this replica's rows of
    one draw for the global batch (module docstring)."""
    context = tf.distribute.get_replica_context()
    replicas = 1 if context is None else context.num_replicas_in_sync
    replica = 0 if context is None else tf.cast(context.replica_id_in_sync_group, tf.int32)
    local = tf.shape(images)[0]
    shape = tf.concat([[local * replicas], tf.shape(images)[1:]], 0)
    draw = tf.random.stateless_normal(shape, seed, stddev=stddev)
    return tf.slice(draw, tf.stack([replica * local, 0, 0, 0]), tf.shape(images))


class CycleGANSystem(GANSystem):
    """Unpaired translation A <-> B (module docstring).

    `call(images)`: domain-A float32 (B, S, S, 3) in [-1, 1] -> G(x), domain B, same shape.
    `b_to_a(images)`: domain B -> F(y), domain A.
    """

    NAME = "cycle_gan"
    SUMMARY = (
        "unpaired photo <-> painting translation: ResNet generators with resize-convolution "
        "up-sampling, LSGAN, cycle + identity, image pool, D input noise, TV (Liu 2019)"
    )
    CONFIG = CycleGANConfig
    PRESETS = {"paper": paper, "standard": standard, "tiny": tiny}
    NETWORKS = (*GENERATORS, *DISCRIMINATORS)
    INFERENCE_NETWORKS = GENERATORS
    OPTIMIZER_GROUPS = {"generators": GENERATORS, "discriminators": DISCRIMINATORS}
    LOSS_NAMES = (
        "adversarial_loss",
        "cycle_loss",
        "identity_loss",
        "total_variation_loss",
        "generator_loss",
        "discriminator_a_loss",
        "discriminator_b_loss",
        "discriminator_loss",
    )
    UPDATES = (
        Update("generators", "generator_objective", "generator_loss"),
        Update("discriminators", "discriminator_objective", "discriminator_loss"),
    )
    DATA = staticmethod(unpaired_translation_batches)
    EXPORTS = staticmethod(cycle_gan_signatures)
    SYNTHFACES = ("--yaws", "-30", "0", "30", "--pair-domains", "rgb", "painting")

    def __init__(
        self,
        networks: Mapping[str, keras.Model],
        model_config: CycleGANModelConfig,
        seed: int = 0,
        name: str | None = None,
    ) -> None:
        super().__init__(networks, model_config, seed, name)
        shape = (self.image_size, self.image_size, 3)
        self.pool_a = ImagePool(shape, model_config.pool_size, seed=seed, name="pool_a")
        self.pool_b = ImagePool(shape, model_config.pool_size, seed=seed + 1, name="pool_b")

    @classmethod
    def build_networks(
        cls, model_config: CycleGANModelConfig, seed: int = 0
    ) -> dict[str, keras.Model]:
        """G, F: ResNet generators (B, S, S, 3) -> (B, S, S, 3); D_A, D_B: unconditional
        PatchGANs (B, S, S, 3) -> [features..., logits (B, S/8, S/8, 1)]."""
        keras.utils.set_random_seed(seed)
        model = model_config
        built = {
            name: build_resnet_generator(
                model.image_size,
                model.generator_filters,
                residual_blocks=model.residual_blocks,
                upsampling=model.upsampling,
                norm=model.norm,
                name=name,
            )
            for name in GENERATORS
        }
        for name in DISCRIMINATORS:
            built[name] = build_conditional_patch_discriminator(
                model.image_size,
                condition_channels=0,
                base_filters=model.discriminator_filters,
                layers=model.discriminator_layers,
                norm=model.norm,
                name=name,
            )
        return built

    @classmethod
    def optimizer_configs(cls, config: CycleGANConfig) -> dict[str, AdamConfig]:
        """One Adam for both generators, one for both discriminators (Zhu et al.), constant
        then linearly to 0 over the last decay_fraction of the steps."""
        adam = decaying_adam(config)
        return {"generators": adam, "discriminators": adam}

    def checkpoint(self) -> tf.train.Checkpoint:
        """The base checkpoint plus both image pools (a resumed run keeps its history)."""
        checkpoint = super().checkpoint()
        checkpoint.pool_a, checkpoint.pool_b = self.pool_a, self.pool_b
        return checkpoint

    # -- the forward pass -----------------------------------------------------------------
    def call(self, inputs: tf.Tensor, training: bool = False) -> tf.Tensor:
        """G(x): domain A -> B (class docstring)."""
        return self.generator_ab(tf.cast(inputs, tf.float32), training=training)

    def b_to_a(self, inputs: tf.Tensor, training: bool = False) -> tf.Tensor:
        """F(y): domain B -> A."""
        return self.generator_ba(tf.cast(inputs, tf.float32), training=training)

    # -- the objectives ----------------------------------------------------------------------
    def generator_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """L_G of the module docstring per example (B,), each term logged; carries the
        translations 'fake_a' F(y) and 'fake_b' G(x).

        Args:
            batch: {'domain_a' x, 'domain_b' y: float32 (B, S, S, 3) in [-1, 1]}.
        """
        model = self.model_config
        real_a, real_b = batch["domain_a"], batch["domain_b"]
        fake_b = self.generator_ab(real_a, training=training)  # G(x)
        fake_a = self.generator_ba(real_b, training=training)  # F(y)
        adversarial = generator_adversarial_loss(
            self.discriminator_b(fake_b, training=training)[-1], mode=model.adversarial_form
        ) + generator_adversarial_loss(
            self.discriminator_a(fake_a, training=training)[-1], mode=model.adversarial_form
        )
        cycle = masked_l1_loss(self.generator_ba(fake_b, training=training), real_a)
        cycle += masked_l1_loss(self.generator_ab(fake_a, training=training), real_b)
        identity = tf.zeros_like(cycle)
        if model.identity_ratio > 0 and model.identity_form == "zhu":
            identity = masked_l1_loss(self.generator_ab(real_b, training=training), real_b)
            identity += masked_l1_loss(self.generator_ba(real_a, training=training), real_a)
        elif model.identity_ratio > 0:  # input_output: each translation against its input
            identity = masked_l1_loss(fake_b, real_a) + masked_l1_loss(fake_a, real_b)
        variation = total_variation_loss(fake_b, form="sqrt")
        variation += total_variation_loss(fake_a, form="sqrt")
        total = adversarial + model.cycle_weight * (cycle + model.identity_ratio * identity)
        return {
            "adversarial_loss": adversarial,
            "cycle_loss": cycle,
            "identity_loss": identity,
            "total_variation_loss": variation,
            "generator_loss": total + model.total_variation_weight * variation,
            "fake_a": fake_a,
            "fake_b": fake_b,
        }

    def discriminator_inputs(
        self, real: tf.Tensor, fake: tf.Tensor, pool: ImagePool, draw: int, training: bool
    ) -> tf.Tensor:
        """[real; fake] (2B, S, S, 3) for one D: in training the fakes pass the image pool
        and both get the white noise of `model.discriminator_noise`."""
        fake = tf.stop_gradient(fake)
        if training:
            fake = pool(fake)
        stddev = self.model_config.discriminator_noise
        if training and stddev > 0:  # one draw for the real and one for the fake images
            base = tf.cast(self.seed_generator.state[0], tf.int64)
            step = self.step_counter * NOISE_DRAWS + 2 * draw
            real += replica_noise(tf.stack([base, step]), real, stddev)
            fake += replica_noise(tf.stack([base, step + 1]), fake, stddev)
        return tf.concat([real, fake], 0)

    def discriminator_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """L_D of D_A and D_B per example (B,) on real images against the carried
        translations (pooled, noisy in training); their sum is minimised."""
        form = self.model_config.adversarial_form
        count = tf.shape(batch["domain_a"])[0]
        losses = {}
        for domain, real, fake, pool, draw in (
            ("a", batch["domain_a"], carried["fake_a"], self.pool_a, 0),
            ("b", batch["domain_b"], carried["fake_b"], self.pool_b, 1),
        ):
            images = self.discriminator_inputs(real, fake, pool, draw, training)
            logits = self.network(f"discriminator_{domain}")(images, training=training)[-1]
            losses[f"discriminator_{domain}_loss"] = discriminator_adversarial_loss(
                logits[:count], logits[count:], mode=form
            )
        losses["discriminator_loss"] = (
            losses["discriminator_a_loss"] + losses["discriminator_b_loss"]
        )
        return losses

    def preview(self, batch: Mapping[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """Both domains, their translations and the cycle reconstructions."""
        real_a, real_b = batch["domain_a"], batch["domain_b"]
        fake_b, fake_a = self(real_a), self.b_to_a(real_b)
        return {
            "domain_a": real_a,
            "a_to_b": fake_b,
            "a_cycle": self.b_to_a(fake_b),
            "domain_b": real_b,
            "b_to_a": fake_a,
            "b_cycle": self(fake_a),
        }
