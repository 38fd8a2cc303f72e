"""`WarpRotationSystem`: face rotation by forward warping (Sevastopolskiy 2019, sec. 3.3, 4.1).

The forward pass (Fig. 3.3): the warp-field regressor f_omega maps the image, the mesh grid
(and the target-yaw channel) to offsets; offsets + mesh grid = the warp field w; the
forward (or backward) sampler gives the warped image y_fw and the non-hole mask m; the
gated inpainter g_phi maps y_fw, m and the mesh grid (and the target-yaw channel) to the
rotated face y_inp. The losses (with the real/fake discriminator d_psi and the gap
discriminator h_xi) are in `training`, the data recipe in `data`.
"""

from __future__ import annotations

from collections.abc import Mapping

import keras
import numpy as np
import tensorflow as tf

from tfface.config.model_config import AdamConfig
from tfface.losses import gap_discriminator_loss, identity_l2_distance
from tfface.networks import (
    build_rotation_discriminator,
    build_rotation_gap_discriminator,
    build_rotation_inpainter,
    build_rotation_warp_regressor,
)
from tfface.systems.base import GANSystem
from tfface.systems.gan_updates import (
    DISCRIMINATOR_UPDATE,
    GAP_DISCRIMINATOR_UPDATE,
    GENERATOR_UPDATE,
)
from tfface.systems.warp_rotation.config import (
    WarpRotationConfig,
    WarpRotationModelConfig,
    paper,
    tiny,
)
from tfface.systems.warp_rotation.data import pose_pair_batches
from tfface.systems.warp_rotation.export import warp_rotation_signatures
from tfface.systems.warp_rotation.inputs import as_images, as_target_yaws
from tfface.systems.warp_rotation.training import discriminator_term, generator_terms
from tfface.systems.warp_rotation.warping import (
    apply_sampler,
    mesh_grid_channels,
    paint_holes,
    warp_field_to_flow,
    yaw_channels,
)
from tfface.weights.identity_network import FrozenEmbedding, load_identity_network

IMAGE_CHANNELS = 3
GRID_CHANNELS = 2  # the mesh grid, x and y in [-1, 1]
MASK_CHANNELS = 1  # m


