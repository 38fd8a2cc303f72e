"""G_m: the mask-guided generator, a pix2pixHD global generator on the fused features."""

from __future__ import annotations

import keras

from tfface.layers import ResidualBlock
from tfface.networks.conv_blocks import conv_unit, to_image, upsampling_unit
from tfface.networks.mask_encoder import MASK_DOWNSAMPLINGS


def build_mask_guided_generator(
    image_size: int,
    input_channels: int,
    base_filters: int = 64,
    downsamplings: int = 3,
    residual_blocks: int = 9,
    norm: str = "instance",
) -> keras.Model:
    """G_m of Gu et al. 2019 / S1408 thesis sec. 3.1.2 (Fig. 3.3): fused features -> face.

    The pix2pixHD global generator (Wang et al. 2018) whose first `MASK_DOWNSAMPLINGS`
    halvings are done by E_m: its input is the concatenation of E_m's mask features and the
    five placed component feature maps at 1/4 resolution. A 1 x 1 convolution fuses them
    (Gu et al.'s channel compression), `downsamplings - 2` more stride-2 convolutions reach
    1/2^downsamplings of the image, `residual_blocks` reflection-padded residual blocks run
    there, and `downsamplings` transposed convolutions return to full resolution. A 7 x 7
    convolution with tanh gives the foreground image; the last feature map goes to the
    background fusing generator G_b as well. Thesis: 9 residual blocks, 3 downsamplings.

    Args:
        image_size: side of the generated square image (divisible by 2^downsamplings).
        input_channels: channels of the fused features.
        base_filters: filters at full resolution (doubling per halving, as pix2pixHD's ngf).
        downsamplings: total halvings of the global generator (>= 2, the first 2 in E_m).
        residual_blocks: residual blocks at the bottleneck.
        norm: normalisation (see `conv_blocks.normalization`).

    Input (B, S / 4, S / 4, input_channels). Outputs [foreground image (B, S, S, 3) in
    [-1, 1], foreground features (B, S, S, base_filters), >= 0].
    """
    if downsamplings < MASK_DOWNSAMPLINGS:
        raise ValueError(f"downsamplings must be >= {MASK_DOWNSAMPLINGS}, got {downsamplings}")
    if image_size % 2**downsamplings:
        raise ValueError(
            f"image_size {image_size} must be divisible by 2^downsamplings = {2**downsamplings}"
        )
    side = image_size // 2**MASK_DOWNSAMPLINGS
    fused = keras.Input((side, side, input_channels), name="fused_features")
    features = conv_unit(
        fused, base_filters * 2**MASK_DOWNSAMPLINGS, 1, "fuse", norm=norm
    )  # (B, S/4, S/4, 4 base)
    for level in range(MASK_DOWNSAMPLINGS, downsamplings):
        features = conv_unit(
            features, base_filters * 2 ** (level + 1), 3, f"down{level + 1}", strides=2, norm=norm
        )
    bottleneck_filters = base_filters * 2**downsamplings
    for block in range(residual_blocks):
        features = ResidualBlock(
            bottleneck_filters, norm=norm, padding="reflect", name=f"residual{block + 1}"
        )(features)
    for level in reversed(range(downsamplings)):
        features = upsampling_unit(
            features, base_filters * 2**level, f"up{downsamplings - level}", norm
        )
    image = to_image(features, 7, "to_image")
    return keras.Model(fused, [image, features], name="mask_guided_generator")
