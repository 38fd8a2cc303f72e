"""`MaskGuidedSystem`: mask-guided portrait editing (Gu et al. CVPR 2019; S1408 thesis ch. 3-4).

The networks and the forward pass: local embeddings (E_local, D_local, D_sub-network) of
the source's five components, the target mask encoder E_m, the placement of component
features at the target's component positions, the mask-guided generator G_m, and the
background fusing sub-network (E_b, G_b); the multi-scale discriminators and the face
parser. Training is in `training.MaskGuidedTraining`, the editing API in
`editing.MaskGuidedEditing`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import keras
import tensorflow as tf

from tfface.losses import kl_divergence_loss
from tfface.networks.component_feature_decoder import FEATURE_DOWNSCALE
from tfface.systems.base import GANSystem
from tfface.systems.mask_guided.components import (
    CLASSES,
    COMPONENT_NAMES,
    component_boxes,
    component_images,
    place_features,
)
from tfface.systems.mask_guided.config import MaskGuidedConfig, MaskGuidedModelConfig
from tfface.systems.mask_guided.editing import MaskGuidedEditing
from tfface.systems.mask_guided.training import MaskGuidedTraining
from tfface.training.phases import TrainingPhase

GENERATOR_NETWORKS: tuple[str, ...] = (
    *(f"{component}_encoder" for component in COMPONENT_NAMES),
    *(f"{component}_decoder" for component in COMPONENT_NAMES),
    *(f"{component}_feature_decoder" for component in COMPONENT_NAMES),
    "mask_encoder",
    "mask_guided_generator",
    "background_encoder",
    "background_fusing_generator",
)
"""The networks of the inference path (updated by the generator objective, Eq. 3.9)."""
DISCRIMINATORS: tuple[str, ...] = ("discriminator_1", "discriminator_2")
ADVERSARIAL_MODES = {"least_squares": "least_squares", "original": "non_saturating"}
"""adversarial_form -> tfface.losses mode ("original" is Eq. 3.3 / 3.4: -log D(G))."""


class MaskGuidedSystem(MaskGuidedTraining, MaskGuidedEditing, GANSystem):
    """Mask-guided portrait editing: local embeddings + mask-guided generator + background fusing.

    Gu et al., "Mask-Guided Portrait Editing with Conditional GANs", CVPR 2019, as
    re-implemented in the S1408 thesis (ch. 3: Fig. 3.1-3.4, Eq. 3.1-3.10; ch. 4).

    Args:
        networks: the networks built by `build_networks` (names in `GENERATOR_NETWORKS`,
            `DISCRIMINATORS` and "face_parser").
        model_config: sizes, loss weights and switches.
        ema_networks / ema_decay / seed / name: see `GANSystem`.

    `call(inputs)` is the inference path: inputs {'source_image', 'target_image':
    float32 (B, S, S, 3) in [-1, 1]; 'source_mask', 'target_mask': one-hot (B, S, S, 11)}
    -> the generated image G(x^s, m^s, x^t, m^t), float32 (B, S, S, 3) in [-1, 1]. The
    editing API (`synthesize`, `edit`, `swap_mask`, `transfer_style`, `parse`) is in
    `MaskGuidedEditing`.
    """

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
    OPTIMIZER_GROUPS = {
        "parser": ("face_parser",),
        "generator": GENERATOR_NETWORKS,
        "discriminator": DISCRIMINATORS,
    }

    @classmethod
    def phases(cls, config: MaskGuidedConfig) -> tuple[TrainingPhase, ...]:
        """Parser pre-training (Eq. 3.7, the first `model.parser_pretrain_steps` steps), then
        GAN training with the parser frozen (Eq. 3.3, 3.9); see `MaskGuidedTraining`."""
        pretrain_steps = min(config.model.parser_pretrain_steps, config.train.steps)
        gan_losses = tuple(name for name in cls.LOSS_NAMES if name not in ("parser_loss", "paired"))
        phases = (
            TrainingPhase("parser pre-training", 0, pretrain_steps, ("parser_loss",)),
            TrainingPhase("GAN training", pretrain_steps, config.train.steps, gan_losses),
        )
        return tuple(phase for phase in phases if phase.steps > 0)

    def __init__(
        self,
        networks: Mapping[str, keras.Model],
        model_config: MaskGuidedModelConfig,
        ema_networks: Sequence[str] = (),
        ema_decay: float | None = None,
        seed: int = 0,
        name: str = "mask_guided",
    ) -> None:
        expected = {*GENERATOR_NETWORKS, *DISCRIMINATORS, "face_parser"}
        missing = sorted(expected - set(networks))
        if missing:
            raise ValueError(f"MaskGuidedSystem is missing networks {missing}")
        super().__init__(networks, ema_networks, ema_decay, seed, name)
        self.model_config = model_config
        self.image_size = model_config.image_size
        self.mode = ADVERSARIAL_MODES[model_config.adversarial_form]

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
        self, real: tf.Tensor, fake: tf.Tensor, masks: tf.Tensor, training: bool = True
    ) -> tuple[list[list[tf.Tensor]], list[list[tf.Tensor]]]:
        """D_1, D_2 outputs of real and fake images (B each) from one batch of 2B.

        `masks` is the condition of the concatenated batch, (2B, S, S, 11); `training`
        puts the discriminators in training mode (False for held-out losses).
        """
        outputs = self.discriminate(tf.concat([real, fake], axis=0), masks, training=training)
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
