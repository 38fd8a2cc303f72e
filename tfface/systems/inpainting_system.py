"""`InpaintingSystem`: what the inpainting systems (`warp_inpainting`, `gated_inpainting`) share.

An intermediate `GANSystem` base (it declares no `CONFIG`, so it registers nothing):

- the data (`data_recipes.image_hole_batches`: images with hole masks) and the serving
  signatures (`inpainting_export.inpainting_signatures`: `inpaint(image, hole_mask)`);
- `call` (input checks, then the subclass's `inpainted`) and `inpaint` (NumPy in and out,
  checked by `inpainting_inputs`);
- the VGG16 content / style losses (Sevastopolskiy 2019 Eq. 3.13), loaded by
  `prepare_training`;
- the generator objective's assembly (`generator_terms`: the weighted sum of L1,
  perceptual, adversarial and the system's own terms) and the patch discriminator's
  objective (`discriminator_objective`: real image vs the generator's, Goodfellow et al.
  2014 / Mao et al. 2017 / Miyato et al. 2018 forms from `tfface.losses.adversarial`);
- the TensorBoard preview (masked input, the system's intermediate images, output, real).

A subclass's model config subclasses `inpainting_config.InpaintingModelConfig`; it
implements `inpainted`, `discriminate`, `adversarial_setting`, `generator_objective` and
`intermediate_images`; its `UPDATES` start with `gan_updates.GENERATOR_UPDATE` and
`DISCRIMINATOR_UPDATE` (whose objectives these are).
"""

from __future__ import annotations

from collections.abc import Mapping

import keras
import numpy as np
import tensorflow as tf

from tfface.losses import discriminator_adversarial_loss
from tfface.systems.base import GANSystem
from tfface.systems.data_recipes import image_hole_batches
from tfface.systems.image_inputs import as_images, match_batches
from tfface.systems.inpainting_config import InpaintingModelConfig
from tfface.systems.inpainting_export import inpainting_signatures
from tfface.systems.inpainting_inputs import as_hole_masks, check_inpainting_inputs
from tfface.systems.inpainting_perceptual import perceptual_extractor, perceptual_terms


def image_and_holes(batch: Mapping[str, tf.Tensor]) -> tuple[tf.Tensor, tf.Tensor]:
    """(y float32 (B, S, S, 3) in [-1, 1], hole mask float32 (B, S, S, 1), 1 = hole)."""
    return batch["image"], tf.cast(batch["hole_mask"], tf.float32)


def generator_terms(
    terms: Mapping[str, tf.Tensor], weights: Mapping[str, float], fake: tf.Tensor
) -> dict[str, tf.Tensor]:
    """The generator's terms (B,), their weighted sum 'generator_loss' (B,) = sum_k
    weights[k] terms[k], in the order of `weights`, and 'fake' (carried to the
    discriminators): the image (B, S, S, 3) they judge."""
    names = iter(weights)
    first = next(names)
    total = weights[first] * terms[first]
    for name in names:
        total = total + weights[name] * terms[name]
    return {**terms, "generator_loss": total, "fake": fake}


