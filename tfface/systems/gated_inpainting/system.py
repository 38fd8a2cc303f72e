"""`GatedInpaintingSystem`: the gated-convolution inpainting baseline (DeepFill v2).

Yu et al., "Free-Form Image Inpainting with Gated Convolution", ICCV 2019 (sec. 3.2-3.3
and their released training code), the "GatedConvNet" baseline of Sevastopolskiy 2019
(sec. 4.2.2, Tables 4.3-4.4): a coarse-to-fine gated generator and an SN-PatchGAN
discriminator on (image, hole mask). One step = two updates:

1. generator: alpha_coarse |x_1 - y|_1 + alpha_refined |x_2 - y|_1 (means over 3 H W
   values) + alpha_content L_content(x_2, y) + alpha_style L_style(x_2, y) + alpha_adv
   L^G_adv, with L^G_adv = -mean D(x_hat, hole) (hinge form), x_hat the refined output
   pasted into the known pixels;
2. SN-PatchGAN: mean relu(1 - D(y)) + mean relu(1 + D(x_hat)) over every element of its
   output map (hinge form).
"""

from __future__ import annotations

from collections.abc import Mapping

import keras
import tensorflow as tf

from tfface.config.model_config import AdamConfig
from tfface.losses import generator_adversarial_loss, masked_l1_loss
from tfface.networks.inpainting_gated_generator import build_gated_inpainting_generator
from tfface.networks.inpainting_patch_discriminator import build_spectral_patch_discriminator
from tfface.systems.gan_updates import DISCRIMINATOR_UPDATE, GENERATOR_UPDATE
from tfface.systems.gated_inpainting.config import (
    GatedInpaintingConfig,
    GatedInpaintingModelConfig,
    paper,
    tiny,
)
from tfface.systems.inpainting_system import (
    InpaintingSystem,
    generator_terms,
    image_and_holes,
)


class GatedInpaintingSystem(InpaintingSystem):
    """Coarse-to-fine gated-convolution inpainting with an SN-PatchGAN (Yu et al. 2019).

    Networks: "generator" (`build_gated_inpainting_generator`) and "discriminator"
    (`build_spectral_patch_discriminator`, image + hole mask input).

    `call(inputs)` is the inference path: inputs {'image': float32 (B, S, S, 3) in [-1, 1],
    'hole_mask': float32 (B, S, S, 1) in {0, 1}, 1 = hole} -> the refined output in the holes
    and the input elsewhere, float32 (B, S, S, 3) in [-1, 1].
    """

    NAME = "gated_inpainting"
    SUMMARY = "gated-convolution inpainting baseline (Yu et al. ICCV 2019)"
    CONFIG = GatedInpaintingConfig
    PRESETS = {"paper": paper, "tiny": tiny}
    LOSS_NAMES = (
        "coarse_l1_loss",
        "refined_l1_loss",
        "content_loss",
        "style_loss",
        "adversarial_loss",
        "generator_loss",
        "discriminator_loss",
    )
    NETWORKS = ("generator", "discriminator")
    INFERENCE_NETWORKS = ("generator",)
    OPTIMIZER_GROUPS = {"generator": ("generator",), "discriminator": ("discriminator",)}
    UPDATES = (GENERATOR_UPDATE, DISCRIMINATOR_UPDATE)

    model_config: GatedInpaintingModelConfig

    @classmethod
    def build_networks(
        cls, model_config: GatedInpaintingModelConfig, seed: int = 0
    ) -> dict[str, keras.Model]:
        """The gated coarse-to-fine "generator": masked image (B, S, S, 3) and holes
        (B, S, S, 1) -> coarse and refined images (B, S, S, 3) in [-1, 1]; the SN-PatchGAN
        "discriminator": image + hole mask (B, S, S, 4) -> features (B, S/2^k, S/2^k, C).
        """
        keras.utils.set_random_seed(seed)
        model = model_config
        return {
            "generator": build_gated_inpainting_generator(
                model.image_size,
                model.base_filters,
                model.dilation_rates,
                contextual_attention=model.contextual_attention,
                attention_rate=model.attention_rate,
                attention_softmax_scale=model.attention_softmax_scale,
                name="generator",
            ),
            "discriminator": build_spectral_patch_discriminator(
                model.image_size,
                4,  # image and hole mask
                model.discriminator_filters,
                model.discriminator_kernel_size,
                model.discriminator_strides,
                norm="none",
                output="features",
                name="discriminator",
            ),
        }

    @classmethod
    def optimizer_configs(cls, config: GatedInpaintingConfig) -> dict[str, AdamConfig]:
        """Adam (Yu et al.: 1e-4, betas 0.5, 0.999): the generator at train.learning_rate, the
        discriminator at model.discriminator_learning_rate."""
        model = config.model
        return {
            "generator": AdamConfig(config.train.learning_rate, model.beta_1, model.beta_2),
            "discriminator": AdamConfig(
                model.discriminator_learning_rate, model.beta_1, model.beta_2
            ),
        }

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

    def inpainted(self, image: tf.Tensor, hole_mask: tf.Tensor, training: bool) -> tf.Tensor:
        """x_hat: the refined output in the holes, the input elsewhere, (B, S, S, 3)."""
        return self.forward(image, hole_mask, training)["image"]

    def discriminate(self, images: tf.Tensor, hole_mask: tf.Tensor, training: bool) -> tf.Tensor:
        """SN-PatchGAN outputs of images (B, S, S, 3) with their hole masks (B, S, S, 1)."""
        return self.discriminator(tf.concat([images, hole_mask], axis=-1), training=training)

    def adversarial_setting(self) -> tuple[str, float]:
        """model.adversarial_form (hinge: SN-PatchGAN), the discriminator's loss unscaled."""
        return self.model_config.adversarial_form, 1.0

    def generator_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """The generator's objective (module docstring, 1.) and its terms, (B,) each; carries
        'fake' = x_hat.

        Args:
            batch: {'image': float32 (B, S, S, 3) in [-1, 1], the complete image y;
                'hole_mask': float32 (B, S, S, 1) in {0, 1}, 1 = hole}.
        """
        config = self.model_config
        real, hole_mask = image_and_holes(batch)
        outputs = self.forward(real, hole_mask, training=training)
        terms = {
            "coarse_l1_loss": masked_l1_loss(outputs["coarse"], real),  # (B,)
            "refined_l1_loss": masked_l1_loss(outputs["refined"], real),
            **self.perceptual(outputs["refined"], real),
            "adversarial_loss": generator_adversarial_loss(
                self.discriminate(outputs["image"], hole_mask, training),
                mode=config.adversarial_form,
            ),
        }
        weights = {
            "coarse_l1_loss": config.coarse_l1_weight,
            "refined_l1_loss": config.refined_l1_weight,
            "content_loss": config.content_weight,
            "style_loss": config.style_weight,
            "adversarial_loss": config.adversarial_weight,
        }
        return generator_terms(terms, weights, fake=outputs["image"])

    def intermediate_images(self, images: tf.Tensor, holes: tf.Tensor) -> dict[str, tf.Tensor]:
        """The coarse stage's output."""
        return {"coarse": self.forward(images, holes)["coarse"]}
