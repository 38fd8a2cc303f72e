"""E_m: encodes the 11-class target mask into mask features at 1/4 resolution."""

from __future__ import annotations

import keras

from tfface.networks.conv_blocks import conv_unit

MASK_DOWNSAMPLINGS = 2
"""E_m halves the resolution twice: 256 x 256 masks -> 64 x 64 features (thesis sec. 3.2.2)."""


def build_mask_encoder(
    image_size: int,
    classes: int = 11,
    base_filters: int = 64,
    norm: str = "instance",
    name: str = "mask_encoder",
) -> keras.Model:
    """E_m of Gu et al. 2019 / S1408 thesis sec. 3.1.2 and 3.2.2 (Fig. 3.3).

    The front of the pix2pixHD global generator (Wang et al. 2018): a 7 x 7
    reflection-padded convolution, then two stride-2 3 x 3 convolutions doubling the
    filters, each with instance norm and ReLU. With `base_filters` 64 a 256 x 256 x 11 mask
    becomes the thesis's 64 x 64 x 256 mask features.

    Args:
        image_size: side of the square mask.
        classes: channels of the one-hot mask (PORTRAIT_11: 11).
        base_filters: filters of the first convolution (output: 4 * base_filters).
        norm: normalisation (see `conv_blocks.normalization`).
        name: model name.

    Input (B, S, S, classes) one-hot in {0, 1}; output (B, S / 4, S / 4, 4 * base_filters), >= 0.
    """
    mask = keras.Input((image_size, image_size, classes), name="mask")
    features = conv_unit(mask, base_filters, 7, "stem", norm=norm, padding="reflect")
    for level in range(MASK_DOWNSAMPLINGS):
        features = conv_unit(
            features, base_filters * 2 ** (level + 1), 3, f"down{level + 1}", strides=2, norm=norm
        )
    return keras.Model(mask, features, name=name)
