"""The residual hourglass of warp inpainting: warp field regressor f_omega and merger p_eta.

Sevastopolskiy 2019, sec. 4.2.3: "6 convolutional blocks in the encoder (two of them
contain stride-2 convolutions), 12 in the residual part (input to each convolutional
block is subsequently added to its output by a residual connection), 6 in the decoder part
(there is a bilinear 2x upsampling before two of them). Each convolutional block contains
one 3 x 3 convolution, InstanceNorm normalization layer, and Leaky ReLU activation." The
merger is "the same type of architecture but with a 4x larger number of feature maps".

Filters (our choice; the thesis gives only parameter counts): the encoder doubles them at
each stride-2 block (f, 2f, 2f, 4f, 4f, 4f), the residual part keeps 4f and the decoder
halves them after each upsampling (4f, 2f, 2f, f, f, f); a linear 3 x 3 convolution maps
to the outputs. With f = 20 and K = 10 warp fields the regressor (4 -> 20 channels) has
979,380 parameters and the merger (f = 80, 34 -> 11 channels) 15,596,571: the thesis
reports 981,140 and 15,584,523 (both within 0.2%).
"""

from __future__ import annotations

import keras

from tfface.networks.conv_blocks import conv_unit


def resolution_change_blocks(blocks: int) -> tuple[int, int]:
    """Indices of the two blocks that change the resolution among `blocks` (>= 2) blocks.

    Blocks 1 and 3 (0-based) when there are at least 4, as in the thesis's 6-block encoder
    and decoder; the last two otherwise.
    """
    if blocks < 2:
        raise ValueError(f"an hourglass needs at least 2 encoder / decoder blocks, got {blocks}")
    if blocks >= 4:
        return (1, 3)
    return (blocks - 2, blocks - 1)


def hourglass_block(
    features: keras.KerasTensor, filters: int, name: str, strides: int = 1
) -> keras.KerasTensor:
    """One convolutional block: 3 x 3 convolution -> instance norm -> LeakyReLU(0.2)."""
    return conv_unit(
        features, filters, 3, name, strides=strides, norm="instance", activation="leaky_relu"
    )


def build_residual_hourglass(
    image_size: int | None,
    input_channels: int,
    output_channels: int,
    base_filters: int,
    encoder_blocks: int = 6,
    residual_blocks: int = 12,
    decoder_blocks: int = 6,
    name: str = "residual_hourglass",
) -> keras.Model:
    """A residual hourglass: encoder (2 stride-2 blocks), residual blocks, decoder (2 upsamplings).

    Args:
        image_size: side S of the square inputs (divisible by 4), or None for any size.
        input_channels: C_in (regressor: masked image + mask = 4; merger: 3 (K + 1) + 1).
        output_channels: C_out (regressor: 2 K flow channels; merger: K + 1 logits).
        base_filters: f, the filters at full resolution (4 f in the residual part).
        encoder_blocks, residual_blocks, decoder_blocks: thesis 6, 12, 6.
        name: model name.

    Input (B, S, S, C_in); output float32 (B, S, S, C_out), linear (no activation).
    """
    if image_size is not None and image_size % 4:
        raise ValueError(f"the hourglass halves the image twice: size {image_size} % 4 != 0")
    if residual_blocks < 0:
        raise ValueError(f"residual_blocks must be >= 0, got {residual_blocks}")
    inputs = keras.Input((image_size, image_size, input_channels), name="inputs")
    features = inputs
    filters = base_filters
    downsampling = resolution_change_blocks(encoder_blocks)
    for index in range(encoder_blocks):
        strides = 2 if index in downsampling else 1
        filters = filters * 2 if strides == 2 else filters
        features = hourglass_block(features, filters, f"encoder{index + 1}", strides)
    for index in range(residual_blocks):  # (B, S/4, S/4, 4f)
        block = hourglass_block(features, filters, f"residual{index + 1}")
        features = keras.layers.Add(name=f"residual{index + 1}_add")([features, block])
    upsampling = resolution_change_blocks(decoder_blocks)
    for index in range(decoder_blocks):
        if index in upsampling:
            features = keras.layers.UpSampling2D(
                2, interpolation="bilinear", name=f"decoder{index + 1}_upsample"
            )(features)
            filters = max(filters // 2, 1)
        features = hourglass_block(features, filters, f"decoder{index + 1}")
    outputs = keras.layers.Conv2D(output_channels, 3, padding="same", name="output")(features)
    return keras.Model(inputs, outputs, name=name)