class WarpRotationSystem(GANSystem):
    """Face rotation: warp-field regressor + forward/backward sampler + gated inpainter.

    Sevastopolskiy, "Learning image deformations via deep learning", Skoltech 2019: sec. 3.1
    (forward warping, eqs. 3.4-3.7), 3.2 (gap discriminator, Eq. 3.12), 3.3 (face rotation:
    L_generator with L_warping, L_inpainter, L_adv, L_gap), 4.1 (architectures, weights).

    Args:
        networks, model_config, seed, name: see `GANSystem`; "gap_discriminator" only with
            model.gap_discriminator.

    `call(inputs)` is the inference path: inputs = float32 images (B, S, S, 3) in [-1, 1]
    (rotated to frontal) or {'image': ..., 'target_yaw': float32 (B,) degrees} -> {'image':
    the rotated face (B, S, S, 3) in [-1, 1], 'warped': y_fw with holes painted black (B, S,
    S, 3) in [-1, 1], 'hole_mask': 1 - m, float32 (B, S, S, 1) in {0, 1}}.
    """

    NAME = "warp_rotation"
    SUMMARY = "face rotation by forward warping and gated inpainting (Sevastopolskiy 2019)"
    CONFIG = WarpRotationConfig
    PRESETS = {"paper": paper, "tiny": tiny}
    NETWORKS = ("warp_field_regressor", "inpainter", "discriminator")
    OPTIONAL_NETWORKS = ("gap_discriminator",)
    INFERENCE_NETWORKS = ("warp_field_regressor", "inpainter")
    OPTIMIZER_GROUPS = {
        "generator": ("warp_field_regressor", "inpainter"),
        "discriminator": ("discriminator",),
        "gap_discriminator": ("gap_discriminator",),
    }
    LOSS_NAMES = (
        "warp_loss",
        "rigidity_loss",
        "inpainting_loss",
        "identity_loss",
        "adversarial_loss",
        "gap_loss",
        "generator_loss",
        "discriminator_loss",
        "gap_discriminator_loss",
        "hole_fraction",
    )
    UPDATES = (GENERATOR_UPDATE, DISCRIMINATOR_UPDATE, GAP_DISCRIMINATOR_UPDATE)
    DATA = staticmethod(pose_pair_batches)
    EXPORTS = staticmethod(warp_rotation_signatures)
    SYNTHFACES = ("--yaws", "0", "30", "--pair-with-frontal", "--shared-scene")

    identity_network: FrozenEmbedding | None = None
    """The frozen embedding network v of L_identity (None: the loss is off), set by
    `prepare_training`; a plain object, so no optimizer, checkpoint or export holds it."""

    @classmethod
    def expected_networks(cls, model_config: WarpRotationModelConfig) -> tuple[str, ...]:
        """f_omega, g_phi, d_psi, and h_xi with model.gap_discriminator."""
        return cls.NETWORKS + (cls.OPTIONAL_NETWORKS if model_config.gap_discriminator else ())

    @classmethod
    def build_networks(
        cls, model_config: WarpRotationModelConfig, seed: int = 0
    ) -> dict[str, keras.Model]:
        """f_omega: image + condition (B, S, S, 5|6) -> offsets (B, S, S, 2); g_phi: y_fw, m +
        condition (B, S, S, 6|7) -> y_inp (B, S, S, 3); d_psi: (B, S, S, 3) -> logit (B, 1);
        h_xi: (B, S, S, 3) -> logits of m (B, S, S, 1). Condition = mesh grid (+ yaw)."""
        keras.utils.set_random_seed(seed)
        model, size = model_config, model_config.image_size
        condition = GRID_CHANNELS + (1 if model.target_yaw_input else 0)
        networks = {
            "warp_field_regressor": build_rotation_warp_regressor(
                size,
                IMAGE_CHANNELS + condition,
                model.regressor_base_filters,
                model.regressor_blocks,
                model.regressor_convolutions,
                model.regressor_max_filters,
                model.regressor_norm,
            ),
            "inpainter": build_rotation_inpainter(
                size,
                IMAGE_CHANNELS + MASK_CHANNELS + condition,
                model.inpainter_base_filters,
                model.inpainter_downsamplings,
                model.inpainter_dilations,
                model.inpainter_max_filters,
            ),
            "discriminator": build_rotation_discriminator(
                size,
                model.discriminator_base_filters,
                model.discriminator_layers,
                model.discriminator_max_filters,
            ),
        }
        if model.gap_discriminator:
            networks["gap_discriminator"] = build_rotation_gap_discriminator(
                size, model.gap_base_filters, model.gap_levels, model.gap_max_filters
            )
        return networks

    def prepare_training(self, config: WarpRotationConfig) -> None:
        """Loads L_identity's frozen network v from model.identity_model (None for ""): only
        training needs it, so a run exports and evaluates without its file.

        Raises:
            FileNotFoundError: the file is missing (the message says how to train without it).
        """
        self.identity_network = load_identity_network(config.model.identity_model)

    @classmethod
    def optimizer_configs(cls, config: WarpRotationConfig) -> dict[str, AdamConfig]:
        """Adam per group (thesis sec. 4.1.2): the generator at train.learning_rate, the
        discriminators at model.discriminator_learning_rate."""
        model = config.model
        discriminators = AdamConfig(model.discriminator_learning_rate, model.beta_1, model.beta_2)
        groups = {
            "generator": AdamConfig(config.train.learning_rate, model.beta_1, model.beta_2),
            "discriminator": discriminators,
        }
        if model.gap_discriminator:
            groups["gap_discriminator"] = discriminators
        return groups

    # -- the forward pass ---------------------------------------------------------------------
    def condition(
        self, features: list[tf.Tensor], image: tf.Tensor, target_yaw: tf.Tensor
    ) -> tf.Tensor:
        """`features` + the mesh grid (+ the target-yaw channel), concatenated on channels."""
        features = [*features, mesh_grid_channels(image)]  # (B, S, S, 2) in [-1, 1]
        if self.model_config.target_yaw_input:
            features.append(yaw_channels(target_yaw, image))  # (B, S, S, 1) yaw / 90
        return tf.concat(features, axis=-1)

    def rotate_graph(
        self, image: tf.Tensor, target_yaw: tf.Tensor | None = None, training: bool = False
    ) -> dict[str, tf.Tensor]:
        """The full forward pass (thesis Fig. 3.3).

        Args:
            image: float32 (B, S, S, 3) in [-1, 1], the input face x.
            target_yaw: float32 (B,) target yaws in degrees (None: 0, frontal). Ignored by a
                frontalization-only model (target_yaw_input false).
            training: networks in training mode.

        Returns:
            {'offsets': (B, S, S, 2) w_delta in grid units, 'flow': (B, S, S, 2) pixels,
            'warped': y_fw (B, S, S, 3), 0 in holes, 'known': m (B, S, S, 1) in {0, 1},
            'inpainted': y_inp (B, S, S, 3) in [-1, 1]}.
        """
        image = tf.convert_to_tensor(image, tf.float32)
        if target_yaw is None:
            target_yaw = tf.zeros(tf.shape(image)[:1], tf.float32)
        config = self.model_config
        offsets = self.warp_field_regressor(
            self.condition([image], image, target_yaw), training=training
        )  # (B, S, S, 2) w_delta
        flow = warp_field_to_flow(offsets)  # (B, S, S, 2) pixels of w = mesh + w_delta
        warped, known = apply_sampler(image, flow, config.sampler, config.backward_padding)
        inpainted = self.inpainter(
            self.condition([warped, known], image, target_yaw), training=training
        )  # (B, S, S, 3) in [-1, 1]
        return {
            "offsets": offsets,
            "flow": flow,
            "warped": warped,
            "known": known,
            "inpainted": inpainted,
        }

    def call(self, inputs, training: bool = False) -> dict[str, tf.Tensor]:
        """Inference: images or {'image', 'target_yaw'} -> {'image', 'warped', 'hole_mask'}."""
        if isinstance(inputs, Mapping):
            image, target_yaw = inputs["image"], inputs.get("target_yaw")
        else:
            image, target_yaw = inputs, None
        result = self.rotate_graph(image, target_yaw, training=training)
        return {
            "image": result["inpainted"],
            "warped": paint_holes(result["warped"], result["known"]),
            "hole_mask": 1.0 - result["known"],
        }

    @tf.function(reduce_retracing=True)
    def _rotate(self, images: tf.Tensor, target_yaw: tf.Tensor) -> dict[str, tf.Tensor]:
        """float32 (B, S, S, 3), (B,) -> {'image', 'warped', 'hole_mask'} (see `call`)."""
        return self({"image": images, "target_yaw": target_yaw}, training=False)

    def rotate(self, images: object, target_yaw: object = None) -> dict[str, np.ndarray]:
        """Rotates faces to `target_yaw` (thesis Fig. 4.1), eagerly with checked inputs.

        Args:
            images: float (B, S, S, 3) or (S, S, 3) in [-1, 1].
            target_yaw: None (frontal), a number or one value per image, degrees in
                [-90, 90] (only 0 for a frontalization-only model).

        Returns:
            NumPy arrays with a batch axis: {'image': rotated faces float32 (B, S, S, 3) in
            [-1, 1], 'warped': the warped images with holes painted black (B, S, S, 3) in
            [-1, 1], 'hole_mask': float32 (B, S, S, 1), 1 where the sampler left a hole}.

        Raises:
            ValueError: bad images or yaws (`inputs`), before any graph runs.
        """
        checked = as_images(images, self.image_size, "images")
        yaws = as_target_yaws(target_yaw, len(checked), self.model_config.target_yaw_input)
        outputs = self._rotate(tf.constant(checked), tf.constant(yaws))
        return {name: value.numpy() for name, value in outputs.items()}

    # -- the objectives (UPDATES) -------------------------------------------------------------
    def generator_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """L_generator and its terms (`training.generator_terms`), each (B,); carries the
        'inpainted' image y_inp and the 'known' mask m.

        Args:
            batch: 'image' x, 'target_image' y_gt: float32 (B, S, S, 3) in [-1, 1];
                'target_yaw': float32 (B,) degrees (absent: 0, frontal).
        """
        target = batch["target_image"]  # y_gt, (B, S, S, 3) in [-1, 1]
        forward = self.rotate_graph(batch["image"], batch.get("target_yaw"), training=training)
        inpainted = forward["inpainted"]  # y_inp, (B, S, S, 3) in [-1, 1]
        if self.identity_network is not None:
            identity = identity_l2_distance(  # 1/K ||v(y_inp) - v(y_gt)||_2
                self.identity_network(inpainted), self.identity_network(target)
            )
        else:
            identity = tf.zeros(tf.shape(target)[:1], tf.float32)
        gap_logits = (
            self.gap_discriminator(inpainted, training=training)
            if self.model_config.gap_discriminator
            else None
        )
        terms = generator_terms(
            self.model_config,
            forward,
            target,
            identity,
            self.discriminator(inpainted, training=training),
            gap_logits,
        )
        return {**terms, "inpainted": inpainted, "known": forward["known"]}

    def discriminator_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """d_psi's objective (Eq. 3.10) on y_gt (real) and the carried y_inp (fake), (B,)."""
        # Real and fake in one batch: d_psi normalises per example, so this is two calls.
        logits = self.discriminator(
            tf.concat([batch["target_image"], carried["inpainted"]], axis=0), training=training
        )  # (2B, 1)
        return {
            "discriminator_loss": discriminator_term(logits, self.model_config.adversarial_form)
        }

    def gap_discriminator_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """h_xi's objective (Eq. 3.12, class-balanced) of predicting the carried m from the
        carried y_inp, (B,); zeros without the gap discriminator."""
        fake = carried["inpainted"]
        if not self.model_config.gap_discriminator:
            return {"gap_discriminator_loss": tf.zeros(tf.shape(fake)[:1], tf.float32)}
        return {
            "gap_discriminator_loss": gap_discriminator_loss(
                carried["known"], self.gap_discriminator(fake, training=training), from_logits=True
            )
        }

    def preview(self, batch: Mapping[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """Input, warped (holes black), rotated and target images for TensorBoard grids."""
        result = self.rotate_graph(batch["image"], batch.get("target_yaw"))
        return {
            "input": batch["image"],
            "warped": paint_holes(result["warped"], result["known"]),
            "rotated": result["inpainted"],
            "target": batch["target_image"],
        }
