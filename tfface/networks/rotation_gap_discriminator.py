"""h_xi: the U-Net gap discriminator of the face-rotation system (warp_rotation)."""

from __future__ import annotations

import keras

from tfface.networks.conv_blocks import conv_unit


def build_rotation_gap_discriminator(
    image_size: int,
    base_filters: int = 32,
    levels: int = 4,
    max_filters: int = 256,
    name: str = "gap_discriminator",
) -> keras.Model:
    """The gap discriminator h_xi of Sevastopolskiy 2019, sec. 3.2, 3.3 and 4.1.2.

    A segmentation network that predicts, from an inpainted image, which pixels were
    copied by the warp (the non-hole mask m = 1) and which were filled in (m = 0), trained
    with the class-balanced cross entropy of Eq. 3.12. "U-Net style: its encoder consists of
    4 convolutions with subsequent InstanceNorm and Leaky ReLU, interleaved by 2x max
    poolings, and its decoder is symmetric to the encoder, where each max pooling is
    replaced by 2x bilinear upsampling." The decoder concatenates the encoder features of
    the same size (U-Net skips); a 1 x 1 convolution gives one logit per pixel.

    Args:
        image_size: side S of the square input (divisible by 2^(levels - 1)).
        base_filters: filters of the first level (doubling per level, capped).
        levels: encoder convolutions (max poolings = levels - 1; thesis: 4).
        max_filters: cap on the filters.
        name: model name.

    Input (B, S, S, 3) in [-1, 1]. Output (B, S, S, 1) float32 logits of "known pixel".
    """
    if levels < 1:
        raise ValueError(f"levels must be >= 1, got {levels}")
    if image_size % 2 ** (levels - 1):
        raise ValueError(
            f"image_size {image_size} must be divisible by 2^(levels - 1) = {2 ** (levels - 1)}"
        )
    image = keras.Input((image_size, image_size, 3), name="image")
    features = image
    skips = []
    for level in range(levels):
        if level:
            features = keras.layers.MaxPooling2D(2, name=f"pool{level}")(features)
        filters = min(base_filters * 2**level, max_filters)
        features = conv_unit(
            features, filters, 3, f"down{level + 1}", norm="instance", activation="leaky_relu"
        )
        skips.append(features)
    for level in reversed(range(levels - 1)):
        features = keras.layers.UpSampling2D(
            2, interpolation="bilinear", name=f"up{level + 1}_upsample"
        )(features)
        features = keras.layers.Concatenate(name=f"up{level + 1}_skip")([features, skips[level]])
        filters = min(base_filters * 2**level, max_filters)
        features = conv_unit(
            features, filters, 3, f"up{level + 1}", norm="instance", activation="leaky_relu"
        )
    logits = keras.layers.Conv2D(1, 1, name="logits")(features)  # (B, S, S, 1)
    return keras.Model(image, logits, name=name)
