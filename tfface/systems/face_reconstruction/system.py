"""`face_reconstruction`: the 3DMM coefficient regressor of Yin 2022 section 5.3.3.

Deng et al. (CVPR-W 2019), the regressor the thesis uses to fit the 3D face of an occluded
image: a CNN predicts the coefficient vector x of a morphable model (identity, expression,
texture, pose, SH lighting, translation; `tfface.face3d.coefficients`), a frozen
differentiable renderer (`tfface.face3d.FaceRenderer`, not a network of the system) turns
x into an image, a mask, UV coordinates and 68 landmarks, and the losses of section 5.3
compare them with the data:

    L = w_coef ||x - x_gt||^2 + w_photo L_photo + w_lan L_lan + w_id L_id

(`losses.py`: coefficient L2 against the exact coefficients SynthFaces gives, the
photometric loss on face mask x render mask, landmark loss, identity loss through a frozen
face-embedding network, off without one). It trains on SynthFaces with occluders: the
input is the occluded copy, the targets describe the face beneath (`data.py`).

    system = tfface.systems.registry.build("face_reconstruction", config)
    outputs = system.reconstruct(images)  # float32 (B, S, S, 3) in [-1, 1] -> dict
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
from tfface.systems.base import GANSystem
from tfface.systems.face_reconstruction.config import (
    FaceReconstructionConfig,
    FaceReconstructionModelConfig,
    paper,
    tiny,
)
from tfface.systems.face_reconstruction.data import fit_batches
from tfface.systems.face_reconstruction.export import face_reconstruction_signatures
from tfface.systems.face_reconstruction.losses import (
    coefficient_loss,
    composite,
    identity_loss,
    landmark_error,
    landmark_loss,
    photometric_loss,
)
from tfface.systems.face_reconstruction.morphable import load_model, morphable_model_path
from tfface.systems.face_reconstruction.networks import build_regressor
from tfface.systems.updates import Update
from tfface.weights.identity_network import FrozenEmbedding, load_identity_network


def _model_of(model_config: FaceReconstructionModelConfig):
    """The morphable model named by a model config (`create` sets `morphable_model`)."""
    if not model_config.morphable_model:
        raise ValueError(
            "face_reconstruction: model.morphable_model is empty; build the system with "
            "FaceReconstructionSystem.create(config) (it takes the dataset's model) or set it"
        )
    return load_model(model_config.morphable_model)


class FaceReconstructionSystem(GANSystem):
    """The 3DMM regressor (module docstring).

    Args:
        networks: {'regressor': images (B, S, S, 3) in [-1, 1] -> coefficients (B, C)}.
        model_config: with `morphable_model` set (the `.npz` of the coefficients).
        seed, name: as `GANSystem`.
        identity_network: the frozen face embedding of the identity loss, or None (off).
    """

    NAME = "face_reconstruction"
    SUMMARY = "3DMM coefficient regressor for occluded faces (Deng et al. 2019, Yin 2022 sec. 5.3)"
    CONFIG = FaceReconstructionConfig
    PRESETS = {"paper": paper, "tiny": tiny}
    NETWORKS = ("regressor",)
    INFERENCE_NETWORKS = ("regressor",)
    OPTIMIZER_GROUPS = {"regressor": ("regressor",)}
    LOSS_NAMES = (
        "coefficient_loss",
        "photometric_loss",
        "landmark_loss",
        "identity_loss",
        "landmark_error",
        "reconstruction_loss",
    )
    OBJECTIVE = "reconstruction_loss"
    UPDATES = (Update("regressor", "fit_objective", "reconstruction_loss"),)
    DATA = staticmethod(fit_batches)
    EXPORTS = staticmethod(face_reconstruction_signatures)
    SYNTHFACES = ("--yaws", "0", "20", "--occluders", "hand", "--coefficients")

    def __init__(
        self,
        networks: Mapping[str, keras.Model],
        model_config: FaceReconstructionModelConfig,
        seed: int = 0,
        name: str | None = None,
        identity_network: FrozenEmbedding | None = None,
    ) -> None:
        super().__init__(networks, model_config, seed, name)
        morphable_model = _model_of(model_config)
        self.layout = CoefficientLayout.for_model(morphable_model)
        outputs = self.regressor.output_shape[-1]
        if outputs != self.layout.size:
            raise ValueError(
                f"the regressor predicts {outputs} coefficients, but the morphable model "
                f"{model_config.morphable_model} has {self.layout.size}"
            )
        self.renderer = FaceRenderer(morphable_model, cull_backfaces=True)  # frozen, untracked
        self._identity_network = identity_network  # a plain object: Keras does not track it

    # -- construction -----------------------------------------------------------------------
    @classmethod
    def build_networks(
        cls, model_config: FaceReconstructionModelConfig, seed: int = 0
    ) -> dict[str, keras.Model]:
        """The regressor: images (B, S, S, 3) -> coefficients (B, C) of the morphable model."""
        keras.utils.set_random_seed(seed)
        model = model_config
        return {
            "regressor": build_regressor(
                model.image_size, model.backbone, model.small_filters, _model_of(model)
            )
        }

    @classmethod
    def create(cls, config: FaceReconstructionConfig, **extras) -> FaceReconstructionSystem:
        """The system of `config` with a fresh regressor, the morphable model of
        `morphable_model_path(config)` and the configured identity network.

        The identity network only serves training: when its file is missing (a run exported
        elsewhere) the system is built without it and `prepare_training` refuses to train.
        """
        model_config = dataclasses.replace(
            config.resolved_model(), morphable_model=morphable_model_path(config)
        )
        path = config.model.identity_model
        if path and not os.path.exists(path):
            print(
                f"face_reconstruction: identity model {path} not found; built without it "
                "(inference and export do not need it, training does)",
                file=sys.stderr,
            )
        elif "identity_network" not in extras:
            extras["identity_network"] = load_identity_network(path)
        seed = config.train.seed
        return cls(cls.build_networks(model_config, seed), model_config, seed=seed, **extras)

    def prepare_training(self, config: FaceReconstructionConfig) -> None:
        """Loads the configured identity network if the system has none (FileNotFoundError
        with the fix when its file is missing)."""
        if config.model.identity_model and self._identity_network is None:
            self._identity_network = load_identity_network(config.model.identity_model)

    @classmethod
    def optimizer_configs(cls, config: FaceReconstructionConfig) -> dict[str, AdamConfig]:
        """Adam at train.learning_rate (Deng et al.: 1e-4), betas 0.9 and 0.999."""
        return {"regressor": AdamConfig(config.train.learning_rate)}

    @property
    def identity_network(self) -> FrozenEmbedding | None:
        """The frozen face embedding of the identity loss (None: the loss is off)."""
        return self._identity_network

    # -- the forward pass -------------------------------------------------------------------
    def reconstruct(self, images: tf.Tensor, training: bool = False) -> dict[str, tf.Tensor]:
        """float32 images (B, S, S, 3) in [-1, 1] -> {'coefficients' (B, C), 'render'
        (B, S, S, 3) in [-1, 1] (-1 off the face), 'render_mask' (B, S, S, 1), 'uv_coords'
        (B, S, S, 2), 'landmarks' (B, 68, 2) pixels}."""
        coefficients = self.regressor(tf.cast(images, tf.float32), training=training)
        render = self.renderer(coefficients, self.image_size)
        return {
            "coefficients": coefficients,
            "render": 2.0 * render.image - 1.0,  # the render is 0 off the face: -1 there
            "render_mask": render.mask,
            "uv_coords": render.uv_coords,
            "landmarks": self.renderer.landmarks(coefficients, self.image_size)[..., :2],
        }

    def call(self, inputs: tf.Tensor, training: bool = False) -> dict[str, tf.Tensor]:
        """`reconstruct(inputs)`."""
        return self.reconstruct(inputs, training=training)

    # -- the objective ----------------------------------------------------------------------
    def fit_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """The terms of section 5.3, each (B,), and their weighted sum.

        Args:
            batch: `data.fit_batches`: 'image' (the regressor's input, maybe occluded),
                'image_unoccluded', 'face_mask', 'landmarks', 'coefficients'.
        """
        model, size = self.model_config, self.image_size
        coefficients = self.regressor(batch["image"], training=training)  # (B, C)
        render = self.renderer(coefficients, size)  # image (B, S, S, 3) in [0, 1]
        landmarks = self.renderer.landmarks(coefficients, size)  # (B, 68, 3) pixels
        target = batch["image_unoccluded"]  # the face beneath the occluder
        terms = {
            "coefficient_loss": coefficient_loss(coefficients, batch["coefficients"], self.layout),
            "photometric_loss": photometric_loss(
                target, render.image, batch["face_mask"], render.mask
            ),
            "landmark_loss": landmark_loss(landmarks, batch["landmarks"], size),
            "landmark_error": tf.stop_gradient(landmark_error(landmarks, batch["landmarks"])),
        }
        if self.identity_network is not None and model.identity_weight > 0:
            rendered = composite(target, render.image, render.mask)
            terms["identity_loss"] = identity_loss(self.identity_network, target, rendered)
        else:
            terms["identity_loss"] = tf.zeros_like(terms["landmark_loss"])
        terms["reconstruction_loss"] = (
            model.coefficient_weight * terms["coefficient_loss"]
            + model.photometric_weight * terms["photometric_loss"]
            + model.landmark_weight * terms["landmark_loss"]
            + model.identity_weight * terms["identity_loss"]
        )
        return terms

    def preview(self, batch: Mapping[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """The input, the render pasted on it, and the face beneath the occluder."""
        image = batch["image"]
        outputs = self.reconstruct(image)
        mask = outputs["render_mask"]
        return {
            "input": image,
            "reconstruction": mask * outputs["render"] + (1.0 - mask) * image,
            "target": batch.get("image_unoccluded", image),
        }
