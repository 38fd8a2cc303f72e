"""VGG16 content and style losses of the inpainting systems (Sevastopolskiy 2019 Eq. 3.13).

Both inpainting systems weight L_content and L_style of the `DEFORMATION` preset (VGG16
relu1_2, relu2_2, relu3_3, relu4_3; 1/(8 H W) sum of L2 norms; 1/(H W) sum of 2^-(6-k)
Gram distances). Sevastopolskiy 2019 gives alpha_content = 2e-2 and alpha_style = 5e4 for
warp inpainting and says its GatedConvNet baseline was trained "including ... perceptual
losses"; the baseline uses the same terms and weights.

The extractor is loaded for training only (`perceptual_extractor`, called by the systems'
`prepare_training`): building or restoring a system for inference or export never loads
VGG16, and it is not a network of the system (not checkpointed, not exported).
"""

from __future__ import annotations

import keras
import tensorflow as tf

from tfface.losses import DEFORMATION, perceptual_losses


def uses_perceptual(content_weight: float, style_weight: float) -> bool:
    """Whether the losses need VGG16 (either weight > 0)."""
    return content_weight > 0 or style_weight > 0


def perceptual_extractor(
    content_weight: float, style_weight: float, weights: str
) -> keras.Model | None:
    """The VGG16 extractor of the `DEFORMATION` preset, or None when both weights are 0.

    Call inside the strategy scope. `weights`: "imagenet" (resolved by `tfface.weights`:
    file, $TFFACE_WEIGHTS_DIR, Keras cache, download), a weight file, or "random" (tests).
    """
    if not uses_perceptual(content_weight, style_weight):
        return None
    from tfface.weights import vgg_features_for_preset

    return vgg_features_for_preset(DEFORMATION, weights=weights)


def perceptual_terms(
    extractor: keras.Model | None,
    generated: tf.Tensor,
    target: tf.Tensor,
    content_weight: float,
    style_weight: float,
) -> tuple[tf.Tensor, tf.Tensor]:
    """(content (B,), style (B,)) of float32 (B, S, S, 3) images in [-1, 1].

    Zeros when both weights are 0 (no VGG16 pass).

    Raises:
        ValueError: a weight is > 0 but no extractor was loaded (`prepare_training`).
    """
    if not uses_perceptual(content_weight, style_weight):
        zeros = tf.zeros(tf.shape(generated)[:1], tf.float32)
        return zeros, zeros
    if extractor is None:
        raise ValueError(
            "content_weight / style_weight > 0 need the VGG16 extractor: compile the system "
            "with compile_for_training (or call its prepare_training)"
        )
    return perceptual_losses(extractor, generated, target, DEFORMATION)
