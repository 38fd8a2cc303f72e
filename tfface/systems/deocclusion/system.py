"""`deocclusion`: facial image de-occlusion of Yin 2022 chapter 5 (Fig. 5.2).

Three networks, one system (one checkpoint, one export):

1. N_S (`segmenter`, `tfface.networks.resnet18_unet`): I -> M_f, the VISIBLE face
   (Dice Eq. 5.3 + BCE Eq. 5.4 with OHEM; precision and IoU logged);
2. N_R (`reconstructor`, the face_reconstruction regressor, Deng et al.): I -> 3DMM
   coefficients -> render I_m and its mask M_m (face_reconstruction's terms: coefficient,
   photometric on M_f x M_m, landmarks; Eqs. 5.5-5.8); optionally initialised from a
   `tfface train face_reconstruction` checkpoint;
3. N_G (`generator`, `tfface.networks.gated_residual_generator`) with a VGG-shaped
   discriminator D: M_o = M_m - M_m M_f (Eq. 5.1), I_n = I with M_o replaced by noise,
   I^ = N_G([I_n, I_m, M_o]), trained with

       L = 10 L_pix + 5 L_sm + 5 L_bg + 0.2 L_id + 0.1 L_tv + 0.01 L_adv     (Eq. 5.15)

   (`losses.py`: L1 on M_m M_f of the clean face, 1 - SSIM against the Poisson pseudo
   target I_p on the eroded M_m with OHEM, background L1 against the input outside the
   eroded M_m, identity cosine through a frozen face embedding (off without one), TV, the
   non-saturating adversarial term; D with BCE, Eq. 5.16, real = unoccluded faces).

N_G's training inputs M_f, I_m, M_m come from the data (`generator_inputs="data"`: the exact
visible face and the render of the record's coefficients) or from frozen N_S and N_R on the
occluded input, as at inference ("networks"). `generator_start_step` trains N_S and N_R
alone first (the thesis's order). The noise of I_n is part of each batch (`data.py`), so
replicas and held-out evaluation see exactly the noise one device sees; inference uses a
fixed noise pattern (deterministic exports).

    system = tfface.systems.registry.build("deocclusion", config)
    outputs = system.deocclude(images)  # float32 (B, S, S, 3) in [-1, 1] -> dict
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Mapping

import keras
import tensorflow as tf

from tfface.config.model_config import AdamConfig
from tfface.face3d import FaceRenderer
from tfface.face3d.coefficients import CoefficientLayout
from tfface.losses import discriminator_adversarial_loss, generator_adversarial_loss
from tfface.losses.identity import identity_cosine_distance
from tfface.losses.regularization import total_variation_loss
from tfface.networks.gated_residual_generator import (
    build_gated_residual_generator,
    build_vgg_discriminator,
)
from tfface.networks.resnet18_unet import build_resnet18_unet
from tfface.systems.base import GANSystem
from tfface.systems.deocclusion.config import DeocclusionConfig, DeocclusionModelConfig, paper, tiny
from tfface.systems.deocclusion.data import deocclusion_batches
from tfface.systems.deocclusion.export import deocclusion_signatures
from tfface.systems.deocclusion.losses import (
    background_loss,
    pixel_loss,
    precision_and_iou,
    segmentation_loss,
    structural_loss,
)
from tfface.systems.deocclusion.masks import (
    erode,
    noise_filled,
    occlusion_mask,
    pseudo_target,
    render_face,
    visible_face,
)
from tfface.systems.face_reconstruction.losses import (
    coefficient_loss,
    landmark_error,
    landmark_loss,
    photometric_loss,
)
from tfface.systems.face_reconstruction.morphable import load_model, morphable_model_path
from tfface.systems.face_reconstruction.networks import build_regressor
from tfface.systems.updates import Update
from tfface.training.phases import TrainingPhase
from tfface.weights.identity_network import FrozenEmbedding, load_identity_network

SEGMENTATION = Update("segmenter", "segmentation_objective", "segmentation_loss")
RECONSTRUCTION = Update("reconstructor", "reconstruction_objective", "reconstruction_loss")
GENERATION = Update("generator", "generator_objective", "generator_loss")
DISCRIMINATION = Update("discriminator", "discriminator_objective", "discriminator_loss")
SEGMENTATION_LOSSES = ("dice_loss", "bce_loss", "segmentation_loss")
SEGMENTATION_MEASURES = ("segmentation_precision", "segmentation_iou")
RECONSTRUCTION_LOSSES = (
    "coefficient_loss",
    "photometric_loss",
    "landmark_loss",
    "landmark_error",
    "reconstruction_loss",
)
GENERATOR_LOSSES = (
    "pixel_loss",
    "ssim_loss",
    "background_loss",
    "identity_loss",
    "tv_loss",
    "adversarial_loss",
    "generator_loss",
)
INFERENCE_NOISE_SEED = (5, 15)
"""Seed of the fixed noise of I_n at inference (`deocclude`): deterministic outputs, the same
pattern for every image of every batch."""


def _morphable_model_of(model_config: DeocclusionModelConfig):
    if not model_config.morphable_model:
        raise ValueError(
            "deocclusion: model.morphable_model is empty; build the system with "
            "DeocclusionSystem.create(config) (it takes the dataset's model) or set it"
        )
    return load_model(model_config.morphable_model)


class DeocclusionSystem(GANSystem):
    """N_S, N_R, N_G and D of Yin 2022 chapter 5 (module docstring).

    Args:
        networks: {'segmenter', 'reconstructor', 'generator', 'discriminator'}.
        model_config: with `morphable_model` set.
        seed, name: as `GANSystem`.
        identity_network: the frozen face embedding of L_id, or None (off).
    """

    NAME = "deocclusion"
    SUMMARY = (
        "face de-occlusion: visible-face segmentation, 3DMM fit, gated inpainting GAN "
        "(Yin 2022 ch. 5)"
    )
    CONFIG = DeocclusionConfig
    PRESETS = {"paper": paper, "tiny": tiny}
    NETWORKS = ("segmenter", "reconstructor", "generator", "discriminator")
    INFERENCE_NETWORKS = ("segmenter", "reconstructor", "generator")
    OPTIMIZER_GROUPS = {name: (name,) for name in NETWORKS}
    LOSS_NAMES = (
        *SEGMENTATION_LOSSES,
        *SEGMENTATION_MEASURES,
        *RECONSTRUCTION_LOSSES,
        *GENERATOR_LOSSES,
        "discriminator_loss",
    )
    OBJECTIVE = "generator_loss"
    UPDATES = (SEGMENTATION, RECONSTRUCTION, GENERATION, DISCRIMINATION)
    DATA = staticmethod(deocclusion_batches)
    EXPORTS = staticmethod(deocclusion_signatures)
    SYNTHFACES = (
        "--yaws",
        "0",
        "20",
        "--occluders",
        "sunglasses",
        "medical_mask",
        "--coefficients",
    )

    def __init__(
        self,
        networks: Mapping[str, keras.Model],
        model_config: DeocclusionModelConfig,
        seed: int = 0,
        name: str | None = None,
        identity_network: FrozenEmbedding | None = None,
    ) -> None:
        super().__init__(networks, model_config, seed, name)
        morphable_model = _morphable_model_of(model_config)
        self.layout = CoefficientLayout.for_model(morphable_model)
        outputs = self.reconstructor.output_shape[-1]
        if outputs != self.layout.size:
            raise ValueError(
                f"the reconstructor predicts {outputs} coefficients, but the morphable model "
                f"{model_config.morphable_model} has {self.layout.size}"
            )
        self.renderer = FaceRenderer(morphable_model, cull_backfaces=True)  # frozen, untracked
        self._identity_network = identity_network  # a plain object: Keras does not track it

    # -- construction -----------------------------------------------------------------------
    @classmethod
    def build_networks(
        cls, model_config: DeocclusionModelConfig, seed: int = 0
    ) -> dict[str, keras.Model]:
        """N_S (B, S, S, 3) -> face logits (B, S, S, 1); N_R (B, S, S, 3) -> coefficients
        (B, C); N_G (B, S, S, 7) -> (B, S, S, 3); D (B, S, S, 3) -> logits (B, 1)."""
        keras.utils.set_random_seed(seed)
        model, size = model_config, model_config.image_size
        return {
            "segmenter": build_resnet18_unet(
                size,
                model.segmenter_encoder_widths,
                model.segmenter_decoder_widths,
                model.segmenter_head_filters,
                model.segmenter_norm,
            ),
            "reconstructor": build_regressor(
                size,
                model.reconstructor_backbone,
                model.reconstructor_filters,
                _morphable_model_of(model),
            ),
            "generator": build_gated_residual_generator(
                size,
                model.generator_widths,
                model.generator_bottleneck_blocks,
                model.generator_attention,
            ),
            "discriminator": build_vgg_discriminator(size, model.discriminator_widths),
        }

    @classmethod
    def create(cls, config: DeocclusionConfig, **extras) -> DeocclusionSystem:
        """The system of `config`: fresh networks, the morphable model of
        `morphable_model_path(config)`, N_R restored from `model.reconstruction_checkpoint`
        when set, and the configured identity network (built without it when its file is
        missing: inference does not need it, `prepare_training` refuses to train).

        Raises:
            FileNotFoundError: the reconstruction checkpoint does not exist.
        """
        model_config = dataclasses.replace(
            config.resolved_model(), morphable_model=morphable_model_path(config)
        )
        path = config.model.identity_model
        if path and not os.path.exists(path):
            print(
                f"deocclusion: identity model {path} not found; built without it "
                "(inference and export do not need it, training does)",
                file=sys.stderr,
            )
        elif "identity_network" not in extras:
            extras["identity_network"] = load_identity_network(path)
        seed = config.train.seed
        networks = cls.build_networks(model_config, seed)
        if config.model.reconstruction_checkpoint:
            restore_reconstructor(networks["reconstructor"], config.model.reconstruction_checkpoint)
        return cls(networks, model_config, seed=seed, **extras)

    def prepare_training(self, config: DeocclusionConfig) -> None:
        """Loads the configured identity network if the system has none."""
        if config.model.identity_model and self._identity_network is None:
            self._identity_network = load_identity_network(config.model.identity_model)

    @classmethod
    def optimizer_configs(cls, config: DeocclusionConfig) -> dict[str, AdamConfig]:
        """N_S and N_R: Adam 1e-4 (0.9, 0.999); N_G and D: Adam 1e-4 (0.5, 0.999) (L1877-1884)."""
        return config.model.optimizers()

    @classmethod
    def phases(cls, config: DeocclusionConfig) -> tuple[TrainingPhase, ...]:
        """N_S and N_R alone for `generator_start_step` steps, then all four networks."""
        start = min(config.model.generator_start_step, config.train.steps)
        first = (*SEGMENTATION_LOSSES, *SEGMENTATION_MEASURES, *RECONSTRUCTION_LOSSES)
        phases = (
            TrainingPhase("segmentation and reconstruction", 0, start, first),
            TrainingPhase("de-occlusion GAN", start, config.train.steps, cls.LOSS_NAMES),
        )
        return tuple(phase for phase in phases if phase.steps > 0)

    def stages(self) -> tuple[tuple[int, tuple[Update, ...]], ...]:
        """N_S and N_R updates until `generator_start_step`, then every update."""
        start = self.model_config.generator_start_step
        if start == 0:
            return ((0, self.UPDATES),)
        return ((0, (SEGMENTATION, RECONSTRUCTION)), (start, self.UPDATES))

    @property
    def identity_network(self) -> FrozenEmbedding | None:
        """The frozen face embedding of L_id (None: the loss is off)."""
        return self._identity_network

    # -- the forward pass -------------------------------------------------------------------
    def segment_face(self, images: tf.Tensor, training: bool = False) -> tf.Tensor:
        """N_S: float32 (B, S, S, 3) in [-1, 1] -> visible-face probability (B, S, S, 1)."""
        return tf.sigmoid(self.segmenter(tf.cast(images, tf.float32), training=training))

    def render(self, coefficients: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        """(I_m in [-1, 1] (B, S, S, 3), -1 off the face; M_m (B, S, S, 1)) of coefficients."""
        return render_face(self.renderer, coefficients, self.image_size)

    def inpaint(
        self,
        images: tf.Tensor,
        face_mask: tf.Tensor,
        render: tf.Tensor,
        render_mask: tf.Tensor,
        noise: tf.Tensor,
        training: bool = False,
    ) -> dict[str, tf.Tensor]:
        """N_G on the masks of Eq. 5.1: {'image' I^, 'occlusion_mask' M_o, 'noisy' I_n}.

        Args:
            images: the occluded input I (B, S, S, 3) in [-1, 1].
            face_mask: M_f, the visible face (B, S, S, 1) in {0, 1}.
            render, render_mask: I_m in [-1, 1] and M_m.
            noise: (B, S, S, 3) values for the occluded pixels (clipped to [-1, 1]).
        """
        occluded = occlusion_mask(render_mask, face_mask)  # M_o (B, S, S, 1)
        noisy = noise_filled(images, occluded, noise)  # I_n
        output = self.generator(tf.concat([noisy, render, occluded], axis=-1), training=training)
        return {"image": output, "occlusion_mask": occluded, "noisy": noisy}

    def deocclude(self, images: tf.Tensor, noise: tf.Tensor | None = None) -> dict[str, tf.Tensor]:
        """The inference pipeline of Fig. 5.2 (networks in inference mode).

        float32 (B, S, S, 3) in [-1, 1] -> {'image' I^ (B, S, S, 3) in [-1, 1],
        'occlusion_mask' M_o and 'face_mask' M_f (B, S, S, 1) in {0, 1}, 'render' I_m in
        [-1, 1], 'render_mask' M_m}. `noise` defaults to a fixed N(0, 1) pattern, the same
        for every image (an image's answer does not depend on its batch).
        """
        images = tf.cast(images, tf.float32)
        face = tf.cast(self.segment_face(images) > self.model_config.mask_threshold, tf.float32)
        render, render_mask = self.render(self.reconstructor(images, training=False))
        if noise is None:  # one pattern for every image: an answer never depends on the batch
            pattern = tf.random.stateless_normal([1, *images.shape[1:]], INFERENCE_NOISE_SEED)
            noise = tf.broadcast_to(pattern, tf.shape(images))
        inpainted = self.inpaint(images, face, render, render_mask, noise)
        return {
            "image": inpainted["image"],
            "occlusion_mask": inpainted["occlusion_mask"],
            "face_mask": face,
            "render": render,
            "render_mask": render_mask,
        }

    def call(self, inputs: tf.Tensor, training: bool = False) -> tf.Tensor:
        """The de-occluded images of `deocclude(inputs)` (B, S, S, 3) in [-1, 1]."""
        return self.deocclude(inputs)["image"]

    # -- the objectives ---------------------------------------------------------------------
    def segmentation_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """N_S: Dice + OHEM BCE against M_gt = face minus occluder (Eq. 5.2-5.4), (B,) each."""
        model = self.model_config
        visible = visible_face(batch["face_mask"], batch["occlusion_mask"])
        logits = self.segmenter(batch["image"], training=training)
        dice, bce = segmentation_loss(
            visible, logits, model.dice_weight, model.bce_weight, model.hard_fraction
        )
        precision, iou = precision_and_iou(visible, tf.sigmoid(logits), model.mask_threshold)
        return {
            "dice_loss": dice,
            "bce_loss": bce,
            "segmentation_loss": dice + bce,
            "segmentation_precision": tf.stop_gradient(precision),
            "segmentation_iou": tf.stop_gradient(iou),
        }

    def reconstruction_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """N_R on the occluded input against the face beneath (face_reconstruction's terms)."""
        model, size = self.model_config, self.image_size
        coefficients = self.reconstructor(batch["image"], training=training)
        landmarks = self.renderer.landmarks(coefficients, size)
        terms = {
            "coefficient_loss": coefficient_loss(coefficients, batch["coefficients"], self.layout),
            "landmark_loss": landmark_loss(landmarks, batch["landmarks"], size),
            "landmark_error": tf.stop_gradient(landmark_error(landmarks, batch["landmarks"])),
        }
        rendered = self.renderer(coefficients, size)
        terms["photometric_loss"] = photometric_loss(
            batch["image_unoccluded"], rendered.image, batch["face_mask"], rendered.mask
        )
        terms["reconstruction_loss"] = (
            model.coefficient_weight * terms["coefficient_loss"]
            + model.photometric_weight * terms["photometric_loss"]
            + model.landmark_weight * terms["landmark_loss"]
        )
        return terms

    def generator_inputs(self, batch: Mapping[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """M_f, I_m, M_m for N_G: the data's (exact) or the frozen N_S and N_R's (B11).

        With "data", the batch's precomputed 'render', 'render_mask' (and 'pseudo_target',
        returned too) are used when `data.deocclusion_batches` provides them."""
        if self.model_config.generator_inputs == "data":
            face = visible_face(batch["face_mask"], batch["occlusion_mask"])
            if "render" in batch:
                inputs = {key: batch[key] for key in ("render", "render_mask", "pseudo_target")}
                return tf.nest.map_structure(tf.stop_gradient, {**inputs, "face": face})
            render, render_mask = self.render(batch["coefficients"])
        else:
            image = batch["image"]
            probability = self.segment_face(image)
            face = tf.cast(probability > self.model_config.mask_threshold, tf.float32)
            render, render_mask = self.render(self.reconstructor(image, training=False))
        return tf.nest.map_structure(
            tf.stop_gradient, {"face": face, "render": render, "render_mask": render_mask}
        )

    def generator_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """Eqs. 5.10-5.15, each (B,); carries the output I^ to the discriminator.

        Args:
            batch: `data.deocclusion_batches` plus 'noise' (B, S, S, 3).
        """
        model = self.model_config
        image, clean = batch["image"], batch["image_unoccluded"]
        inputs = self.generator_inputs(batch)
        render, render_mask = inputs["render"], inputs["render_mask"]
        output = self.inpaint(image, inputs["face"], render, render_mask, batch["noise"], training)[
            "image"
        ]
        clean_face = batch["face_mask"]  # M_f of the clean image (B11)
        pseudo = inputs.get("pseudo_target")
        if pseudo is None:
            pseudo = pseudo_target(clean, render, clean_face, render_mask, model.poisson_iterations)
        terms = {
            "pixel_loss": pixel_loss(output, clean, render_mask * clean_face),
            "ssim_loss": structural_loss(
                output, pseudo, erode(render_mask, model.erosion), model.hard_fraction
            ),
            "background_loss": background_loss(
                output, image, erode(1.0 - render_mask, model.erosion)
            ),
            "tv_loss": total_variation_loss(output),
            "adversarial_loss": generator_adversarial_loss(
                self.discriminator(output, training=training), mode="non_saturating"
            ),
        }
        if self.identity_network is not None and model.identity_weight > 0:
            terms["identity_loss"] = identity_cosine_distance(
                self.identity_network(output), self.identity_network(clean)
            )
        else:
            terms["identity_loss"] = tf.zeros_like(terms["pixel_loss"])
        terms["generator_loss"] = (
            model.pixel_weight * terms["pixel_loss"]
            + model.ssim_weight * terms["ssim_loss"]
            + model.background_weight * terms["background_loss"]
            + model.identity_weight * terms["identity_loss"]
            + model.tv_weight * terms["tv_loss"]
            + model.adversarial_weight * terms["adversarial_loss"]
        )
        return {**terms, "output": output}

    def discriminator_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """Eq. 5.16: BCE of D on unoccluded faces (real) and I^ (fake), (B,)."""
        return {
            "discriminator_loss": discriminator_adversarial_loss(
                self.discriminator(batch["image_unoccluded"], training=training),
                self.discriminator(carried["output"], training=training),
                mode="non_saturating",
            )
        }

    def preview(self, batch: Mapping[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """The occluded input, the render, I^ and the unoccluded ground truth."""
        outputs = self.deocclude(batch["image"])
        mask = outputs["render_mask"]
        return {
            "input": batch["image"],
            "render": mask * outputs["render"] + (1.0 - mask) * batch["image"],
            "deoccluded": outputs["image"],
            "target": batch.get("image_unoccluded", batch["image"]),
        }


def restore_reconstructor(network: keras.Model, checkpoint: str) -> None:
    """Loads the regressor of a face_reconstruction checkpoint into `network` (N_R).

    Args:
        network: the reconstructor built with the same backbone, filters and morphable model.
        checkpoint: a checkpoint prefix or a run's checkpoint folder (its latest checkpoint).

    Raises:
        FileNotFoundError: no checkpoint there.
        ValueError: the checkpoint's regressor does not fit the network.
    """
    path = checkpoint
    if tf.io.gfile.isdir(checkpoint):
        path = tf.train.latest_checkpoint(checkpoint)
    if not path or not tf.io.gfile.glob(f"{path}.index"):
        raise FileNotFoundError(
            f"deocclusion: no face_reconstruction checkpoint at {checkpoint}; train one with "
            "`tfface train face_reconstruction` and set model.reconstruction_checkpoint to its "
            "checkpoint, or leave it empty to train N_R from scratch"
        )
    try:
        status = tf.train.Checkpoint(regressor=network).restore(path)
        status.expect_partial().assert_existing_objects_matched()
    except (AssertionError, ValueError, tf.errors.InvalidArgumentError) as error:
        raise ValueError(
            f"deocclusion: the regressor of {path} does not fit N_R (model.reconstructor_"
            f"backbone / reconstructor_filters / morphable_model must match its run): {error}"
        ) from error
