"""`GatedInpaintingSystem`: the gated-convolution inpainting baseline (DeepFill v2).

Yu et al., "Free-Form Image Inpainting with Gated Convolution", ICCV 2019, the
"GatedConvNet" baseline of Sevastopolskiy 2019 (sec. 4.2.2, Tables 4.3-4.4): a coarse-to-
fine gated generator and an SN-PatchGAN discriminator, trained with L1 on both stages, the
hinge GAN loss and (as the thesis says) perceptual losses (`training.GatedInpaintingTraining`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import keras
import tensorflow as tf

from tfface.systems.base import GANSystem
from tfface.systems.gated_inpainting.config import GatedInpaintingModelConfig
from tfface.systems.gated_inpainting.training import GatedInpaintingTraining
from tfface.systems.inpainting_inputs import InpaintingAPI, check_inpainting_inputs


class GatedInpaintingSystem(GatedInpaintingTraining, InpaintingAPI, GANSystem):
    """Coarse-to-fine gated-convolution inpainting with an SN-PatchGAN (Yu et al. 2019).

    Args:
        networks: "generator" (`build_gated_inpainting_generator`) and "discriminator"
            (`build_spectral_patch_discriminator`, image + hole mask input).
        model_config: sizes, loss weights and switches (image_size set).
        ema_networks / ema_decay / seed / name: see `GANSystem`.

    `call(inputs)` is the inference path: inputs {'image': float32 (B, S, S, 3) in [-1, 1],
    'hole_mask': float32 (B, S, S, 1) in {0, 1}, 1 = hole} -> the refined output in the holes
    and the input elsewhere, float32 (B, S, S, 3) in [-1, 1].
    """

    LOSS_NAMES = (
        "coarse_l1_loss",
        "refined_l1_loss",
        "content_loss",
        "style_loss",
        "adversarial_loss",
        "generator_loss",
        "discriminator_loss",
    )
    OPTIMIZER_GROUPS = {"generator": ("generator",), "discriminator": ("discriminator",)}

    def __init__(
        self,
        networks: Mapping[str, keras.Model],
        model_config: GatedInpaintingModelConfig,
        ema_networks: Sequence[str] = (),
        ema_decay: float | None = None,
        seed: int = 0,
        name: str | None = "gated_inpainting",
    ) -> None:
        missing = [n for n in ("generator", "discriminator") if n not in networks]
        if missing:
            raise ValueError(f"GatedInpaintingSystem needs networks {missing}")
        if model_config.image_size is None:
            raise ValueError("model_config.image_size must be set (resolved_model())")
        super().__init__(networks, ema_networks, ema_decay, seed, name)
        self.model_config = model_config
        self.image_size = int(model_config.image_size)
        self.perceptual_extractor: keras.Model | None = None  # set for training (compile)

    def forward(
        self, image: tf.Tensor, hole_mask: tf.Tensor, training: bool = False
    ) -> dict[str, tf.Tensor]:
        """Both stages of the generator on the image with its holes zeroed.

        Args:
            image: float32 (B, S, S, 3) in [-1, 1] (hole pixels are ignored).
            hole_mask: float32 (B, S, S, 1) in {0, 1}, 1 = hole.
            training: networks in training mode.

        Returns:
            {'coarse', 'refined': raw outputs, 'image': refined in the holes and the input
            elsewhere}: float32 (B, S, S, 3) in [-1, 1].
        """
        holes = tf.cast(hole_mask, tf.float32)
        masked = tf.cast(image, tf.float32) * (1.0 - holes)  # holes 0
        coarse, refined = self.generator([masked, holes], training=training)
        completed = refined * holes + masked * (1.0 - holes)
        return {"coarse": coarse, "refined": refined, "image": completed}

    def call(self, inputs: Mapping[str, tf.Tensor], training: bool = False) -> tf.Tensor:
        """The inpainted image (inputs as in the class docstring), float32 (B, S, S, 3)."""
        image, hole_mask = inputs["image"], inputs["hole_mask"]
        check_inpainting_inputs(image, hole_mask, self.image_size)
        return self.forward(image, hole_mask, training)["image"]
