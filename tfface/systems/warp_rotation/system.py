"""`WarpRotationSystem`: face rotation by forward warping (Sevastopolskiy 2019, sec. 3.3, 4.1).

The forward pass (Fig. 3.3): the warp-field regressor f_omega maps the image, the mesh grid
(and the target-yaw channel) to offsets; offsets + mesh grid = the warp field w; the
forward (or backward) sampler gives the warped image y_fw and the non-hole mask m; the
gated inpainter g_phi maps y_fw, m and the mesh grid (and the target-yaw channel) to the
rotated face y_inp. Training (losses, the real/fake discriminator d_psi and the gap
discriminator h_xi) is in `training.WarpRotationTraining`, the eager API in
`rotation.WarpRotationInference`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import keras
import tensorflow as tf

from tfface.systems.base import GANSystem
from tfface.systems.warp_rotation.config import WarpRotationModelConfig
from tfface.systems.warp_rotation.identity import FrozenEmbedding
from tfface.systems.warp_rotation.rotation import WarpRotationInference
from tfface.systems.warp_rotation.training import WarpRotationTraining
from tfface.systems.warp_rotation.warping import (
    apply_sampler,
    mesh_grid_channels,
    paint_holes,
    warp_field_to_flow,
    yaw_channels,
)

GENERATOR_NETWORKS: tuple[str, ...] = ("warp_field_regressor", "inpainter")
"""The inference networks (f_omega, g_phi), updated by L_generator."""


class WarpRotationSystem(WarpRotationTraining, WarpRotationInference, GANSystem):
    """Face rotation: warp-field regressor + forward/backward sampler + gated inpainter.

    Sevastopolskiy, "Learning image deformations via deep learning", Skoltech 2019: sec. 3.1
    (forward warping, eqs. 3.4-3.7), 3.2 (gap discriminator, Eq. 3.12), 3.3 (face rotation:
    L_generator with L_warping, L_inpainter, L_adv, L_gap), 4.1 (architectures, weights).

    Args:
        networks: built by `registration.build_networks`: "warp_field_regressor",
            "inpainter", "discriminator" and, with the gap discriminator, "gap_discriminator".
        model_config: sizes, loss weights and switches (image_size set).
        identity_network: the frozen embedding network v of L_identity, or None (off).
        ema_networks / ema_decay / seed / name: see `GANSystem`.

    `call(inputs)` is the inference path: inputs = float32 images (B, S, S, 3) in [-1, 1]
    (rotated to frontal) or {'image': ..., 'target_yaw': float32 (B,) degrees} -> {'image':
    the rotated face (B, S, S, 3) in [-1, 1], 'warped': y_fw with holes painted black (B, S,
    S, 3) in [-1, 1], 'hole_mask': 1 - m, float32 (B, S, S, 1) in {0, 1}}.
    """

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

    def __init__(
        self,
        networks: Mapping[str, keras.Model],
        model_config: WarpRotationModelConfig,
        identity_network: FrozenEmbedding | None = None,
        ema_networks: Sequence[str] = (),
        ema_decay: float | None = None,
        seed: int = 0,
        name: str = "warp_rotation",
    ) -> None:
        if model_config.image_size is None:
            raise ValueError("WarpRotationSystem needs model_config.image_size (resolved_model())")
        expected = {*GENERATOR_NETWORKS, "discriminator"}
        if model_config.gap_discriminator:
            expected.add("gap_discriminator")
        missing = sorted(expected - set(networks))
        if missing:
            raise ValueError(f"WarpRotationSystem is missing networks {missing}")
        if not model_config.gap_discriminator and "gap_discriminator" in networks:
            raise ValueError(
                "a gap_discriminator network was given but model.gap_discriminator is off"
            )
        super().__init__(networks, ema_networks, ema_decay, seed, name)
        self.model_config = model_config
        self.image_size = int(model_config.image_size)
        # Instance-level groups: the gap discriminator's optimizer exists only with it.
        groups = {"generator": GENERATOR_NETWORKS, "discriminator": ("discriminator",)}
        if model_config.gap_discriminator:
            groups["gap_discriminator"] = ("gap_discriminator",)
        self.OPTIMIZER_GROUPS = groups
        self._identity_network = identity_network  # a plain object: Keras does not track it

    @property
    def identity_network(self) -> FrozenEmbedding | None:
        """The frozen embedding network v of L_identity (None: the loss is off)."""
        return self._identity_network

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
