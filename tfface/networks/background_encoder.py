"""E_b: encodes the target image for the background fusing sub-network."""

from __future__ import annotations

import keras

from tfface.networks.conv_blocks import conv_unit


def build_background_encoder(
    image_size: int, base_filters: int = 64, norm: str = "none"
) -> keras.Model:
    """E_b of Gu et al. 2019 / S1408 thesis sec. 3.1.3 and 3.2.2 (Fig. 3.4).

    A 7 x 7 reflection-padded convolution with ReLU at full resolution (the thesis: a
    256 x 256 x 64 tensor). The system multiplies the output by the target mask's
    background channel, removing the face. Gu et al. instance-normalise it; the default
    here has no normalisation, which would discard the per-image colour statistics that
    G_b must reproduce in the background.

    Args:
        image_size: side of the square target image.
        base_filters: output channels.
        norm: normalisation (see `conv_blocks.normalization`).

    Input (B, S, S, 3) in [-1, 1]; output (B, S, S, base_filters), >= 0.
    """
    image = keras.Input((image_size, image_size, 3), name="target_image")
    features = conv_unit(image, base_filters, 7, "encode", norm=norm, padding="reflect")
    return keras.Model(image, features, name="background_encoder")
