"""`MaskGuidedSystem`: mask-guided portrait editing (Gu et al. CVPR 2019; S1408 thesis ch. 3-4).

The declarations, the forward pass and the objectives: local embeddings (E_local, D_local,
D_sub-network) of the source's five components, the target mask encoder E_m, the
placement of component features at the target's component positions, the mask-guided
generator G_m and the background fusing sub-network (E_b, G_b); the multi-scale
discriminators and the face parser P_F. The networks are built in `networks`, the stages
and the pairing of training explained in `training`, the editing API in `editing`.
"""

from __future__ import annotations

from collections.abc import Mapping

import keras
import tensorflow as tf

from tfface.config.model_config import AdamConfig
from tfface.data.labels import PORTRAIT_11
from tfface.losses import (
    discriminator_adversarial_loss,
    feature_matching_loss,
    generator_adversarial_loss,
    kl_divergence_loss,
    parsing_cross_entropy_loss,
)
from tfface.losses.per_example import mean_per_example
from tfface.networks.component_feature_decoder import FEATURE_DOWNSCALE
from tfface.systems.base import GANSystem
from tfface.systems.gan_updates import DISCRIMINATOR_UPDATE, GENERATOR_UPDATE
from tfface.systems.mask_guided import editing
from tfface.systems.mask_guided.components import (
    CLASSES,
    COMPONENT_NAMES,
    component_boxes,
    component_images,
    place_features,
)
from tfface.systems.mask_guided.config import (
    ADVERSARIAL_MODES,
    MaskGuidedConfig,
    MaskGuidedModelConfig,
    paper,
    tiny,
)
from tfface.systems.mask_guided.data import portrait_batches
from tfface.systems.mask_guided.export import mask_guided_signatures
from tfface.systems.mask_guided.networks import (
    DISCRIMINATORS,
    INFERENCE_PATH,
    mask_guided_networks,
)
from tfface.systems.mask_guided.training import (
    PAIRED_ONLY_LOSSES,
    class_weighted_parsing_loss,
    gan_inputs,
    paired_flag,
)
from tfface.systems.updates import Update
from tfface.training.phases import TrainingPhase

PARSER_PRETRAINING = Update("parser", "parser_objective", "parser_loss")
"""Stage 1: the face parser alone (Eq. 3.7)."""
GAN_TRAINING = (GENERATOR_UPDATE, DISCRIMINATOR_UPDATE)
"""Stage 2: the generator networks (Eq. 3.9 / 3.10), then the discriminators (Eq. 3.3)."""


