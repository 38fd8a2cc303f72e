"""`PoseEditingSystem`: pose editing by Pixel Attention Sampling + conditional U-Net inpainting.

Yin 2022 ch. 3 (Fig. 3.3-3.4). The forward pass: the source I is aligned to the target's
landmarks (`landmarks.align_source`, L1223-1232) -> I_tf; PAS maps (I_tf, target
landmarks) to a sampling map and samples I_tf at it -> J^_fake (pixels taken from the
input, L1236-1249); the conditional U-Net inpaints J^_fake -> J_fake (L1303-1305). With
`model.pas` false (the ablation of L1398) the U-Net takes I_tf directly. Landmarks enter
the networks normalised (`landmarks.normalize_landmarks`); with an identity network the
U-Net's decoder also sees the input face's identity feature (`networks.identity_feature`).
Real photos get their landmarks from a face_reconstruction export (`data`,
`tfface.systems.reconstruction_landmarks`). The losses are in `training`,
the data recipe in `data`, the serving signatures in `export`.
"""

from __future__ import annotations

from collections.abc import Mapping

import keras
import numpy as np
import tensorflow as tf

from tfface.config.model_config import AdamConfig
from tfface.losses import identity_l1_distance, masked_l1_loss
from tfface.ops.warp import grid_sample
from tfface.systems.base import GANSystem
from tfface.systems.image_inputs import as_images
from tfface.systems.pose_editing import config as settings
from tfface.systems.pose_editing.config import PoseEditingConfig, PoseEditingModelConfig
from tfface.systems.pose_editing.data import pose_editing_batches
from tfface.systems.pose_editing.export import pose_editing_signatures
from tfface.systems.pose_editing.inputs import as_angles, as_landmarks
from tfface.systems.pose_editing.landmarks import (
    align_source,
    denormalize_landmarks,
    normalize_landmarks,
    rotate_landmarks,
)
from tfface.systems.pose_editing.networks import (
    build_conditional_unet,
    build_landmark_estimator,
    build_pixel_attention_sampler,
    build_projection_discriminator,
    encoder_filters,
)
from tfface.systems.pose_editing.training import (
    DISCRIMINATOR_UPDATE,
    INPAINTER_UPDATE,
    LANDMARK_UPDATE,
    PRETRAIN_UPDATE,
    SAMPLER_UPDATE,
    Stage,
    discriminator_term,
    generator_terms,
    perceptual_term,
    sampler_terms,
)
from tfface.training.phases import TrainingPhase
from tfface.weights.identity_network import FrozenEmbedding, load_identity_network

FRONTAL_DEGREES = 1.0
"""A view whose |yaw| and |pitch| are below this is frontal (it teaches the frontal template)."""


def decoder_identity_network(model: PoseEditingModelConfig) -> keras.Model | None:
    """The Keras embedding network whose feature conditions the U-Net's decoder, or None
    (no model.identity_model, or model.identity_condition false).

    Raises:
        ValueError: the identity model is not a Keras model (a SavedModel cannot be built
            into the U-Net: save it as `.keras`, or set model.identity_condition: false).
    """
    if not (model.identity_model and model.identity_condition):
        return None
    frozen = load_identity_network(model.identity_model)
    if not isinstance(frozen.module, keras.Model):
        raise ValueError(
            f"model.identity_model {model.identity_model} is not a Keras model: the decoder's "
            "identity condition builds it into the U-Net; save it as a .keras file, or set "
            "model.identity_condition: false (identity loss only)"
        )
    return frozen.module


