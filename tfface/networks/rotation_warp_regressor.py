"""f_omega: the U-Net warp-field regressor of the face-rotation system (warp_rotation)."""

from __future__ import annotations

import keras

from tfface.networks.conv_blocks import conv_unit

OFFSET_CHANNELS = 2
"""The regressor's output: offsets (dx, dy) of the sampling grid, x first (`tfface/ops/grids.py`)."""


def _block(
    features: keras.KerasTensor, filters: int, convolutions: int, name: str, norm: str
) -> keras.KerasTensor:
    """`convolutions` x (3 x 3 convolution, normalisation, ReLU): one block of the thesis."""
    for index in range(convolutions):
        features = conv_unit(features, filters, 3, f"{name}_{index + 1}", norm=norm)
    return features


def build_rotation_warp_regressor(
    image_size: int,
    input_channels: int = 5,
    base_filters: int = 32,
    blocks: int = 6,
    convolutions_per_block: int = 3,
    max_filters: int = 512,
    norm: str = "batch",
    name: str = "warp_field_regressor",
) -> keras.Model:
    """The warp-field regressor f_omega of Sevastopolskiy 2019, sec. 3.3 and 4.1.2.

    A U-Net (Ronneberger et al. 2015): the encoder has `blocks` blocks of
    `convolutions_per_block` x (3 x 3 convolution, BatchNorm, ReLU) interleaved by 2 x 2
    max pooling (thesis: 6 blocks of 3, so the encoder's output is 32x smaller per side);
    the decoder is symmetric, each max pooling replaced by a 2x bilinear upsampling, with
    the U-Net skip connections (concatenation of the encoder block of the same size). A
    final 1 x 1 convolution gives the offsets w_delta = (u_delta, v_delta), which the
    system adds to the mesh grid to form the warp field w = mesh + w_delta (sec. 3.3). The
    convolution is initialised to zero, so an untrained regressor is the identity warp.

    Args:
        image_size: side S of the square input (divisible by 2^(blocks - 1)).
        input_channels: channels of the input: the image (3), the mesh grid (2) and any
            conditioning channels (the target-yaw channel of `warp_rotation`).
        base_filters: filters of the first block (doubling per block, capped).
        blocks: encoder blocks (max poolings = blocks - 1).
        convolutions_per_block: convolution units per block.
        max_filters: cap on the filters.
        norm: normalisation of every unit ("batch": the thesis's BatchNorm, synchronised
            over replicas; see `conv_blocks.normalization`).
        name: model name.

    Input (B, S, S, input_channels): image in [-1, 1], mesh grid in [-1, 1], conditions.
    Output (B, S, S, 2) float32 offsets in normalised grid units (x, y), where the image
    spans [-1, 1] (align-corners, `tfface.ops.grids`).
    """
    if blocks < 1:
        raise ValueError(f"blocks must be >= 1, got {blocks}")
    if image_size % 2 ** (blocks - 1):
        raise ValueError(
            f"image_size {image_size} must be divisible by 2^(blocks - 1) = {2 ** (blocks - 1)}"
        )
    inputs = keras.Input((image_size, image_size, input_channels), name="inputs")
    features = inputs
    skips = []
    for level in range(blocks):
        if level:
            features = keras.layers.MaxPooling2D(2, name=f"pool{level}")(features)
        filters = min(base_filters * 2**level, max_filters)
        features = _block(features, filters, convolutions_per_block, f"down{level + 1}", norm)
        skips.append(features)  # (B, S / 2^level, S / 2^level, filters)
    for level in reversed(range(blocks - 1)):
        features = keras.layers.UpSampling2D(
            2, interpolation="bilinear", name=f"up{level + 1}_upsample"
        )(features)
        features = keras.layers.Concatenate(name=f"up{level + 1}_skip")([features, skips[level]])
        filters = min(base_filters * 2**level, max_filters)
        features = _block(features, filters, convolutions_per_block, f"up{level + 1}", norm)
    offsets = keras.layers.Conv2D(OFFSET_CHANNELS, 1, kernel_initializer="zeros", name="offsets")(
        features
    )  # (B, S, S, 2), zero at initialisation: the identity warp
    return keras.Model(inputs, offsets, name=name)