class MaskGuidedSystem(GANSystem):
    """Mask-guided portrait editing: local embeddings + mask-guided generator + background fusing.

    Gu et al., "Mask-Guided Portrait Editing with Conditional GANs", CVPR 2019, as
    re-implemented in the S1408 thesis (ch. 3: Fig. 3.1-3.4, Eq. 3.1-3.10; ch. 4).

    `call(inputs)` is the inference path: inputs {'source_image', 'target_image':
    float32 (B, S, S, 3) in [-1, 1]; 'source_mask', 'target_mask': one-hot (B, S, S, 11)}
    -> the generated image G(x^s, m^s, x^t, m^t), float32 (B, S, S, 3) in [-1, 1]. The
    editing API (`synthesize`, `edit`, `swap_mask`, `transfer_style`, `parse`) is in
    `editing`.
    """

    NAME = "mask_guided"
    SUMMARY = "mask-to-face synthesis and per-component editing (Gu et al. CVPR 2019)"
    CONFIG = MaskGuidedConfig
    PRESETS = {"paper": paper, "tiny": tiny}
    DATA = staticmethod(portrait_batches)
    EXPORTS = staticmethod(mask_guided_signatures)
    NETWORKS = (*INFERENCE_PATH, *DISCRIMINATORS, "face_parser")
    INFERENCE_NETWORKS = INFERENCE_PATH
    OPTIMIZER_GROUPS = {
        "parser": ("face_parser",),
        "generator": INFERENCE_PATH,
        "discriminator": DISCRIMINATORS,
    }
    LOSS_NAMES = (
        "parser_loss",
        "local_loss",
        "global_loss",
        "adversarial_loss",
        "feature_matching_loss",
        "parsing_loss",
        "kl_loss",
        "generator_loss",
        "discriminator_loss",
        "paired",
    )
    UPDATES = (PARSER_PRETRAINING, *GAN_TRAINING)

    @classmethod
    def build_networks(
        cls, model_config: MaskGuidedModelConfig, seed: int = 0
    ) -> dict[str, keras.Model]:
        """Every network (`networks.mask_guided_networks`), seeded by `seed`."""
        return mask_guided_networks(model_config, seed)

    @classmethod
    def optimizer_configs(cls, config: MaskGuidedConfig) -> dict[str, AdamConfig]:
        """Adam per optimizer group (thesis sec. 4.3.1): the generator and discriminators at
        train.learning_rate, constant then linearly decayed to zero over the generator steps
        (from model.decay_start); the parser at parser_learning_rate with parser_beta_1,
        decayed to zero over its pre-training (constant when it is at most one step)."""
        model = config.model
        generator_steps = max(config.train.steps - model.parser_pretrain_steps, 1)
        gan = AdamConfig(
            config.train.learning_rate,
            model.beta_1,
            model.beta_2,
            model.epsilon,
            decay_steps=generator_steps,
            decay_start=model.decay_start,
        )
        parser = AdamConfig(
            model.parser_learning_rate,
            model.parser_beta_1,
            model.beta_2,
            model.epsilon,
            decay_steps=model.parser_pretrain_steps if model.parser_pretrain_steps > 1 else 0,
        )
        return {"parser": parser, "generator": gan, "discriminator": gan}

    @classmethod
    def phases(cls, config: MaskGuidedConfig) -> tuple[TrainingPhase, ...]:
        """Parser pre-training (Eq. 3.7, the first `model.parser_pretrain_steps` steps), then
        GAN training with the parser frozen (Eq. 3.3, 3.9); see `training`."""
        pretrain_steps = min(config.model.parser_pretrain_steps, config.train.steps)
        gan_losses = tuple(name for name in cls.LOSS_NAMES if name not in ("parser_loss", "paired"))
        phases = (
            TrainingPhase("parser pre-training", 0, pretrain_steps, ("parser_loss",)),
            TrainingPhase("GAN training", pretrain_steps, config.train.steps, gan_losses),
        )
        return tuple(phase for phase in phases if phase.steps > 0)

    def stages(self) -> tuple[tuple[int, tuple[Update, ...]], ...]:
        """The parser update for the first `parser_pretrain_steps` steps, then the generator
        and discriminator updates (with no pre-training the second stage starts at 0)."""
        return ((0, (PARSER_PRETRAINING,)), (self.model_config.parser_pretrain_steps, GAN_TRAINING))

    @property
    def mode(self) -> str:
        """The `tfface.losses` adversarial mode of `adversarial_form` (config's docstring)."""
        return ADVERSARIAL_MODES[self.model_config.adversarial_form]

    # -- the forward pass ---------------------------------------------------------------------
    def embed(
        self, components: Mapping[str, tf.Tensor], training: bool = False, sample: bool = False
    ) -> tuple[dict[str, tf.Tensor], tf.Tensor]:
        """Local embeddings of the five components (E_local^i), and their KL (VAE variant).

        Args:
            components: {component: float32 (B, h, w, 3) in [-1, 1]}.
            training: networks in training mode.
            sample: VAE variant: draw z = mean + exp(log_variance / 2) * eps (else the mean).

        Returns:
            ({component: (B, latent_dim)}, KL summed over components (B,); zeros without VAE).
        """
        codes, kl = {}, 0.0
        for name in COMPONENT_NAMES:
            encoded = self.network(f"{name}_encoder")(components[name], training=training)
            if self.model_config.vae_local_embeddings:
                mean, log_variance = encoded
                kl += kl_divergence_loss(mean, log_variance)
                if sample:
                    noise = keras.random.normal(tf.shape(mean), seed=self.seed_generator)
                    mean = mean + tf.exp(0.5 * log_variance) * noise
                encoded = mean
            codes[name] = encoded
        if not self.model_config.vae_local_embeddings:
            kl = tf.zeros_like(codes[COMPONENT_NAMES[0]][:, 0])
        return codes, kl

    def reconstruct_components(
        self, codes: Mapping[str, tf.Tensor], training: bool = False
    ) -> dict[str, tf.Tensor]:
        """D_local^i(E_local^i(x_i)): {component: float32 (B, h, w, 3) in [-1, 1]}."""
        return {
            name: self.network(f"{name}_decoder")(codes[name], training=training)
            for name in COMPONENT_NAMES
        }

    def render(
        self,
        codes: Mapping[str, tf.Tensor],
        target_mask: tf.Tensor,
        target_boxes: Mapping[str, tf.Tensor],
        target_image: tf.Tensor,
        training: bool = False,
    ) -> dict[str, tf.Tensor]:
        """Mask-guided generation and background fusing (thesis sec. 3.1.2-3.1.3).

        Args:
            codes: local embeddings {component: (B, latent_dim)}.
            target_mask: one-hot float32 (B, S, S, 11) m^t.
            target_boxes: {'left_eye' | 'right_eye' | 'mouth': int32 (B, 2)} crop corners in m^t.
            target_image: float32 (B, S, S, 3) in [-1, 1] x^t (its background is kept).
            training: networks in training mode.

        Returns:
            {'image': G(x^s, m^s, x^t, m^t), 'foreground': G_m's image}: float32 (B, S, S, 3)
            in [-1, 1].
        """
        mask_features = self.mask_encoder(target_mask, training=training)  # (B, S/4, S/4, C_m)
        canvas = (mask_features.shape[1], mask_features.shape[2])
        fused = [mask_features]
        for name in COMPONENT_NAMES:
            features = self.network(f"{name}_feature_decoder")(codes[name], training=training)
            if name in target_boxes:  # eyes and mouth: pasted at the target's component
                features = place_features(features, target_boxes[name], canvas, FEATURE_DOWNSCALE)
            elif tuple(features.shape[1:3]) != canvas:  # skin, hair: full-size maps
                features = tf.image.resize(features, canvas)
            fused.append(features)
        foreground, foreground_features = self.mask_guided_generator(
            tf.concat(fused, axis=-1), training=training
        )
        background = self.background_encoder(target_image, training=training)
        background = background * target_mask[..., :1]  # channel 0 = background: no face
        image = self.background_fusing_generator(
            [foreground, foreground_features, background], training=training
        )
        return {"image": image, "foreground": foreground}

    def discriminate(
        self, images: tf.Tensor, mask: tf.Tensor, training: bool = False
    ) -> list[list[tf.Tensor]]:
        """[D_1 outputs, D_2 outputs], each [features..., logits], conditioned on `mask`."""
        return [
            list(self.network(name)([images, mask], training=training)) for name in DISCRIMINATORS
        ]

    def discriminate_pair(
        self, real: tf.Tensor, fake: tf.Tensor, mask: tf.Tensor, training: bool = True
    ) -> tuple[list[list[tf.Tensor]], list[list[tf.Tensor]]]:
        """D_1, D_2 outputs of real and fake images (B each) from one batch of 2B.

        `mask` is the condition of both, one-hot (B, S, S, 11); `training` puts the
        discriminators in training mode (False for held-out losses).
        """
        both_masks = tf.concat([mask, mask], axis=0)  # (2B, S, S, 11)
        outputs = self.discriminate(tf.concat([real, fake], axis=0), both_masks, training=training)
        halves = [[tf.split(tensor, 2, axis=0) for tensor in scale] for scale in outputs]
        real_outputs = [[pair[0] for pair in scale] for scale in halves]
        fake_outputs = [[pair[1] for pair in scale] for scale in halves]
        return real_outputs, fake_outputs

    def call(self, inputs: Mapping[str, tf.Tensor], training: bool = False) -> tf.Tensor:
        """G(x^s, m^s, x^t, m^t) from images and masks alone (crops and boxes in the graph).

        Args:
            inputs: {'source_image', 'target_image': float32 (B, S, S, 3) in [-1, 1];
                'source_mask', 'target_mask': one-hot (B, S, S, 11) or int (B, S, S)}.

        Returns:
            float32 (B, S, S, 3) in [-1, 1].
        """
        components, _ = component_images(
            inputs["source_image"],
            inputs["source_mask"],
            self.image_size,
            self.model_config.eye_pixels_only,
        )
        target_mask = self.one_hot(inputs["target_mask"])
        codes, _ = self.embed(components, training=training)
        boxes = component_boxes(target_mask, self.image_size)
        return self.render(codes, target_mask, boxes, inputs["target_image"], training)["image"]

    @staticmethod
    def one_hot(mask: tf.Tensor) -> tf.Tensor:
        """One-hot float32 (B, S, S, 11) of a label map (B, S, S) (one-hot masks pass through)."""
        mask = tf.convert_to_tensor(mask)
        if mask.shape.rank == 4:
            return tf.cast(mask, tf.float32)
        return tf.one_hot(tf.cast(mask, tf.int32), CLASSES, dtype=tf.float32)

    @tf.function(reduce_retracing=True)
    def mixed_generation(
        self,
        source_images: tf.Tensor,
        source_labels: tf.Tensor,
        target_images: tf.Tensor,
        target_labels: tf.Tensor,
        donor_images: tf.Tensor,
        donor_labels: tf.Tensor,
        donor_flags: tf.Tensor,
    ) -> tf.Tensor:
        """G with component i taken from the donor where donor_flags[i] = 1 (else the source):
        the graph of the editing API (`editing`).

        Images float32 (B, S, S, 3) in [-1, 1]; labels int32 (B, S, S); donor_flags float32
        (5,) in {0, 1} over `COMPONENT_NAMES`. Returns float32 (B, S, S, 3) in [-1, 1].
        """
        eyes_only = self.model_config.eye_pixels_only
        sources, _ = component_images(source_images, source_labels, self.image_size, eyes_only)
        donors, _ = component_images(donor_images, donor_labels, self.image_size, eyes_only)
        components = {
            name: donor_flags[index] * donors[name] + (1.0 - donor_flags[index]) * sources[name]
            for index, name in enumerate(COMPONENT_NAMES)
        }
        codes, _ = self.embed(components)
        target_mask = self.one_hot(target_labels)
        boxes = component_boxes(target_labels, self.image_size)
        return self.render(codes, target_mask, boxes, target_images)["image"]

    @tf.function(reduce_retracing=True)
    def parsed_labels(self, images: tf.Tensor) -> tf.Tensor:
        """uint8 (B, S, S) argmax of P_F's logits for float32 (B, S, S, 3) images."""
        logits = self.face_parser(images, training=False)
        return tf.cast(tf.argmax(logits, axis=-1), tf.uint8)

    # -- the objectives (`UPDATES`) ------------------------------------------------------------
    def parser_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """P_F's pixel-wise cross entropy on real images and masks (Eq. 3.7), (B,).

        Classes are weighted by `parser_class_weights` when given (1 otherwise).
        """
        logits = self.face_parser(batch["image"], training=training)  # (B, S, S, 11)
        return {
            "parser_loss": class_weighted_parsing_loss(
                batch["label_map_11"], logits, self.model_config.parser_class_weights
            )
        }

    def paired(self, training: bool) -> tf.Tensor:
        """float32 scalar: 1.0 if this step is paired (`training.paired_flag` of the generator
        step, counted after the pre-training); always 1.0 for held-out losses."""
        if not training:
            return tf.constant(1.0)
        generator_step = self.step_counter - self.model_config.parser_pretrain_steps
        return paired_flag(generator_step, self.model_config.paired_fraction)

    def generator_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """The generator objective (Eq. 3.9 / 3.10) and its terms, each (B,); carries 'fake'.

        Args:
            batch: see `training.gan_inputs`.
            training: networks in training mode, sampled VAE codes and the step's pairing
                (False: inference mode, the means, paired).
        """
        config = self.model_config
        paired = self.paired(training)  # float32 scalar 1.0 / 0.0
        inputs = gan_inputs(batch, paired)
        target_image = inputs["target_image"]  # x^t, (B, S, S, 3) in [-1, 1]
        source_components = inputs["source_components"]
        codes, kl = self.embed(source_components, training=training, sample=training)
        reconstructions = self.reconstruct_components(codes, training=training)
        local = tf.add_n(  # Eq. 3.1, mean squared error per component, summed
            [
                mean_per_example(tf.square(reconstructions[name] - source_components[name]))
                for name in COMPONENT_NAMES
            ]
        )
        fake = self.render(
            codes, inputs["target_mask"], inputs["target_boxes"], target_image, training=training
        )["image"]
        reconstruction = mean_per_example(tf.square(fake - target_image))  # Eq. 3.2
        # Real and fake in one batch per discriminator (all its normalisations are per
        # example, so this equals two calls); the real half only feeds feature matching.
        real_outputs, fake_outputs = self.discriminate_pair(
            target_image, fake, inputs["target_mask"], training=training
        )
        adversarial = generator_adversarial_loss(  # Eq. 3.4, both scales
            [outputs[-1] for outputs in fake_outputs], mode=self.mode
        )
        matching = feature_matching_loss(  # Eq. 3.5 (pix2pixHD form)
            [outputs[:-1] for outputs in real_outputs],
            [outputs[:-1] for outputs in fake_outputs],
            weighting="pix2pixhd",
        )
        parser_logits = self.face_parser(fake, training=False)  # frozen P_F
        parsing = parsing_cross_entropy_loss(inputs["parsing_target"], parser_logits)  # Eq. 3.8
        generator_loss = (  # Eq. 3.9; the paired flag drops L_global and L_FM (Eq. 3.10)
            config.local_weight * local
            + paired * config.global_weight * reconstruction
            + config.adversarial_weight
            * (adversarial + paired * config.feature_matching_weight * matching)
            + config.parsing_weight * parsing
            + config.kl_weight * kl
        )
        return {
            "local_loss": local,
            "global_loss": reconstruction,
            "adversarial_loss": adversarial,
            "feature_matching_loss": matching,
            "parsing_loss": parsing,
            "kl_loss": kl,
            "generator_loss": generator_loss,
            "paired": tf.fill(tf.shape(local), paired),  # (B,) 1.0 / 0.0
            "fake": fake,  # carried to the discriminators
        }

    def discriminator_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """The two discriminators' objective (Eq. 3.3, both scales) on the real targets and
        the carried fakes, (B,)."""
        real_outputs, fake_outputs = self.discriminate_pair(
            batch["image"], carried["fake"], batch["label_map_11"], training=training
        )
        return {
            "discriminator_loss": discriminator_adversarial_loss(
                [outputs[-1] for outputs in real_outputs],
                [outputs[-1] for outputs in fake_outputs],
                mode=self.mode,
            )
        }

    def record(self, **values: tf.Tensor) -> None:
        """Logs the terms; `PAIRED_ONLY_LOSSES` are averaged over paired examples only
        (weighted by the 'paired' term), as they enter the objective only there."""
        if "paired" in values:
            for name in PAIRED_ONLY_LOSSES:
                self.trackers[name].update_state(values.pop(name), sample_weight=values["paired"])
        super().record(**values)

    def preview(self, batch: Mapping[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """Reconstruction (paired), a neighbour's appearance in each structure (unpaired),
        P_F's parse (PORTRAIT_11 palette): float (B, S, S, 3) in [-1, 1]."""
        images, masks = batch["image"], batch["label_map_11"]
        rolled = {
            "source_image": tf.roll(images, 1, axis=0),
            "source_mask": tf.roll(masks, 1, axis=0),
        }
        palette = tf.constant(PORTRAIT_11.palette(), tf.float32) / 127.5 - 1.0  # (11, 3)
        parsed = tf.argmax(self.face_parser(images, training=False), axis=-1)
        paired = {"source_image": images, "source_mask": masks}
        return {
            "real": images,
            "reconstruction": self({**paired, "target_image": images, "target_mask": masks}),
            "unpaired": self({**rolled, "target_image": images, "target_mask": masks}),
            "parsed": tf.gather(palette, parsed),
        }

    # -- the editing API (`editing`: eager input checks around `mixed_generation`) ---------------
    synthesize = editing.synthesize
    edit = editing.edit
    swap_mask = editing.swap_mask
    transfer_style = editing.transfer_style
    parse = editing.parse
