"""VGG16 content and style losses of the inpainting systems (Sevastopolskiy 2019 Eq. 3.13).

Both inpainting systems weight L_content and L_style of the `DEFORMATION` preset (VGG16
relu1_2, relu2_2, relu3_3, relu4_3; 1/(8 H W) sum of L2 norms; 1/(H W) sum of 2^-(6-k)
Gram distances). Sevastopolskiy 2019 gives alpha_content = 2e-2 and alpha_style = 5e4 for
warp inpainting and says its GatedConvNet baseline was trained "including ... perceptual
losses"; the baseline uses the same terms and weights.

The extractor is attached for training only (`attach_perceptual_extractor`, called by the
systems' `compile_system`): building or restoring a system for inference or export never
loads VGG16, and it is not a network of the system (not checkpointed, not exported).
"""

from __future__ import annotations

import keras
import tensorflow as tf

from tfface.losses import DEFORMATION, perceptual_losses


class PerceptualLosses:
    """`perceptual(generated, target)`; needs `model_config.content_weight / style_weight`."""

    perceptual_extractor: keras.Model | None = None

    def perceptual(self, generated: tf.Tensor, target: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        """(content (B,), style (B,)) for float32 (B, S, S, 3) images in [-1, 1].

        Zeros when both weights are 0 (no VGG16 pass).
        """
        config = self.model_config
        if config.content_weight == 0 and config.style_weight == 0:
            zeros = tf.zeros(tf.shape(generated)[:1], tf.float32)
            return zeros, zeros
        if self.perceptual_extractor is None:
            raise ValueError(
                "content_weight / style_weight > 0 need the VGG16 extractor: compile the system "
                "with its registration.compile_system (or call attach_perceptual_extractor)"
            )
        return perceptual_losses(self.perceptual_extractor, generated, target, DEFORMATION)


def attach_perceptual_extractor(system: PerceptualLosses) -> None:
    """Gives `system` the VGG16 extractor of its perceptual losses, if their weights are > 0.

    Call inside the strategy scope. Weights: `model_config.perceptual_weights`
    ("imagenet" is resolved by `tfface.weights`: file, $TFFACE_WEIGHTS_DIR, Keras cache,
    download; "random" for tests).
    """
    config = system.model_config
    if (config.content_weight > 0 or config.style_weight > 0) and (
        system.perceptual_extractor is None
    ):
        from tfface.weights import vgg_features_for_preset

        system.perceptual_extractor = vgg_features_for_preset(
            DEFORMATION, weights=config.perceptual_weights
        )
