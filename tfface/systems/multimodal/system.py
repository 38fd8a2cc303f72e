"""`multimodal`: synthetic render -> near-infrared face translation (Bergqvist 2020, ch. 3).

A conditional GAN G(y, s) from a source render y and a style s = L(z) (or s = z without
the style mapping L), z ~ N(0, I), judged by the conditional PatchGAN D(y, x), with the
terms of Eq. 3.5:

    L_G = L_adv + lambda_p L_p + lambda_lr L_lr + lambda_ir L_ir - lambda_sd L_sd

(style diversity maximised, SEEDS.md). One train step is Algorithm 2 (l.835-860): a D step
on (y, x) against (y, G(y, z)) (no gradient to G), then one joint step of G, E and L on a
fresh z, each network with its own Adam (l.827): their gradients come from one tape and
each optimizer applies its share (`Update` with several groups: `GANSystem.apply_update`).

Random latents are stateless draws seeded by (train seed, step, purpose) for the GLOBAL
batch; each replica takes its rows, so N replicas draw exactly what one device draws.

    system = tfface.systems.registry.build("multimodal", get_preset("multimodal", "ED-LS-LR-2"))
    nir = system(renders)  # float32 (B, S, S, 3) in [-1, 1] -> (B, S, S, 1) in [-1, 1]
    styles = system.translate_random(renders_uint8, seeds, counts)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import keras
import tensorflow as tf

from tfface.config import ConfigError
from tfface.config.model_config import AdamConfig
from tfface.losses.latent import latent_reconstruction_loss, style_diversity_ratio
from tfface.signatures.inputs import uint8_to_unit
from tfface.systems.base import GANSystem
from tfface.systems.gan_updates import DISCRIMINATOR_UPDATE
from tfface.systems.multimodal import config as configs
from tfface.systems.multimodal import networks
from tfface.systems.multimodal.data import to_grey, translation_pairs
from tfface.systems.multimodal.export import MAX_STYLES, multimodal_signatures
from tfface.systems.multimodal.losses import ImageDistances, discriminator_loss, generator_loss
from tfface.systems.multimodal.naming import model_settings
from tfface.systems.multimodal.thesis_results import CONFIGURATION_NAMES
from tfface.systems.updates import Update

JOINT_GROUPS = ("generator", "latent_encoder", "style_mapping")
"""The groups of the one G step of Algorithm 2 (one tape, one Adam each)."""
JOINT_GENERATOR_UPDATE = Update(JOINT_GROUPS, "generator_objective", "generator_loss")
"""The G step (l.827): G, E and L minimise the generator objective from one tape."""

DISCRIMINATOR_DRAW, GENERATOR_DRAW, DIVERSITY_DRAW = 0, 1, 2
"""Purposes of the latent draws of a step (distinct stateless seeds)."""


def configuration_preset(name: str):
    """The factory of thesis configuration `name` at the paper's sizes and schedule."""

    def factory() -> configs.MultimodalConfig:
        return configs.MultimodalConfig(
            system="multimodal",
            preset=name,
            data=configs.PAPER_DATA,
            train=configs.paper_schedule(),
            model=configs.MultimodalModelConfig(**model_settings(name)),
        )

    factory.__doc__ = f"Bergqvist 2020 configuration {name} (tfface/systems/multimodal/naming.py)."
    return factory


def paper() -> configs.MultimodalConfig:
    """ED-LS-LR-2, the thesis's best configuration (Table 4.5 B: FID 12.3, LPIPS 0.171)."""
    return dataclasses.replace(configuration_preset("ED-LS-LR-2")(), preset="paper")


def tiny() -> configs.MultimodalConfig:
    """ED-LS-LR-2 at 64 px with tiny widths, 300 steps of batch 8: tests and smoke runs."""
    return configs.tiny_variant(configuration_preset("ED-LS-LR-2")(), preset="tiny")


PRESETS = {
    "paper": paper,
    "tiny": tiny,
    **{name: configuration_preset(name) for name in CONFIGURATION_NAMES},
}


def replica_normal(seed: tf.Tensor, local_batch: tf.Tensor, size: int) -> tf.Tensor:
    """This replica's rows of a stateless N(0, I) draw (B_global, size): (local_batch, size)."""
    context = tf.distribute.get_replica_context()
    replicas = context.num_replicas_in_sync if context is not None else 1
    replica = context.replica_id_in_sync_group if context is not None else 0
    replica = tf.cast(replica, tf.int32)
    draw = tf.random.stateless_normal([local_batch * replicas, size], seed)
    return draw[replica * local_batch : (replica + 1) * local_batch]