class PoseEditingSystem(GANSystem):
    """Pose editing: similarity alignment + PAS + conditional U-Net (Yin 2022 ch. 3).

    `call(inputs)` is the inference path. inputs: float32 images (B, S, S, 3) in [-1, 1]
    (frontalised), or a dict with 'image' and either 'source_landmarks' +
    'target_landmarks' (B, 68, 3) pixels (`rotate_to_pose`) or 'target_yaw' +
    'target_pitch' (B,) degrees, optionally with 'source_landmarks'
    (`rotate_to_angles`: the target landmarks are the learnt frontal template posed at
    the angles, the source landmarks our estimator's unless given). Output {'image':
    J_fake (B, S, S, 3) in [-1, 1], 'sampled': the PAS-sampled image J^_fake (the aligned
    image I_tf without PAS), 'aligned': I_tf}.
    """

    NAME = "pose_editing"
    SUMMARY = "pose editing by pixel attention sampling and conditional U-Net inpainting (Yin 2022)"
    CONFIG = PoseEditingConfig
    PRESETS = settings.PRESETS
    NETWORKS = ("inpainter", "discriminator", "landmark_estimator")
    OPTIONAL_NETWORKS = ("pixel_attention_sampler",)
    INFERENCE_NETWORKS = ("pixel_attention_sampler", "inpainter", "landmark_estimator")
    OPTIMIZER_GROUPS = {
        group: (network,)
        for group, network in (
            ("sampler", "pixel_attention_sampler"),
            ("inpainter", "inpainter"),
            ("discriminator", "discriminator"),
            ("landmarks", "landmark_estimator"),
        )
    }  # one Adam per network (methods/pose_editing.md sec. 4.8)
    LOSS_NAMES = (
        "pretrain_loss",
        "sampler_pixel_loss",
        "segmentation_loss",
        "sampler_perceptual_loss",
        "sampler_tv_loss",
        "sampler_loss",
        "pixel_loss",
        "perceptual_loss",
        "identity_loss",
        "tv_loss",
        "adversarial_loss",
        "generator_loss",
        "discriminator_loss",
        "landmark_loss",
        "template_loss",
    )
    UPDATES = (SAMPLER_UPDATE, INPAINTER_UPDATE, DISCRIMINATOR_UPDATE, LANDMARK_UPDATE)
    DATA = staticmethod(pose_editing_batches)
    EXPORTS = staticmethod(pose_editing_signatures)
    SYNTHFACES = ("--yaws", "0", "30", "--pair-with-frontal", "--shared-scene")

    identity_network: FrozenEmbedding | None = None
    """The frozen face-embedding network F of L_id (Eq. 3.11), None: off (`prepare_training`)."""
    perceptual_extractor: keras.Model | None = None
    """VGG16 relu1_2..relu5_3 for L_per (Eqs. 3.4-3.5, 3.10), None when its weight is 0."""

    def __init__(self, networks, model_config: PoseEditingModelConfig, seed: int = 0, name=None):
        super().__init__(networks, model_config, seed=seed, name=name)
        self.ema_network_names = tuple(
            network for network in self.ema_network_names if network in self.network_names
        )

    @classmethod
    def expected_networks(cls, model_config: PoseEditingModelConfig) -> tuple[str, ...]:
        """The U-Net, the discriminator, the landmark estimator, and PAS with model.pas."""
        sampler = cls.OPTIONAL_NETWORKS if model_config.pas else ()
        return (*cls.NETWORKS, *sampler)

    @classmethod
    def build_networks(
        cls, model_config: PoseEditingModelConfig, seed: int = 0
    ) -> dict[str, keras.Model]:
        """PAS: [image (B, S, S, 3), landmarks (B, 68, 3)] -> map (B, S, S, 2); U-Net: the same
        inputs (+ 'identity_image' with model.identity_model and identity_condition) -> image
        (B, S, S, 3); D: [image, landmarks] -> score (B, 1); landmark estimator: image ->
        {'landmarks', 'frontal_template'} (B, 68, 3) normalised."""
        keras.utils.set_random_seed(seed)
        model, size = model_config, model_config.image_size
        networks = {
            "inpainter": build_conditional_unet(
                size,
                model.base_filters,
                model.max_filters,
                model.downsamplings,
                decoder_identity_network(model),
            ),
            "discriminator": build_projection_discriminator(
                size,
                encoder_filters(model.base_filters, model.max_filters, model.discriminator_layers),
            ),
            "landmark_estimator": build_landmark_estimator(
                size, model.landmark_filters, model.template_scale
            ),
        }
        if model.pas:
            networks["pixel_attention_sampler"] = build_pixel_attention_sampler(
                size,
                model.base_filters,
                model.max_filters,
                model.downsamplings,
                model.attention_sizes,
                model.embedding_size,
                model.sampler_hidden,
                model.sampling_map,
            )
        return networks

    @classmethod
    def optimizer_configs(cls, config: PoseEditingConfig) -> dict[str, AdamConfig]:
        """Adam(train.learning_rate, beta_1, beta_2) per network (thesis: 1e-4, 0.9, 0.999)."""
        model = config.model
        adam = AdamConfig(config.train.learning_rate, model.beta_1, model.beta_2)
        groups = ["inpainter", "discriminator", "landmarks"] + (["sampler"] if model.pas else [])
        return dict.fromkeys(groups, adam)

    def prepare_training(self, config: PoseEditingConfig) -> None:
        """Loads F of L_id (model.identity_model, "" = off) and VGG16 of L_per (weight > 0)."""
        model = config.model
        self.identity_network = load_identity_network(model.identity_model)
        if model.perceptual_weight > 0 and self.perceptual_extractor is None:
            from tfface.losses.perceptual_presets import POSE_EDITING
            from tfface.weights import vgg_features_for_preset

            self.perceptual_extractor = vgg_features_for_preset(
                POSE_EDITING, weights=model.perceptual_weights
            )

    @classmethod
    def phases(cls, config: PoseEditingConfig) -> tuple[TrainingPhase, ...]:
        """Inpainter pre-training (model.pretrain_steps), then joint training (`training`)."""
        pretrain_steps = min(config.model.pretrain_steps, config.train.steps)
        auxiliary = ("discriminator_loss", "landmark_loss", "template_loss")
        joint = tuple(name for name in cls.LOSS_NAMES if name != "pretrain_loss")
        if not config.model.pas:
            joint = tuple(name for name in joint if "sampler" not in name and "segment" not in name)
        phases = (
            TrainingPhase(
                "inpainter pre-training", 0, pretrain_steps, ("pretrain_loss", *auxiliary)
            ),
            TrainingPhase("joint training", pretrain_steps, config.train.steps, joint),
        )
        return tuple(phase for phase in phases if phase.steps > 0)

    def stages(self) -> tuple[Stage, ...]:
        """Pre-training (inpainter, D, landmarks) for model.pretrain_steps, then joint
        training (PAS when enabled, inpainter, D, landmarks)."""
        joint = ((SAMPLER_UPDATE,) if self.model_config.pas else ()) + (
            INPAINTER_UPDATE,
            DISCRIMINATOR_UPDATE,
            LANDMARK_UPDATE,
        )
        pretrain_steps = self.model_config.pretrain_steps
        if pretrain_steps == 0:
            return ((0, joint),)
        return (
            (0, (PRETRAIN_UPDATE, DISCRIMINATOR_UPDATE, LANDMARK_UPDATE)),
            (pretrain_steps, joint),
        )

    # -- the forward pass ---------------------------------------------------------------------
    def perceptual(self, generated: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
        """L_per(generated, target) (B,) with model.perceptual_weight's switch (`training`)."""
        weight = self.model_config.perceptual_weight
        return perceptual_term(self.perceptual_extractor, generated, target, weight)

    def condition(self, landmarks: tf.Tensor) -> tf.Tensor:
        """Pixels (B, 68, 3) -> the normalised network condition (B, 68, 3)."""
        return normalize_landmarks(tf.cast(landmarks, tf.float32), self.image_size)

    def pixel_attention(
        self, images: tf.Tensor, condition: tf.Tensor, extra: tf.Tensor | None, training: bool
    ) -> tuple[tf.Tensor, tf.Tensor | None]:
        """PAS: samples `images` (B, S, S, 3) (and `extra` (B, S, S, K)) at PAS's map."""
        grid = self.pixel_attention_sampler([images, condition], training=training)
        sampled = grid_sample(images, grid)  # (B, S, S, 3), zeros outside the image
        return sampled, (None if extra is None else grid_sample(extra, grid))

    def inpaint(
        self,
        images: tf.Tensor,
        condition: tf.Tensor,
        identity_images: tf.Tensor,
        training: bool,
    ) -> tf.Tensor:
        """The U-Net on `images` (B, S, S, 3) with the landmark condition (B, 68, 3); its
        decoder also sees the identity of `identity_images` (B, S, S, 3) when it has an
        identity input (`build_conditional_unet`)."""
        inputs = [images, condition]
        if len(self.inpainter.inputs) == 3:
            inputs.append(identity_images)
        return self.inpainter(inputs, training=training)

    def edit_graph(
        self,
        image: tf.Tensor,
        source_landmarks: tf.Tensor,
        target_landmarks: tf.Tensor,
        training: bool = False,
    ) -> dict[str, tf.Tensor]:
        """I (B, S, S, 3) in [-1, 1] with landmarks (B, 68, 3) pixels -> {'image' J_fake,
        'sampled' J^_fake (I_tf without PAS), 'aligned' I_tf}, each (B, S, S, 3)."""
        image = tf.cast(image, tf.float32)
        target_landmarks = tf.cast(target_landmarks, tf.float32)
        aligned = align_source(image, tf.cast(source_landmarks, tf.float32), target_landmarks)
        condition = self.condition(target_landmarks)
        sampled = aligned["aligned_image"]
        if self.model_config.pas:
            sampled, _ = self.pixel_attention(sampled, condition, None, training)
        output = self.inpaint(sampled, condition, image, training)
        return {"image": output, "sampled": sampled, "aligned": aligned["aligned_image"]}

    def estimate_landmarks(self, image: tf.Tensor) -> dict[str, tf.Tensor]:
        """Our estimator: {'landmarks' (B, 68, 3) pixels of `image`, 'frontal_template' (B, 68, 3)
        normalised}."""
        estimated = self.landmark_estimator(tf.cast(image, tf.float32), training=False)
        return {
            "landmarks": denormalize_landmarks(estimated["landmarks"], self.image_size),
            "frontal_template": estimated["frontal_template"],
        }

    def angle_landmarks(self, template: tf.Tensor, yaw: tf.Tensor, pitch: tf.Tensor) -> tf.Tensor:
        """The frontal template (B, 68, 3) normalised posed at yaw, pitch (B,): pixels."""
        posed = rotate_landmarks(template, yaw, pitch, self.image_size)
        return denormalize_landmarks(posed, self.image_size)

    def call(self, inputs, training: bool = False) -> dict[str, tf.Tensor]:
        """The inference path (class docstring)."""
        if not isinstance(inputs, Mapping):
            inputs = {"image": inputs}
        image = tf.cast(inputs["image"], tf.float32)
        if "target_landmarks" in inputs:
            return self.edit_graph(
                image, inputs["source_landmarks"], inputs["target_landmarks"], training
            )
        estimated = self.estimate_landmarks(image)
        batch = tf.shape(image)[:1]
        yaw = tf.cast(inputs.get("target_yaw", tf.zeros(batch)), tf.float32)
        pitch = tf.cast(inputs.get("target_pitch", tf.zeros(batch)), tf.float32)
        source = inputs.get("source_landmarks", estimated["landmarks"])
        target = self.angle_landmarks(estimated["frontal_template"], yaw, pitch)
        return self.edit_graph(image, source, target, training)

    @tf.function(reduce_retracing=True)
    def _edit(self, inputs: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        return self(inputs, training=False)

    def rotate_to_pose(
        self, images: object, source_landmarks: object, target_landmarks: object
    ) -> dict[str, np.ndarray]:
        """Edits faces to the pose of `target_landmarks`, eagerly with checked inputs.

        Args:
            images: float (B, S, S, 3) or (S, S, 3) in [-1, 1].
            source_landmarks, target_landmarks: (B, 68, 3) or (68, 3) iBUG-68 (x, y, depth)
                pixels of the images' size (target: the guide's, any person, L1355).

        Returns:
            NumPy {'image', 'sampled', 'aligned'} (B, S, S, 3) in [-1, 1].

        Raises:
            ValueError: bad images or landmarks, before any graph runs.
        """
        checked = as_images(images, self.image_size, "images")
        count = len(checked)
        inputs = {
            "image": tf.constant(checked),
            "source_landmarks": tf.constant(
                as_landmarks(source_landmarks, count, "source_landmarks")
            ),
            "target_landmarks": tf.constant(
                as_landmarks(target_landmarks, count, "target_landmarks")
            ),
        }
        return {name: value.numpy() for name, value in self._edit(inputs).items()}

    def rotate_to_angles(
        self,
        images: object,
        target_yaw: object = 0.0,
        target_pitch: object = 0.0,
        source_landmarks: object = None,
    ) -> dict[str, np.ndarray]:
        """Edits faces to (yaw, pitch) degrees (the learnt frontal template posed there).

        Args:
            images: float (B, S, S, 3) or (S, S, 3) in [-1, 1].
            target_yaw: a number or one per image, degrees in [-90, 90].
            target_pitch: a number or one per image, degrees in [-60, 60].
            source_landmarks: None (our estimator's) or (B, 68, 3) pixels.

        Returns / Raises: as `rotate_to_pose`.
        """
        checked = as_images(images, self.image_size, "images")
        count = len(checked)
        yaw, pitch = as_angles(target_yaw, target_pitch, count)
        inputs = {
            "image": tf.constant(checked),
            "target_yaw": tf.constant(yaw),
            "target_pitch": tf.constant(pitch),
        }
        if source_landmarks is not None:
            inputs["source_landmarks"] = tf.constant(
                as_landmarks(source_landmarks, count, "source_landmarks")
            )
        return {name: value.numpy() for name, value in self._edit(inputs).items()}

    # -- the objectives (UPDATES) -------------------------------------------------------------
    def pretrain_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """Pre-training L_gen on the occlusion task only: S_occ -> S_recon (Eq. 3.9's third
        term with its perceptual, TV and adversarial terms), (B,); carries the fakes.

        Args:
            batch: `data.pose_editing_batches` ('unpaired_image' S, 'occluded_image' S_occ,
                'unpaired_landmarks' pixels).
        """
        real = batch["unpaired_image"]  # S, (B, S, S, 3) in [-1, 1]
        condition = self.condition(batch["unpaired_landmarks"])
        occluded = batch["occluded_image"]
        fake = self.inpaint(occluded, condition, occluded, training)
        scores = self.discriminator([fake, condition], training=training)
        perceptual = self.perceptual(fake, real)
        no_identity = tf.zeros_like(perceptual)
        terms = generator_terms(
            self.model_config, fake, real, (1.0,), perceptual, no_identity, scores
        )
        return {
            "pretrain_loss": terms["generator_loss"],
            "fakes": fake,
            "reals": real,
            "conditions": condition,
        }

    def sampler_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """L_sampler (Eq. 3.8) and its terms, (B,); carries J^_fake ('sampled') and
        I^_recon ('reconstruction_sampled').

        PAS runs once on [I_tf; I] with [ldmk_J; ldmk_I] (the reconstruction branch feeds
        the unaligned I, methods/pose_editing.md sec. 4.3).
        """
        target, source = batch["target_image"], batch["image"]
        count = tf.shape(source)[0]
        conditions = tf.concat(
            [self.condition(batch["target_landmarks"]), self.condition(batch["landmarks"])], 0
        )
        images = tf.concat([batch["aligned_image"], source], axis=0)  # (2B, S, S, 3)
        grid = self.pixel_attention_sampler([images, conditions], training=training)
        sampled = grid_sample(images, grid)
        segmentation = grid_sample(batch["aligned_segmentation"], grid[:count])  # J_seg_fake
        target_sampled, reconstruction = sampled[:count], sampled[count:]
        perceptual = self.perceptual(target_sampled, target)
        terms = sampler_terms(
            self.model_config,
            target_sampled,
            target,
            reconstruction,
            source,
            segmentation,
            batch["target_segmentation"],
            perceptual,
        )
        return {**terms, "sampled": target_sampled, "reconstruction_sampled": reconstruction}

    def generator_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """L_gen (Eq. 3.13) and its terms, (B,); carries the fakes, reals and conditions.

        Tasks, stacked on the batch axis for one U-Net pass: pose (J^_fake, or I_tf without
        PAS, -> J_fake vs J), self-reconstruction (I^_recon, or I, -> I_recon vs I, weight
        lambda) and, with model.occluded_reconstruction, S_occ -> S_recon vs S (S: the
        unpaired image, model.unpaired_data's or I). The decoder's identity input (with an
        identity network) is I for the first two tasks and S_occ for the third.
        The PAS outputs arrive through `carried` (stop-gradient: PAS learns from
        L_sampler only).
        """
        model = self.model_config
        target, source = batch["target_image"], batch["image"]
        target_condition = self.condition(batch["target_landmarks"])
        source_condition = self.condition(batch["landmarks"])
        if model.pas:
            pose_input, reconstruction_input = carried["sampled"], carried["reconstruction_sampled"]
        else:
            pose_input, reconstruction_input = batch["aligned_image"], source
        inputs, conditions, reals, identities = (
            [pose_input, reconstruction_input],
            [target_condition, source_condition],
            [target, source],
            [source, source],  # the decoder keeps the source's identity
        )
        weights = (1.0, model.reconstruction_weight)
        if model.occluded_reconstruction:
            occluded = batch["occluded_image"]  # S_occ of the unpaired image S
            inputs.append(occluded)
            conditions.append(self.condition(batch["unpaired_landmarks"]))
            reals.append(batch["unpaired_image"])
            identities.append(occluded)
            weights += (1.0,)
        conditions, reals = tf.concat(conditions, 0), tf.concat(reals, 0)
        fakes = self.inpaint(
            tf.concat(inputs, 0), conditions, tf.concat(identities, 0), training=training
        )
        count = tf.shape(source)[0]
        perceptual = self.perceptual(fakes[:count], target)
        if model.occluded_reconstruction:
            perceptual += self.perceptual(fakes[2 * count :], batch["unpaired_image"])
        if self.identity_network is not None:
            identity = identity_l1_distance(
                self.identity_network(fakes[:count]), self.identity_network(target)
            )  # Eq. 3.11
        else:
            identity = tf.zeros(tf.shape(source)[:1], tf.float32)
        terms = generator_terms(
            model,
            fakes,
            reals,
            weights,
            perceptual,
            identity,
            self.discriminator([fakes, conditions], training=training),
        )
        return {**terms, "fakes": fakes, "reals": reals, "conditions": conditions}

    def discriminator_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """Hinge L_dis (Eq. 3.14) on the carried reals and fakes of every task, (B,)."""
        conditions = carried["conditions"]
        scores = self.discriminator(
            [tf.concat([carried["reals"], carried["fakes"]], 0), tf.concat([conditions] * 2, 0)],
            training=training,
        )  # (2 T B, 1)
        real_scores, fake_scores = tf.split(scores, 2, axis=0)
        tasks = tf.shape(conditions)[0] // tf.shape(batch["image"])[0]
        return {"discriminator_loss": discriminator_term(real_scores, fake_scores, tasks)}

    def landmark_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """Our landmark estimator: mean |predicted - true| normalised landmarks of both views,
        plus the frontal template's squared error to the frontal views' landmarks, (B,)."""
        images = tf.concat([batch["image"], batch["target_image"]], 0)  # (2B, S, S, 3)
        truth = self.condition(tf.concat([batch["landmarks"], batch["target_landmarks"]], 0))
        poses = tf.concat([batch["pose"], batch["target_pose"]], 0)  # (2B, 3) degrees
        estimated = self.landmark_estimator(images, training=training)
        error = tf.reduce_mean(tf.abs(estimated["landmarks"] - truth), axis=[1, 2])  # (2B,)
        frontal = tf.cast(
            tf.reduce_all(tf.abs(poses[:, :2]) < FRONTAL_DEGREES, axis=-1), tf.float32
        )
        template = frontal * tf.reduce_mean(
            tf.square(estimated["frontal_template"] - truth), axis=[1, 2]
        )
        count = tf.shape(batch["image"])[0]
        estimator_loss = 0.5 * (error[:count] + error[count:])
        template_loss = template[:count] + template[count:]
        return {
            "landmark_loss": estimator_loss + template_loss,
            "template_loss": template_loss,
        }

    def preview(self, batch: Mapping[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """Source, aligned, PAS-sampled, edited and target images for TensorBoard grids."""
        result = self.edit_graph(batch["image"], batch["landmarks"], batch["target_landmarks"])
        return {
            "source": batch["image"],
            "aligned": result["aligned"],
            "sampled": result["sampled"],
            "edited": result["image"],
            "target": batch["target_image"],
        }


def masked_face_l1(images: tf.Tensor, targets: tf.Tensor, segmentation: tf.Tensor) -> tf.Tensor:
    """L1 over the target's face (landmark segmentation classes > background), (B,)."""
    return masked_l1_loss(images, targets, 1.0 - segmentation[..., :1])


__all__ = ["PoseEditingSystem", "masked_face_l1"]
