"""`uv_completion`: UV texture completion from one image (Yin 2022 chapter 4).

Stage 1 (section 4.3.1, Fig. 4.3): the UV sampler reads an image I and predicts the face
mask m, a sampling map S_att and, ours, the 3DMM coefficients; the incomplete UV map is
UV_spl = grid_sample(I (.) m, S_att) (no 3D fit at inference), trained with Eq. 4.3:

    L_spl = ||UV_spl - UV_gt||_1 + ||S_att - S_gt||_1 + L_seg(m, m_gt) + lambda TV(UV_spl)

Stage 2 (section 4.3.2, sampler frozen): the UV generator completes [UV_spl, m_uv] into
UV_pred; the frozen renderer (`tfface.face3d`, not a network) shows UV_pred at the input
pose (I0R, through the fit's per-pixel UV coordinates) and at a novel yaw (I1R, through the
fit's coefficients), and Eq. 4.11 trains it:

    L = L_rec + lambda_1 L_adv + lambda_2 L_sym + lambda_3 L_id + lambda_4 TV(UV_pred)
    L_rec = ||UV_pred - UV_bl||_1 + ||I0R (.) m_gt - I (.) m_gt||_1            (Eq. 4.8)

with three discriminators (Eq. 4.7): D_face on masked faces (real I (.) m_gt; fakes I0R and
I1R), D_ctr on the UV centre and D_sd on the UV half side (left and mirrored right share it),
whose real crops come from UV_gt of frontal / profile images (`data.py`).

    system = tfface.systems.registry.build("uv_completion", config)
    outputs = system(images)  # {'uv_texture', 'uv_sampled', 'face_mask', ...}
    posed = system.render_pose(images, yaw_degrees, pitch_degrees)  # (B, S, S, 3) in [-1, 1]
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import NamedTuple

import keras
import tensorflow as tf

from tfface.config.model_config import AdamConfig
from tfface.face3d import FaceRenderer, uv_to_image
from tfface.face3d.coefficients import CoefficientLayout
from tfface.losses import masked_l1_loss
from tfface.losses.adversarial import discriminator_adversarial_loss, generator_adversarial_loss
from tfface.losses.identity import identity_l1_distance
from tfface.losses.regularization import total_variation_loss
from tfface.ops import grid_sample
from tfface.systems.base import GANSystem
from tfface.systems.updates import Update
from tfface.systems.uv_completion.config import (
    UvCompletionConfig,
    UvCompletionModelConfig,
    no_partial_discriminators,
    no_sampler,
    no_symmetry,
    paper,
    tiny,
)
from tfface.systems.uv_completion.data import uv_batches
from tfface.systems.uv_completion.export import uv_completion_signatures
from tfface.systems.uv_completion.layout import (
    load_model,
    morphable_model_path,
    optional_identity_network,
    partial_crops,
)
from tfface.systems.uv_completion.losses import (
    coefficient_loss,
    flagged_discriminator_loss,
    sampler_losses,
    symmetry_loss,
    weighted_total,
)
from tfface.systems.uv_completion.networks import (
    SAMPLER_OUTPUTS,
    build_discriminator,
    build_generator,
    build_sampler,
)
from tfface.weights.identity_network import FrozenEmbedding, load_identity_network

SAMPLER_TRAINING = (Update("sampler", "sampler_objective", "sampler_loss"),)
GAN_TRAINING = (
    Update("generator", "generator_objective", "generator_loss"),
    Update("face_discriminator", "face_discriminator_objective", "face_discriminator_loss"),
    Update(
        "partial_discriminators",
        "partial_discriminator_objective",
        "partial_discriminator_loss",
    ),
)


class PixelUv(NamedTuple):
    """A view's per-pixel UV coordinates (B, S, S, 2) and mask (B, S, S, 1), as `uv_to_image`
    reads them from a render."""

    uv_coords: tf.Tensor
    mask: tf.Tensor


def novel_yaws(coefficients: tf.Tensor, step: tf.Tensor, max_yaw: float) -> tf.Tensor:
    """(B,) yaws in RADIANS in [-max_yaw, max_yaw] degrees for the novel view I1R (A12).

    A hash of each example's coefficients and the step, not a random draw: every replica
    draws for its own examples what one device draws for them (the contract's two-replica
    equality), and a held-out batch always gets the same views.
    """
    seed = tf.reduce_sum(coefficients[:, :8] * tf.range(1.0, 9.0), axis=-1)
    seed = seed + 0.618034 * tf.cast(step, tf.float32)
    uniform = tf.math.floormod(tf.sin(seed * 12.9898) * 43758.5453, 1.0)  # (B,) in [0, 1)
    return tf.stop_gradient((2.0 * uniform - 1.0) * math.radians(max_yaw))


class UvCompletionSystem(GANSystem):
    """UV sampler + UV generator with three discriminators (module docstring).

    Args:
        networks: 'sampler', 'generator', 'face_discriminator' and, with
            model.partial_discriminators, 'centre_discriminator' and 'side_discriminator'.
        model_config: with `morphable_model` set (`create` sets it).
        seed, name: as `GANSystem`.
        identity_network: the frozen face embedding of L_id, or None (off).
    """

    NAME = "uv_completion"
    SUMMARY = (
        "UV texture completion: UV attention sampler + UV GAN, 3 discriminators (Yin 2022 ch. 4)"
    )
    CONFIG = UvCompletionConfig
    PRESETS = {
        "paper": paper,
        "tiny": tiny,
        "no_sampler": no_sampler,
        "no_partial_discriminators": no_partial_discriminators,
        "no_symmetry": no_symmetry,
    }
    NETWORKS = ("sampler", "generator", "face_discriminator")
    OPTIONAL_NETWORKS = ("centre_discriminator", "side_discriminator")
    INFERENCE_NETWORKS = ("sampler", "generator")
    OPTIMIZER_GROUPS = {
        "sampler": ("sampler",),
        "generator": ("generator",),
        "face_discriminator": ("face_discriminator",),
        "partial_discriminators": ("centre_discriminator", "side_discriminator"),
    }
    LOSS_NAMES = (
        "sampled_uv_loss",
        "sampling_map_loss",
        "segmentation_loss",
        "sampler_tv_loss",
        "coefficient_loss",
        "sampler_loss",
        "uv_reconstruction_loss",
        "face_reconstruction_loss",
        "adversarial_loss",
        "symmetry_loss",
        "identity_loss",
        "tv_loss",
        "generator_loss",
        "face_discriminator_loss",
        "partial_discriminator_loss",
    )
    OBJECTIVE = "generator_loss"
    UPDATES = SAMPLER_TRAINING + GAN_TRAINING
    DATA = staticmethod(uv_batches)
    EXPORTS = staticmethod(uv_completion_signatures)
    # UV_bl at UV 64 (the tiny preset's; other sizes are resized by the recipe)
    # yaws beyond model.profile_yaw (30) so that D_sd sees real side crops
    SYNTHFACES = (
        "--yaws",
        "-45",
        "0",
        "45",
        "--coefficients",
        "--uv-completion",
        "--uv-size",
        "64",
    )

    # -- construction -----------------------------------------------------------------------
    @classmethod
    def build_networks(
        cls, model_config: UvCompletionModelConfig, seed: int = 0
    ) -> dict[str, keras.Model]:
        """Sampler, generator and discriminators (`networks`)."""
        keras.utils.set_random_seed(seed)
        count = CoefficientLayout.for_model(load_model(model_config.morphable_model)).size
        networks = {
            "sampler": build_sampler(model_config, count),
            "generator": build_generator(model_config),
            "face_discriminator": build_discriminator(model_config, "face_discriminator"),
        }
        if model_config.partial_discriminators:
            for name in cls.OPTIONAL_NETWORKS:
                networks[name] = build_discriminator(model_config, name)
        return networks

    @classmethod
    def create(cls, config: UvCompletionConfig, **extras) -> UvCompletionSystem:
        """The system of `config`: fresh networks, the data's morphable model, the configured
        identity network (built without it when its file is missing: inference needs none)."""
        model_config = dataclasses.replace(
            config.resolved_model(), morphable_model=morphable_model_path(config)
        )
        if "identity_network" not in extras:
            extras["identity_network"] = optional_identity_network(config.model.identity_model)
        seed = config.train.seed
        return cls(cls.build_networks(model_config, seed), model_config, seed=seed, **extras)

    def __init__(
        self,
        networks: Mapping[str, keras.Model],
        model_config: UvCompletionModelConfig,
        *arguments,
        identity_network: FrozenEmbedding | None = None,
        **options,
    ) -> None:
        """`arguments` / `options`: GANSystem's seed and name."""
        super().__init__(networks, model_config, *arguments, **options)
        self._identity_network = identity_network  # plain object: Keras does not track it
        self.uv_size = model_config.uv_size
        # the frozen renderer (not a network: nothing of it is trained or saved)
        self.renderer = FaceRenderer(load_model(model_config.morphable_model), cull_backfaces=True)
        self.layout = self.renderer.layout

    @classmethod
    def expected_networks(cls, model_config: UvCompletionModelConfig) -> tuple[str, ...]:
        """The partial discriminators only with model.partial_discriminators."""
        return cls.NETWORKS + (cls.OPTIONAL_NETWORKS if model_config.partial_discriminators else ())

    def prepare_training(self, config: UvCompletionConfig) -> None:
        """Loads the configured identity network if the system has none."""
        if config.model.identity_model and self._identity_network is None:
            self._identity_network = load_identity_network(config.model.identity_model)

    @classmethod
    def optimizer_configs(cls, config: UvCompletionConfig) -> dict[str, AdamConfig]:
        """Adam 1e-4 (0.5, 0.999) for every group (section 4.4; A9)."""
        model = config.model
        adam = AdamConfig(model.learning_rate, model.beta_1, model.beta_2)
        groups = cls.OPTIMIZER_GROUPS
        return {
            group: adam
            for group in groups
            if group != "partial_discriminators" or model.partial_discriminators
        }

    def stages(self) -> tuple[tuple[int, tuple[Update, ...]], ...]:
        """Sampler pre-training for model.sampler_steps steps, then the GAN stage; the
        no-sampler ablation (its generator completes the traditional UV_gt) trains the GAN
        stage only."""
        if not self.model_config.use_sampler:
            return ((0, GAN_TRAINING),)
        return ((0, SAMPLER_TRAINING), (self.model_config.sampler_steps, GAN_TRAINING))

    @classmethod
    def phases(cls, config: UvCompletionConfig):
        """Sampler pre-training, then generator training (the progress line's phases)."""
        from tfface.training.phases import TrainingPhase

        first = min(config.model.sampler_steps, config.train.steps)
        if not config.model.use_sampler:
            first = 0
        sampler_names = cls.LOSS_NAMES[:6]
        phases = (
            TrainingPhase("sampler pre-training", 0, first, sampler_names),
            TrainingPhase("generator training", first, config.train.steps, cls.LOSS_NAMES[6:]),
        )
        return tuple(phase for phase in phases if phase.steps > 0)

    @property
    def identity_network(self) -> FrozenEmbedding | None:
        """The frozen face embedding of L_id (None: the loss is off)."""
        return self._identity_network

    # -- the forward pass -------------------------------------------------------------------
    def sample(self, images: tf.Tensor, training: bool = False) -> dict[str, tf.Tensor]:
        """Stage 1: images (B, S, S, 3) in [-1, 1] -> {'mask' m (B, S, S, 1), 'sampling_map'
        S_att (B, U, U, 2), 'uv_sampled' UV_spl (B, U, U, 3) in [-1, 1] (0 where m is 0 or
        S_att leaves the image), 'uv_mask' m_uv (B, U, U, 1), 'coefficients' (B, C) if the
        coefficient head is on}."""
        images = tf.cast(images, tf.float32)
        values = self.sampler(images, training=training)  # 2 or 3 tensors (coefficient head)
        outputs = dict(zip(SAMPLER_OUTPUTS[: len(values)], values, strict=True))
        mask, sampling_map = outputs["mask"], outputs["sampling_map"]
        outputs["uv_sampled"] = grid_sample(images * mask, sampling_map)
        outputs["uv_mask"] = grid_sample(mask, sampling_map)
        return outputs

    def generator_input(self, sampled: dict[str, tf.Tensor], batch=None) -> tf.Tensor:
        """(B, U, U, 4): [UV_spl, m_uv] (A7), or in the no-sampler ablation [UV_gt, valid]
        of the batch (Fig. 4.7)."""
        if not self.model_config.use_sampler and batch is not None:
            return tf.concat([batch["uv_gt"], batch["uv_valid"]], axis=-1)
        return tf.concat([sampled["uv_sampled"], sampled["uv_mask"]], axis=-1)

    def complete_traditional(
        self, uv_incomplete: tf.Tensor, uv_valid: tf.Tensor, training: bool = False
    ) -> tf.Tensor:
        """The no-sampler ablation's completion (Fig. 4.7): an incomplete UV map from a 3D fit
        (B, U, U, 3) in [-1, 1] and its valid texels (B, U, U, 1) in [0, 1] -> UV_pred
        (B, U, U, 3) in [-1, 1]. Texels off the valid map are zeroed first (UV_gt's empty
        value, A6)."""
        valid = tf.cast(uv_valid, tf.float32)
        uv_map = tf.cast(uv_incomplete, tf.float32) * valid
        return self.generator(tf.concat([uv_map, valid], axis=-1), training=training)

    def complete(self, images: tf.Tensor, training: bool = False) -> dict[str, tf.Tensor]:
        """images (B, S, S, 3) in [-1, 1] -> `sample`'s outputs plus 'uv_texture' UV_pred
        (B, U, U, 3) in [-1, 1]. No 3D fit is needed (section 4.3.1)."""
        sampled = self.sample(images, training=training)
        sampled["uv_texture"] = self.generator(self.generator_input(sampled), training=training)
        return sampled

    def call(self, inputs, training: bool = False) -> dict[str, tf.Tensor]:
        """`complete(inputs)` (a batch dict is read for its 'image')."""
        images = inputs["image"] if isinstance(inputs, Mapping) else inputs
        return self.complete(images, training=training)

    def posed_coefficients(
        self, coefficients: tf.Tensor, yaw: tf.Tensor, pitch: tf.Tensor | None = None
    ) -> tf.Tensor:
        """(B, C) with the yaw (and pitch) angles replaced; angles (B,) in RADIANS."""
        parts = self.layout.split(coefficients)
        angles = parts["angles"]
        new_pitch = angles[:, 1] if pitch is None else tf.cast(pitch, tf.float32)
        parts["angles"] = tf.stack([tf.cast(yaw, tf.float32), new_pitch, angles[:, 2]], axis=-1)
        return tf.concat(list(parts.values()), axis=-1)

    def render_view(
        self, uv_texture: tf.Tensor, coefficients: tf.Tensor
    ) -> tuple[tf.Tensor, tf.Tensor]:
        """UV texture (B, U, U, 3) seen with `coefficients`' shape and pose: (image (B, S, S, 3)
        in [-1, 1], 0 off the face; its mask (B, S, S, 1)). Lighting is baked in (A2)."""
        render = self.renderer(coefficients, self.image_size)
        return uv_to_image(uv_texture, render), render.mask

    def render_pose(
        self, images: tf.Tensor, yaw: tf.Tensor, pitch: tf.Tensor
    ) -> dict[str, tf.Tensor]:
        """Reconstruct, complete, re-render (section 4.5, Figs. 4.10-4.11): images (B, S, S, 3)
        in [-1, 1], yaw and pitch (B,) in DEGREES -> {'image' (B, S, S, 3) in [-1, 1] (black
        off the face), 'render_mask' (B, S, S, 1), 'uv_texture' (B, U, U, 3)}.

        Raises:
            ValueError: the system has no coefficient head (model.coefficient_head).
        """
        if not self.model_config.coefficient_head:
            raise ValueError(
                "uv_completion: render_pose needs the coefficient head (model.coefficient_head)"
            )
        completed = self.complete(images)
        coefficients = self.posed_coefficients(
            completed["coefficients"],
            tf.cast(yaw, tf.float32) * (math.pi / 180.0),
            tf.cast(pitch, tf.float32) * (math.pi / 180.0),
        )
        view, mask = self.render_view(completed["uv_texture"], coefficients)
        return {
            "image": mask * view - (1.0 - mask),
            "render_mask": mask,
            "uv_texture": completed["uv_texture"],
        }

    # -- objectives -------------------------------------------------------------------------
    def sampler_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """Eq. 4.3 plus our coefficient head's L2, each (B,) (`losses.sampler_losses`)."""
        model = self.model_config
        sampled = self.sample(batch["image"], training=training)
        terms = sampler_losses(
            sampled["uv_sampled"], sampled["sampling_map"], sampled["mask"], batch
        )
        head = model.coefficient_head
        terms["coefficient_loss"] = (
            coefficient_loss(sampled["coefficients"], batch["coefficients"], self.layout)
            if head
            else tf.zeros_like(terms["sampled_uv_loss"])
        )
        weights = {
            "sampled_uv_loss": model.sampler_uv_weight,
            "sampling_map_loss": model.sampling_map_weight,
            "segmentation_loss": model.segmentation_weight,
            "sampler_tv_loss": model.sampler_tv_weight,
            "coefficient_loss": model.coefficient_weight,
        }
        terms["sampler_loss"] = weighted_total(terms, weights)
        return terms

    def discriminate_partial(self, uv_maps: tf.Tensor, training: bool) -> dict[str, tf.Tensor]:
        """Logits of D_ctr on the centre and of D_sd on the left and mirrored right sides."""
        crops = partial_crops(uv_maps, self.model_config)
        return {
            "centre": self.centre_discriminator(crops["centre"], training=training),
            "left": self.side_discriminator(crops["left"], training=training),
            "right": self.side_discriminator(crops["right"], training=training),
        }

    def generator_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """Eq. 4.11, each term (B,); carries UV_pred and the fake views (A11, A12)."""
        model, mode = self.model_config, self.model_config.adversarial_form
        sampled = self.sample(batch["image"], training=False)  # frozen in stage 2
        uv_pred = self.generator(
            tf.stop_gradient(self.generator_input(sampled, batch)), training=training
        )
        face = batch["face_mask"] * batch["visibility"]  # m_gt on the fitted surface
        input_view = uv_to_image(uv_pred, PixelUv(batch["uv_coords"], batch["visibility"]))
        fake_input = input_view * face  # I0R (.) m_gt
        real_face = batch["image"] * face  # I^m
        yaws = novel_yaws(batch["coefficients"], self.step_counter, model.max_novel_yaw)
        novel_view, _ = self.render_view(
            uv_pred, self.posed_coefficients(batch["coefficients"], yaws)
        )  # I1R, 0 off its own render (A11): render_view masks it already
        adversarial = generator_adversarial_loss(
            self.face_discriminator(fake_input, training=training), mode=mode
        ) + generator_adversarial_loss(
            self.face_discriminator(novel_view, training=training), mode=mode
        )
        if model.partial_discriminators:
            partial = self.discriminate_partial(uv_pred, training)
            adversarial += generator_adversarial_loss(partial["centre"], mode=mode)
            adversarial += 0.5 * (
                generator_adversarial_loss(partial["left"], mode=mode)
                + generator_adversarial_loss(partial["right"], mode=mode)
            )
        terms = {
            "uv_reconstruction_loss": masked_l1_loss(uv_pred, batch["uv_blend"]),
            "face_reconstruction_loss": masked_l1_loss(fake_input, real_face, face),
            "adversarial_loss": adversarial,
            "symmetry_loss": symmetry_loss(uv_pred),
            "tv_loss": total_variation_loss(uv_pred),
        }
        embedding = self.identity_network if model.identity_weight > 0 else None
        terms["identity_loss"] = (
            tf.zeros_like(terms["tv_loss"])
            if embedding is None
            else identity_l1_distance(embedding(novel_view), embedding(real_face), "sum")
        )  # Eq. 4.10: ||F(I1R) - F(I^m)||_1
        weights = {
            "uv_reconstruction_loss": model.uv_reconstruction_weight,
            "face_reconstruction_loss": model.face_reconstruction_weight,
            "adversarial_loss": model.adversarial_weight,
            "symmetry_loss": model.symmetry_weight,
            "identity_loss": model.identity_weight,
            "tv_loss": model.tv_weight,
        }
        terms["generator_loss"] = weighted_total(terms, weights)
        terms.update(
            uv_pred=uv_pred, fake_input=fake_input, novel_view=novel_view, real_face=real_face
        )
        return terms

    def face_discriminator_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """D_face of Eq. 4.7: real I^m against the fakes I0R and I1R (mean of both), (B,)."""
        mode = self.model_config.adversarial_form
        real = self.face_discriminator(carried["real_face"], training=training)
        loss = 0.5 * (
            discriminator_adversarial_loss(
                real, self.face_discriminator(carried["fake_input"], training=training), mode=mode
            )
            + discriminator_adversarial_loss(
                real, self.face_discriminator(carried["novel_view"], training=training), mode=mode
            )
        )
        return {"face_discriminator_loss": loss}

    def partial_discriminator_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """D_ctr and D_sd of Eq. 4.7 on the examples with real crops (`data.py`), (B,);
        zeros without partial discriminators."""
        model = self.model_config
        if not model.partial_discriminators:
            return {"partial_discriminator_loss": tf.zeros_like(batch["centre_flag"])}
        mode = model.adversarial_form
        fake = self.discriminate_partial(carried["uv_pred"], training)
        real_centre = self.centre_discriminator(batch["centre_real"], training=training)
        real_side = self.side_discriminator(batch["side_real"], training=training)
        loss = flagged_discriminator_loss(real_centre, fake["centre"], batch["centre_flag"], mode)
        loss += 0.5 * (
            flagged_discriminator_loss(real_side, fake["left"], batch["side_flag"], mode)
            + flagged_discriminator_loss(real_side, fake["right"], batch["side_flag"], mode)
        )
        return {"partial_discriminator_loss": loss}

    def preview(self, batch: Mapping[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """The input, UV_spl, UV_pred and UV_bl (UV maps resized to the image size)."""
        completed = self.complete(batch["image"])
        if not self.model_config.use_sampler:  # the ablation completes the traditional UV_gt
            completed["uv_texture"] = self.complete_traditional(batch["uv_gt"], batch["uv_valid"])
        size = [self.image_size, self.image_size]
        return {
            "input": batch["image"],
            "uv_sampled": tf.image.resize(completed["uv_sampled"], size),
            "uv_completed": tf.image.resize(completed["uv_texture"], size),
            "uv_blend": tf.image.resize(batch["uv_blend"], size),
        }