class MultimodalSystem(GANSystem):
    """Multimodal render -> NIR translator (module docstring).

    `call(source)`: float32 (B, S, S, 3) in [-1, 1] (or uint8) -> NIR float32 (B, S, S, 1)
    in [-1, 1] with the mean latent z = 0.
    """

    NAME = "multimodal"
    SUMMARY = (
        "synthetic render -> NIR multimodal translation: ED / Multinorm generators, latent "
        "encoder, style mapping, PatchGAN, every configuration of Bergqvist 2020"
    )
    CONFIG = configs.MultimodalConfig
    PRESETS = PRESETS
    NETWORKS = ("generator", "discriminator")
    OPTIONAL_NETWORKS = ("latent_encoder", "style_mapping")
    INFERENCE_NETWORKS = ("generator", "latent_encoder", "style_mapping")
    OPTIMIZER_GROUPS = {
        "generator": ("generator",),
        "latent_encoder": ("latent_encoder",),
        "style_mapping": ("style_mapping",),
        "discriminator": ("discriminator",),
    }
    LOSS_NAMES = (
        "discriminator_loss",
        "adversarial_loss",
        "perceptual_loss",
        "latent_reconstruction_loss",
        "style_diversity",
        "identity_reconstruction_loss",
        "generator_loss",
    )
    UPDATES = (DISCRIMINATOR_UPDATE, JOINT_GENERATOR_UPDATE)
    DATA = staticmethod(translation_pairs)
    EXPORTS = staticmethod(multimodal_signatures)
    SYNTHFACES = ("--yaws", "-30", "0", "30", "--pair-domains", "mask_texture", "nir")

    @property
    def latent_size(self) -> int:
        """Size of z and s."""
        return int(self.model_config.latent_size)

    @property
    def has_latent_encoder(self) -> bool:
        return "latent_encoder" in self.network_names

    @property
    def has_style_mapping(self) -> bool:
        return "style_mapping" in self.network_names

    @property
    def distances(self) -> ImageDistances:
        """The d_I of the terms; VGG-19 and FaceId are attached by `prepare_training`."""
        attached = getattr(self, "_image_distances", None)
        return attached or ImageDistances(self.discriminate, None, None)

    # -- declarations ------------------------------------------------------------------------
    @classmethod
    def expected_networks(cls, model_config: configs.MultimodalModelConfig) -> tuple[str, ...]:
        """G and D; E with LR or IR; L with SM."""
        optional = []
        if model_config.uses_latent_encoder:
            optional.append("latent_encoder")
        if model_config.style_mapping:
            optional.append("style_mapping")
        return (*cls.NETWORKS, *optional)

    @classmethod
    def build_networks(
        cls, model_config: configs.MultimodalModelConfig, seed: int = 0
    ) -> dict[str, keras.Model]:
        """The networks of `expected_networks` (tfface/systems/multimodal/networks.py)."""
        keras.utils.set_random_seed(seed)
        built = {
            "generator": networks.build_generator(model_config),
            "discriminator": networks.build_patch_discriminator(model_config),
        }
        if model_config.uses_latent_encoder:
            built["latent_encoder"] = networks.build_latent_encoder(model_config)
        if model_config.style_mapping:
            built["style_mapping"] = networks.build_style_mapping(model_config)
        return built

    @classmethod
    def optimizer_configs(cls, config: configs.MultimodalConfig) -> dict[str, AdamConfig]:
        """Adam (0.5, 0.999) per network at Table 3.8's rates; constant, then linear decay to
        0 over the last `decay_fraction` of the steps."""
        model = config.model
        steps = config.train.steps
        decay_start = int(round(steps * (1.0 - model.decay_fraction)))
        decay = {}
        if model.decay_fraction > 0 and decay_start < steps:
            decay = {"decay_steps": steps, "decay_start": decay_start}
        rates = {
            "generator": model.generator_learning_rate,
            "discriminator": model.discriminator_learning_rate,
            "latent_encoder": model.encoder_learning_rate,
            "style_mapping": model.mapping_learning_rate,
        }
        expected = set(cls.expected_networks(config.resolved_model()))
        return {
            group: AdamConfig(rate, model.beta_1, model.beta_2, **decay)
            for group, rate in rates.items()
            if group in expected
        }

    def prepare_training(self, config: configs.MultimodalConfig) -> None:
        """Loads VGG-19 (relu1_1..relu5_1) and the FaceId network when a term uses them."""
        model = config.model
        used = model.distances()
        vgg = face_id = None
        if model.face_id_model and "face_id" in used:
            from tfface.weights.identity_network import load_identity_network

            face_id = load_identity_network(model.face_id_model)
            if face_id is None:
                raise ConfigError(f"model.face_id_model {model.face_id_model!r} did not load")
        if "vgg19" in used or ("face_id" in used and face_id is None):
            from tfface.weights import vgg_features_for_preset
            from tfface.weights.random_weights import seeded_build

            with seeded_build(enabled=model.vgg_weights == "random"):
                vgg = vgg_features_for_preset("multimodal", weights=model.vgg_weights)
        self._image_distances = ImageDistances(self.discriminate, vgg, face_id)

    # -- the forward pass -----------------------------------------------------------------
    def style(self, latents: tf.Tensor, training: bool = False) -> tf.Tensor:
        """s = L(z) with style mapping, else z: (B, latent_size)."""
        if self.has_style_mapping:
            return self.style_mapping(latents, training=training)
        return latents

    def generate(self, source: tf.Tensor, style: tf.Tensor, training: bool = False) -> tf.Tensor:
        """G(y, s): (B, S, S, 3), (B, D) -> (B, S, S, 1) in [-1, 1]."""
        return self.generator([source, style], training=training)

    def discriminate(self, source: tf.Tensor, image: tf.Tensor, training: bool) -> list[tf.Tensor]:
        """D(y, x): [feature_1 .. feature_n, logits (B, h, w, 1)]."""
        return list(self.discriminator([source, image], training=training))

    @staticmethod
    def as_unit(images: tf.Tensor) -> tf.Tensor:
        """uint8 [0, 255] -> float32 [-1, 1]; float images pass unchanged."""
        if images.dtype == tf.uint8:
            return uint8_to_unit(images)
        return tf.cast(images, tf.float32)

    def call(self, inputs: tf.Tensor, training: bool = False) -> tf.Tensor:
        """NIR of the source renders with the mean latent z = 0 (class docstring)."""
        source = self.as_unit(inputs)
        latents = tf.zeros([tf.shape(source)[0], self.latent_size])
        return self.generate(source, self.style(latents, training), training)

    def translate(self, source: tf.Tensor, latents: tf.Tensor) -> tf.Tensor:
        """G(y, L(z)): sources (B, S, S, 3), latents (B, latent_size) -> (B, S, S, 1)."""
        source = self.as_unit(source)
        latents = tf.convert_to_tensor(latents, tf.float32)
        tf.debugging.assert_equal(
            tf.shape(latents)[0], tf.shape(source)[0], "translate: one z per image"
        )
        return self.generate(source, self.style(latents))

    def translate_random(self, source: tf.Tensor, seeds: tf.Tensor, counts: tf.Tensor) -> tf.Tensor:
        """`counts[0]` random styles per source, z ~ N(0, I) seeded by (seeds[i], 0):
        (B, S, S, 3), (B,), (B,) -> (B * count, S, S, 1), grouped by source."""
        source = self.as_unit(source)
        counts = tf.cast(counts, tf.int32)
        count = counts[0]
        tf.debugging.assert_equal(counts, count, "translate_random: one count per request")
        tf.debugging.assert_greater(count, 0, "translate_random: count must be >= 1")
        tf.debugging.assert_less_equal(count, MAX_STYLES, f"count must be <= {MAX_STYLES}")
        seeds = tf.cast(seeds, tf.int64)

        def draw(seed: tf.Tensor) -> tf.Tensor:
            return tf.random.stateless_normal(
                [count, self.latent_size], tf.stack([seed, tf.zeros_like(seed)])
            )

        latents = tf.map_fn(draw, seeds, fn_output_signature=tf.float32)  # (B, count, D)
        latents = tf.reshape(latents, [-1, self.latent_size])
        return self.generate(tf.repeat(source, count, axis=0), self.style(latents))

    def translate_like(self, source: tf.Tensor, reference: tf.Tensor) -> tf.Tensor:
        """G(y, E(x_ref)): the style of real NIR references (B, S, S, 1 or 3) -> (B, S, S, 1)."""
        if not self.has_latent_encoder:
            raise ValueError(
                "translate_like needs the latent encoder E: train a configuration with LR or IR"
            )
        reference = self.as_unit(reference)
        if reference.shape[-1] == 3:
            reference = to_grey(reference)
        return self.generate(self.as_unit(source), self.latent_encoder(reference, training=False))

    # -- the objectives of Algorithm 2 ----------------------------------------------------
    def latents(self, batch: Mapping[str, tf.Tensor], purpose: int) -> tf.Tensor:
        """z ~ N(0, I) (B, latent_size) for this step and `purpose` (module docstring)."""
        # The seed generator's state is [train seed, 0]; this system never advances it.
        base = tf.cast(self.seed_generator.state[0], tf.int64)
        seed = tf.stack([base, self.step_counter * 4 + purpose])
        return replica_normal(seed, tf.shape(batch["source"])[0], self.latent_size)

    def discriminator_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """-(f(D(y, x)) + g(D(y, G(y, s)))) per example (B,), G not differentiated."""
        source, target = batch["source"], batch["target"]  # (B, S, S, 3), (B, S, S, 1)
        style = self.style(self.latents(batch, DISCRIMINATOR_DRAW), training)
        fake = tf.stop_gradient(self.generate(source, style, training))
        count = tf.shape(source)[0]
        logits = self.discriminate(
            tf.concat([source, source], 0), tf.concat([target, fake], 0), training
        )[-1]
        return {
            "discriminator_loss": discriminator_loss(
                logits[:count], logits[count:], self.model_config.adversarial_form
            )
        }

    def generator_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """Eq. 3.5 per example (B,) for G, E and L, each term logged."""
        model = self.model_config
        source, target = batch["source"], batch["target"]
        style = self.style(self.latents(batch, GENERATOR_DRAW), training)  # s1 (B, D)
        fake = self.generate(source, style, training)  # G(y, s1) (B, S, S, 1)
        adversarial = generator_loss(
            self.discriminate(source, fake, training)[-1],
            model.adversarial_form,
            model.saturating_original,
        )
        zeros = tf.zeros_like(adversarial)
        terms = {
            "adversarial_loss": adversarial,
            "perceptual_loss": zeros,
            "latent_reconstruction_loss": zeros,
            "style_diversity": zeros,
            "identity_reconstruction_loss": zeros,
        }
        total = adversarial
        if model.perceptual_weight > 0:  # Eq. 3.4 against the paired target
            terms["perceptual_loss"] = self.distances(
                model.perceptual_distance, source, fake, target, training
            )
            total += model.perceptual_weight * terms["perceptual_loss"]
        if model.latent_reconstruction_weight > 0:  # Eq. 3.1
            estimate = self.latent_encoder(fake, training=training)
            terms["latent_reconstruction_loss"] = latent_reconstruction_loss(style, estimate)
            total += model.latent_reconstruction_weight * terms["latent_reconstruction_loss"]
        if model.style_diversity_weight > 0:  # Eq. 3.2, maximised
            second_style = self.style(self.latents(batch, DIVERSITY_DRAW), training)
            second = self.generate(source, second_style, training)
            terms["style_diversity"] = style_diversity_ratio(
                fake,
                second,
                style,
                second_style,
                latent_distance=model.style_diversity_latent_distance,
                image_distance=lambda first, other: self.distances(
                    model.style_diversity_distance, source, first, other, training
                ),
            )
            total -= model.style_diversity_weight * terms["style_diversity"]
        if model.identity_reconstruction_weight > 0:  # Eq. 3.3: only this loss on G(y, E(x))
            reconstruction = self.generate(
                source, self.latent_encoder(target, training=training), training
            )
            terms["identity_reconstruction_loss"] = self.distances(
                model.identity_distance, source, target, reconstruction, training
            )
            total += model.identity_reconstruction_weight * terms["identity_reconstruction_loss"]
        return {**terms, "generator_loss": total}

    def preview(self, batch: Mapping[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """Source, three random styles, the mean style and the real NIR target."""
        source, target = batch["source"], batch["target"]
        grey = tf.image.grayscale_to_rgb
        seeds = tf.range(tf.shape(source)[0], dtype=tf.int64)
        styles = self.translate_random(source, seeds, tf.fill(tf.shape(seeds), 3))
        styles = tf.reshape(styles, [-1, 3, self.image_size, self.image_size, 1])
        shown = {"source": source, "mean_style": grey(self(source)), "target": grey(target)}
        for index in range(3):
            shown[f"style_{index + 1}"] = grey(styles[:, index])
        return shown


def describe(config: Any) -> str:
    """One line naming the configuration's terms (for logs and the sweep table)."""
    model = config.model
    parts = [model.generator, model.adversarial_form]
    for field in (
        "perceptual_weight",
        "latent_reconstruction_weight",
        "style_diversity_weight",
        "identity_reconstruction_weight",
    ):
        if getattr(model, field):
            parts.append(f"{field.removesuffix('_weight')}={getattr(model, field):g}")
    if model.style_mapping:
        parts.append("style_mapping")
    return ", ".join(parts)
