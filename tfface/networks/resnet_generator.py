"""The CycleGAN ResNet generator, with Liu 2019's resize-convolution up-sampling."""

from __future__ import annotations

from typing import Literal

import keras

from tfface.layers import ResidualBlock
from tfface.networks.conv_blocks import (
    UPSAMPLINGS,
    check_choice,
    conv_unit,
    to_image,
    upsampling_unit,
)

Upsampling = Literal["resize_conv", "transposed"]


def build_resnet_generator(
    image_size: int,
    base_filters: int = 64,
    downsamplings: int = 2,
    residual_blocks: int = 6,
    upsampling: str = "resize_conv",
    norm: str = "instance",
    name: str = "generator",
) -> keras.Model:
    """G of CycleGAN (Zhu et al. 2017 appendix 7.2; Johnson et al. 2016), Liu 2019 l.702-704.

    c7s1-64, d128, d256, `residual_blocks` x R256, u128, u64, c7s1-3 (tanh) for
    `base_filters` 64 and 2 `downsamplings` (6 blocks at 64 / 128 px, 9 at 256 px):
    reflection-padded 7 x 7 convolutions at full resolution, 3 x 3 stride-2 convolutions
    down, reflection-padded residual blocks, then either Zhu's 3 x 3 stride-2 transposed
    convolutions ("transposed") or the thesis's resize convolutions ("resize_conv": nearest
    x2 then a reflection-padded 3 x 3 convolution, against checkerboard artefacts, Odena et
    al. 2016), each with norm and ReLU.

    Args:
        image_size: side of the square images (divisible by 2^downsamplings).
        base_filters: filters of the first convolution (64).
        downsamplings: stride-2 convolutions (2).
        residual_blocks: residual blocks at the bottleneck (6 or 9).
        upsampling: "resize_conv" (Liu 2019) or "transposed" (Zhu et al.).
        norm: normalisation (`tfface.networks.conv_blocks.normalization`).
        name: model name.

    Input (B, S, S, 3) in [-1, 1]; output (B, S, S, 3) in [-1, 1].
    """
    check_choice(upsampling, UPSAMPLINGS, "upsampling")
    if image_size % 2**downsamplings:
        raise ValueError(
            f"image_size {image_size} must be divisible by 2^downsamplings = {2**downsamplings}"
        )
    source = keras.Input((image_size, image_size, 3), name="image")
    features = conv_unit(source, base_filters, 7, "stem", norm=norm, padding="reflect")
    for level in range(1, downsamplings + 1):  # (B, S / 2^level, S / 2^level, 64 * 2^level)
        features = conv_unit(
            features, base_filters * 2**level, 3, f"down{level}", strides=2, norm=norm
        )
    for block in range(residual_blocks):
        features = ResidualBlock(
            base_filters * 2**downsamplings,
            norm=norm,
            padding="reflect",
            name=f"residual{block + 1}",
        )(features)
    for step, level in enumerate(reversed(range(downsamplings))):
        features = upsampling_unit(
            features, base_filters * 2**level, f"up{step + 1}", norm, method=upsampling
        )
    return keras.Model(source, to_image(features, 7, "to_image"), name=name)