class InpaintingSystem(GANSystem):
    """Base of the inpainting systems (module docstring).

    `call(inputs)`: {'image': float32 (B, S, S, 3) in [-1, 1], 'hole_mask': float32
    (B, S, S, 1) in {0, 1}, 1 = hole} -> the inpainted image, float32 (B, S, S, 3) in
    [-1, 1].
    """

    DATA = staticmethod(image_hole_batches)
    EXPORTS = staticmethod(inpainting_signatures)

    model_config: InpaintingModelConfig
    perceptual_extractor: keras.Model | None = None  # VGG16, loaded by prepare_training

    # -- what a subclass implements --------------------------------------------------------
    def inpainted(self, image: tf.Tensor, hole_mask: tf.Tensor, training: bool) -> tf.Tensor:
        """The inpainted image (B, S, S, 3) of checked float inputs (class docstring)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement inpainted")

    def discriminate(self, images: tf.Tensor, hole_mask: tf.Tensor, training: bool) -> tf.Tensor:
        """The patch discriminator's outputs on images (B, S, S, 3) with their holes."""
        raise NotImplementedError(f"{type(self).__name__} does not implement discriminate")

    def adversarial_setting(self) -> tuple[str, float]:
        """(GAN loss form of `tfface.losses.adversarial`, scale of the discriminator's loss)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement adversarial_setting")

    def intermediate_images(self, images: tf.Tensor, holes: tf.Tensor) -> dict[str, tf.Tensor]:
        """{name: (B, S, S, 3) in [-1, 1]}: the preview's images between input and output."""
        return {}

    # -- shared ----------------------------------------------------------------------------
    def call(self, inputs: Mapping[str, tf.Tensor], training: bool = False) -> tf.Tensor:
        """The inpainted image (class docstring); integer or misshapen inputs are a ValueError."""
        image, hole_mask = inputs["image"], inputs["hole_mask"]
        check_inpainting_inputs(image, hole_mask, self.image_size)
        return self.inpainted(image, hole_mask, training)

    @tf.function(reduce_retracing=True)
    def _inpaint_graph(self, images: tf.Tensor, hole_masks: tf.Tensor) -> tf.Tensor:
        """float32 (B, S, S, 3) in [-1, 1] from images (B, S, S, 3) and holes (B, S, S, 1)."""
        return self({"image": images, "hole_mask": hole_masks}, training=False)

    def inpaint(self, images: object, hole_masks: object) -> np.ndarray:
        """Fills the holes of `images`, NumPy in and out, inputs checked before any graph runs.

        Args:
            images: float (B, S, S, 3) or (S, S, 3) in [-1, 1].
            hole_masks: (B, S, S, 1) / (B, S, S) / (S, S, 1) / (S, S), 1 = hole (bool, 0 / 1,
                or uint8 0 / 255); a batch of one is broadcast against a batch of N.

        Returns:
            float32 (B, S, S, 3) in [-1, 1].
        """
        checked_images = as_images(images, self.image_size)
        checked_masks = as_hole_masks(hole_masks, self.image_size)
        checked_images, checked_masks = match_batches(
            "images", checked_images, "hole_masks", checked_masks
        )
        return self._inpaint_graph(tf.constant(checked_images), tf.constant(checked_masks)).numpy()

    def prepare_training(self, config) -> None:
        """Loads the VGG16 of the perceptual losses when their weights are > 0."""
        model = config.model
        if self.perceptual_extractor is None:
            self.perceptual_extractor = perceptual_extractor(
                model.content_weight, model.style_weight, model.perceptual_weights
            )

    def perceptual(self, generated: tf.Tensor, target: tf.Tensor) -> dict[str, tf.Tensor]:
        """{'content_loss', 'style_loss'}: (B,) each, of (B, S, S, 3) images in [-1, 1]."""
        config = self.model_config
        content, style = perceptual_terms(
            self.perceptual_extractor, generated, target, config.content_weight, config.style_weight
        )
        return {"content_loss": content, "style_loss": style}

    def discriminator_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """The patch discriminator's loss on the real image y and the carried 'fake', (B,)."""
        real, hole_mask = image_and_holes(batch)
        form, scale = self.adversarial_setting()
        return {
            "discriminator_loss": scale
            * discriminator_adversarial_loss(
                self.discriminate(real, hole_mask, training),
                self.discriminate(carried["fake"], hole_mask, training),
                mode=form,
            )
        }

    def preview(self, batch: Mapping[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """Masked input (holes white), the intermediate images, the output and the real image."""
        images, holes = image_and_holes(batch)
        return {
            "masked": images * (1.0 - holes) + holes,
            **self.intermediate_images(images, holes),
            "inpainted": self({"image": images, "hole_mask": holes}),
            "real": images,
        }
