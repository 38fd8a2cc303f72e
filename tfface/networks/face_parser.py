"""P_F: the U-Net face parser of the mask-guided system."""

from __future__ import annotations

import keras

from tfface.networks.conv_blocks import conv_unit


def _double_conv(
    features: keras.KerasTensor, filters: int, name: str, norm: str
) -> keras.KerasTensor:
    features = conv_unit(features, filters, 3, f"{name}_a", norm=norm)
    return conv_unit(features, filters, 3, f"{name}_b", norm=norm)


def build_face_parser(
    image_size: int,
    classes: int = 11,
    base_filters: int = 64,
    depth: int = 4,
    max_filters: int = 512,
    norm: str = "batch",
) -> keras.Model:
    """P_F of Gu et al. 2019 / S1408 thesis sec. 2.2.1 and 3.2.4 (Eq. 3.7, 3.8): a U-Net.

    U-Net (Ronneberger et al. 2015): `depth` levels of two 3 x 3 conv units and 2 x 2 max
    pooling, a bottleneck, and a symmetric expansive path of stride-2 transposed
    convolutions concatenated with the skip connections; a 1 x 1 convolution gives per-pixel
    class logits. The thesis's parser has six stride-2 levels and a 512-channel 8 x 8
    bottleneck at 256 px; `depth` and the filters are configurable.

    Args:
        image_size: side of the square image (divisible by 2^depth).
        classes: classes of the label map (PORTRAIT_11: 11).
        base_filters: filters of the first level (doubling per level).
        depth: poolings.
        max_filters: cap on the filters.
        norm: normalisation (see `conv_blocks.normalization`).

    Input (B, S, S, 3) in [-1, 1]; output logits (B, S, S, classes).
    """
    if image_size % 2**depth:
        raise ValueError(f"image_size {image_size} must be divisible by 2^depth = {2**depth}")
    image = keras.Input((image_size, image_size, 3), name="image")
    features = image
    skips = []
    for level in range(depth):
        features = _double_conv(
            features, min(base_filters * 2**level, max_filters), f"down{level + 1}", norm
        )
        skips.append(features)
        features = keras.layers.MaxPooling2D(2, name=f"pool{level + 1}")(features)
    features = _double_conv(features, min(base_filters * 2**depth, max_filters), "bottleneck", norm)
    for level in reversed(range(depth)):
        filters = min(base_filters * 2**level, max_filters)
        features = keras.layers.Conv2DTranspose(
            filters, 2, strides=2, name=f"up{level + 1}_deconv"
        )(features)
        features = keras.layers.Concatenate(name=f"up{level + 1}_skip")([features, skips[level]])
        features = _double_conv(features, filters, f"up{level + 1}", norm)
    logits = keras.layers.Conv2D(classes, 1, name="logits")(features)
    return keras.Model(image, logits, name="face_parser")
