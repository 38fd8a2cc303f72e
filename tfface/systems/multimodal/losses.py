"""The loss terms of Bergqvist 2020 Eq. 3.5 that are specific to the multimodal translator.

- `adversarial_losses`: Table 2.1's forms on logits, D maximising f(D(real)) + g(D(fake)) and
  G minimising h(D(fake)); least squares with Table 2.1's 1/2 in both (tfface's
  `least_squares` generator term is (f - 1)^2, so it is halved here: lambda_lr = 2 then
  means what the thesis printed).
- `ImageDistances`: the d_I choices of L_p (Eq. 3.4), L_sd (Eq. 3.2) and L_ir (Eq. 3.3):
  L1, discriminator features (layers 4 & 5 or all), VGG-19 relu1_1..relu5_1 (L1 per layer,
  pix2pixHD weights: `tfface.losses.perceptual_presets.MULTIMODAL`) and FaceId (L1 between
  face embeddings). Grey images are tiled to 3 channels for VGG and FaceId.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import tensorflow as tf

from tfface.losses import discriminator_adversarial_loss, generator_adversarial_loss
from tfface.losses.per_example import mean_per_example
from tfface.losses.perceptual import content_loss_from_features
from tfface.losses.perceptual_presets import perceptual_preset

Distance = Callable[[tf.Tensor, tf.Tensor, tf.Tensor], tf.Tensor]
"""(source y, first image, second image) -> (B,) distance."""


def discriminator_loss(real_logits: tf.Tensor, fake_logits: tf.Tensor, form: str) -> tf.Tensor:
    """-(f(D(y, x)) + g(D(y, G(y, z)))) per example (B,), Table 2.1 (patch means).

    original: -log s(r) - log(1 - s(f)); least_squares: 1/2 (r - 1)^2 + 1/2 f^2; hinge:
    max(0, 1 - r) + max(0, 1 + f).
    """
    mode = "non_saturating" if form == "original" else form
    return discriminator_adversarial_loss(real_logits, fake_logits, mode=mode)


def generator_loss(fake_logits: tf.Tensor, form: str, saturating_original: bool) -> tf.Tensor:
    """h(D(y, G(y, z))) per example (B,), Table 2.1: original -log s(f) (non-saturating;
    saturating: log(1 - s(f))), least_squares 1/2 (f - 1)^2, hinge -f."""
    if form == "original":
        mode = "original" if saturating_original else "non_saturating"
        return generator_adversarial_loss(fake_logits, mode=mode)
    if form == "least_squares":
        return 0.5 * generator_adversarial_loss(fake_logits, mode="least_squares")
    return generator_adversarial_loss(fake_logits, mode="hinge")


def l1_distance(first: tf.Tensor, second: tf.Tensor) -> tf.Tensor:
    """Mean |a - b| per example (B,)."""
    return mean_per_example(tf.abs(first - second))


def feature_l1(first: Sequence[tf.Tensor], second: Sequence[tf.Tensor]) -> tf.Tensor:
    """Sum over layers of the mean |a - b| per example (B,) (equal layer weights)."""
    return tf.add_n([l1_distance(a, b) for a, b in zip(first, second, strict=True)])


def to_three_channels(images: tf.Tensor) -> tf.Tensor:
    """(B, H, W, 1) grey -> (B, H, W, 3) for networks trained on colour images."""
    return tf.tile(images, [1, 1, 1, 3]) if images.shape[-1] == 1 else images


class ImageDistances:
    """The image distances d_I of one system, by name (module docstring).

    Args:
        discriminate: (source, image, training) -> [features..., logits] of D.
        vgg: VGG-19 extractor {layer: features} of relu1_1..relu5_1, or None.
        face_id: face-embedding callable (B, H, W, 3) in [-1, 1] -> (B, D), or None (the
            "face_id" distance then uses VGG-19 as a stand-in).
    """

    def __init__(
        self,
        discriminate: Callable[..., list[tf.Tensor]],
        vgg: Callable[[tf.Tensor], Mapping[str, tf.Tensor]] | None,
        face_id: Callable[[tf.Tensor], tf.Tensor] | None,
    ) -> None:
        self.discriminate = discriminate
        self.vgg = vgg
        self.face_id = face_id
        self.vgg_weights = perceptual_preset("multimodal").content_layer_weights

    def __call__(
        self, name: str, source: tf.Tensor, first: tf.Tensor, second: tf.Tensor, training: bool
    ) -> tf.Tensor:
        """d_I called `name` between images (B, S, S, 1) given their source y: (B,)."""
        if name == "l1":
            return l1_distance(first, second)
        if name.startswith("discriminator"):
            count = tf.shape(first)[0]
            outputs = self.discriminate(
                tf.concat([source, source], 0), tf.concat([first, second], 0), training
            )
            features = outputs[:-1] if name == "discriminator_all" else outputs[-3:-1]
            return feature_l1(
                [layer[:count] for layer in features], [layer[count:] for layer in features]
            )
        if name == "face_id" and self.face_id is not None:
            embeddings = self.face_id(to_three_channels(tf.concat([first, second], 0)))
            count = tf.shape(first)[0]
            return l1_distance(embeddings[:count], embeddings[count:])
        if name in ("vgg19", "face_id"):
            if self.vgg is None:
                raise RuntimeError(
                    f"the {name!r} distance needs the VGG-19 extractor: call "
                    "compile_for_training (prepare_training loads it) before training"
                )
            count = tf.shape(first)[0]
            features = self.vgg(to_three_channels(tf.concat([first, second], 0)))
            return content_loss_from_features(
                {layer: value[:count] for layer, value in features.items()},
                {layer: value[count:] for layer, value in features.items()},
                self.vgg_weights,
                "l1_mean",
            )
        raise ValueError(f"unknown image distance {name!r}")
