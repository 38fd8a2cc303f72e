"""`WarpInpaintingSystem`: image inpainting with multiple forward warps (Sevastopolskiy 2019).

The networks and the forward pass of sec. 3.4 (Fig. 3.5): the warp field regressor f_omega
maps the masked image x = y * m and the mask m to K warp fields; each field warps the known
pixels of x (forward or backward sampler), holes are filled with the nearest known pixel, and
the merger p_eta with a channel softmax mixes [x, w_1, ..., w_K] per pixel. The real/fake
patch discriminator d_psi and the gap discriminator h_xi are trained alongside
(`training.WarpInpaintingTraining`); `inpaint` is the NumPy API (`InpaintingAPI`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import keras
import tensorflow as tf

from tfface.systems.base import GANSystem
from tfface.systems.inpainting_inputs import InpaintingAPI, check_inpainting_inputs
from tfface.systems.warp_inpainting.config import WarpInpaintingModelConfig
from tfface.systems.warp_inpainting.training import WarpInpaintingTraining
from tfface.systems.warp_inpainting.warping import (
    flatten_candidates,
    mix_candidates,
    split_flows,
    stack_candidates,
    warp_known_pixels,
)

GENERATOR_NETWORKS: tuple[str, ...] = ("warp_regressor", "merger")
"""The networks of the inference path F_{omega, eta} (updated by Eq. 3.13)."""
DISCRIMINATORS: tuple[str, ...] = ("patch_discriminator", "gap_discriminator")


class WarpInpaintingSystem(WarpInpaintingTraining, InpaintingAPI, GANSystem):
    """Inpainting by K forward warps of the known pixels, merged per pixel (Sevastopolskiy 2019 sec. 3.4).

    Sevastopolskiy, "Learning image deformations via deep learning", Skoltech 2019:
    sec. 3.1 (forward warping, Eq. 3.4-3.7), 3.2 (gap discriminator, Eq. 3.12), 3.4 (the
    inpainting pipeline, Fig. 3.5, losses Eq. 3.13), 4.2 (architecture and training).

    Args:
        networks: built by `registration.build_networks`: "warp_regressor", "merger",
            "patch_discriminator", "gap_discriminator".
        model_config: sizes, loss weights and switches (image_size set).
        ema_networks / ema_decay / seed / name: see `GANSystem`.

    `call(inputs)` is the inference path: inputs {'image': float32 (B, S, S, 3) in [-1, 1],
    'hole_mask': float32 (B, S, S, 1) in {0, 1}, 1 = hole} -> float32 (B, S, S, 3) in
    [-1, 1] (known pixels kept when `paste_known_pixels`).
    """

    LOSS_NAMES = (
        "l1_loss",
        "content_loss",
        "style_loss",
        "rigidity_loss",
        "adversarial_loss",
        "gap_loss",
        "generator_loss",
        "discriminator_loss",
        "gap_discriminator_loss",
    )
    OPTIMIZER_GROUPS = {
        "generator": GENERATOR_NETWORKS,
        "discriminator": ("patch_discriminator",),
        "gap_discriminator": ("gap_discriminator",),
    }

    def __init__(
        self,
        networks: Mapping[str, keras.Model],
        model_config: WarpInpaintingModelConfig,
        ema_networks: Sequence[str] = (),
        ema_decay: float | None = None,
        seed: int = 0,
        name: str | None = "warp_inpainting",
    ) -> None:
        missing = [n for n in (*GENERATOR_NETWORKS, *DISCRIMINATORS) if n not in networks]
        if missing:
            raise ValueError(f"WarpInpaintingSystem needs networks {missing}")
        if model_config.image_size is None:
            raise ValueError("model_config.image_size must be set (resolved_model())")
        super().__init__(networks, ema_networks, ema_decay, seed, name)
        self.model_config = model_config
        self.image_size = int(model_config.image_size)
        self.perceptual_extractor: keras.Model | None = None  # set for training (compile)

    def forward(
        self,
        image: tf.Tensor,
        hole_mask: tf.Tensor,
        training: bool = False,
        sampler: str | None = None,
    ) -> dict[str, tf.Tensor]:
        """F_{omega, eta}(x, m) and its intermediate tensors (thesis sec. 3.4, Fig. 3.5).

        Args:
            image: float32 (B, S, S, 3) in [-1, 1], the complete image y (its holes are
                zeroed here, so only the known pixels reach the networks).
            hole_mask: float32 (B, S, S, 1) in {0, 1}, 1 = hole (m = 1 - hole_mask).
            training: networks in training mode.
            sampler: "forward" or "backward"; None = the config's.

        Returns:
            {'image': F float32 (B, S, S, 3) (raw merged image), 'masked': x (B, S, S, 3),
            'known': m (B, S, S, 1), 'flows': (B, K, S, S, 2) pixel offsets,
            'candidates': W (B, K + 1, S, S, 3), 'weights': M (B, S, S, K + 1)}.
        """
        config = self.model_config
        known = 1.0 - tf.cast(hole_mask, tf.float32)  # m: 1 = known pixel
        masked = tf.cast(image, tf.float32) * known  # x = y * m, holes 0
        regressed = self.warp_regressor(tf.concat([masked, known], -1), training=training)
        flows = split_flows(regressed, config.warp_fields)  # (B, K, S, S, 2)
        warped = warp_known_pixels(masked, known, flows, sampler or config.sampler)
        candidates = stack_candidates(masked, warped)  # (B, K + 1, S, S, 3)
        merger_inputs = tf.concat([flatten_candidates(candidates), known], axis=-1)
        logits = self.merger(merger_inputs, training=training)  # (B, S, S, K + 1)
        merged, weights = mix_candidates(candidates, logits)
        return {
            "image": merged,
            "masked": masked,
            "known": known,
            "flows": flows,
            "candidates": candidates,
            "weights": weights,
        }

    def call(self, inputs: Mapping[str, tf.Tensor], training: bool = False) -> tf.Tensor:
        """The inpainted image (known pixels pasted back when `paste_known_pixels`).

        Args:
            inputs: {'image': float32 (B, S, S, 3) in [-1, 1], 'hole_mask': float32
                (B, S, S, 1) in {0, 1}, 1 = hole}.

        Returns:
            float32 (B, S, S, 3) in [-1, 1].
        """
        image, hole_mask = inputs["image"], inputs["hole_mask"]
        check_inpainting_inputs(image, hole_mask, self.image_size)
        merged = self.forward(image, hole_mask, training)["image"]
        if not self.model_config.paste_known_pixels:
            return merged
        holes = tf.cast(hole_mask, tf.float32)
        return holes * merged + (1.0 - holes) * tf.cast(image, tf.float32)
