"""A conditional PatchGAN discriminator of the pix2pixHD multi-scale pair, with its features."""

from __future__ import annotations

import keras

from tfface.networks.conv_blocks import conv_unit


def build_conditional_patch_discriminator(
    image_size: int,
    condition_channels: int = 11,
    base_filters: int = 64,
    layers: int = 3,
    max_filters: int = 512,
    input_downsamplings: int = 0,
    norm: str = "instance",
    name: str = "discriminator",
) -> keras.Model:
    """D_i of Gu et al. 2019 / S1408 thesis sec. 3.2.3 (Eq. 3.3-3.5), as in pix2pixHD.

    The image is concatenated with its condition (the one-hot target mask m^t; pix2pix's
    source image; none with `condition_channels=0`, CycleGAN's unconditional D) and, for
    the coarser scales of the multi-scale discriminator, average-pooled
    `input_downsamplings` times (3 x 3, stride 2, padding excluded from the mean, as
    pix2pixHD's AvgPool2d(count_include_pad=False)). Then the pix2pixHD NLayerDiscriminator:
    a 4 x 4 stride-2 convolution with LeakyReLU(0.2), `layers - 1` more stride-2 and one
    stride-1 4 x 4 convolutions with instance norm and LeakyReLU, and a 4 x 4 convolution to
    one logit per patch. Every intermediate activation is returned for the pairwise feature
    matching loss (Eq. 3.5). With `layers=3` this is the 70 x 70 PatchGAN of pix2pix and
    CycleGAN (C64-C128-C256-C512, Liu 2019 l.403, l.702; "same" padding keeps the 70 px
    receptive field and gives S/8 x S/8 patches).

    Args:
        image_size: side of the square image at full resolution.
        condition_channels: channels of the condition (11 for PORTRAIT_11 masks, 3 for a
            source image, 0 for none: then the model has the one input `image`).
        base_filters: filters of the first convolution (pix2pixHD's ndf).
        layers: stride-2 convolutions (pix2pixHD's n_layers_D).
        max_filters: cap on the filters.
        input_downsamplings: 2x average poolings of the inputs (0 for D_1, 1 for D_2).
        norm: normalisation (see `conv_blocks.normalization`).
        name: model name.

    Inputs [image (B, S, S, 3) in [-1, 1], condition (B, S, S, condition_channels)], or
    image alone when condition_channels is 0.
    Outputs [feature_1, ..., feature_{layers + 1}, logits (B, h, w, 1)].
    """
    if condition_channels < 0:
        raise ValueError(f"condition_channels must be >= 0, got {condition_channels}")
    image = keras.Input((image_size, image_size, 3), name="image")
    inputs: list[keras.KerasTensor] = [image]
    features = image
    if condition_channels:
        condition = keras.Input((image_size, image_size, condition_channels), name="condition")
        inputs.append(condition)
        features = keras.layers.Concatenate(name="concatenate")([image, condition])
    for level in range(input_downsamplings):
        features = keras.layers.AveragePooling2D(
            3, strides=2, padding="same", name=f"pool{level + 1}"
        )(features)
    outputs = []
    features = conv_unit(
        features, base_filters, 4, "layer1", strides=2, norm="none", activation="leaky_relu"
    )
    outputs.append(features)
    for level in range(1, layers + 1):
        filters = min(base_filters * 2**level, max_filters)
        strides = 2 if level < layers else 1
        features = conv_unit(
            features,
            filters,
            4,
            f"layer{level + 1}",
            strides=strides,
            norm=norm,
            activation="leaky_relu",
        )
        outputs.append(features)
    logits = keras.layers.Conv2D(1, 4, padding="same", name="logits")(features)
    return keras.Model(inputs if condition_channels else image, [*outputs, logits], name=name)
