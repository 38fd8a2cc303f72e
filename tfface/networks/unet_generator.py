"""The pix2pix U-Net generator (Isola et al. CVPR 2017, appendix 6.1.1; Liu 2019 sec. 2.3.1)."""

from __future__ import annotations

import keras

from tfface.networks.conv_blocks import conv_unit, upsampling_unit


def build_unet_generator(
    image_size: int,
    downsamplings: int,
    base_filters: int = 64,
    max_filters: int = 512,
    dropout_layers: int = 3,
    dropout_rate: float = 0.5,
    norm: str = "instance",
    input_channels: int = 3,
    output_channels: int = 3,
    name: str = "generator",
) -> keras.Model:
    """G of pix2pix: an encoder-decoder with skip connections between mirrored layers.

    Encoder C64-C128-C256-C512-C512-C512-C512-C512 at 256 px (`downsamplings` = 8 reaches
    1 x 1): 4 x 4 stride-2 convolutions, LeakyReLU(0.2), a normalisation on every layer
    except the first and the innermost (a 1 x 1 map has no spatial statistics; the
    reference implementation's innermost block has none either). Decoder: 4 x 4 stride-2
    transposed convolutions, norm, ReLU, each concatenated with the encoder map of the same
    size (the U-Net skips, Liu 2019 l.398-401); dropout 0.5 on the `dropout_layers`
    innermost decoder layers is pix2pix's only noise source (l.405, "dropout as noise"); a
    last transposed convolution to `output_channels` with tanh.

    Filters double from `base_filters` per halving up to `max_filters`. pix2pix normalises
    with batch norm at batch size 1, which is instance norm; "instance" is the default so
    that examples (and MirroredStrategy replicas) do not mix.

    Args:
        image_size: side of the square input (divisible by 2^downsamplings).
        downsamplings: stride-2 encoder layers (8 at 256 px, 6 at 64 px).
        base_filters: filters of the first encoder layer (64).
        max_filters: cap on the filters (512).
        dropout_layers: innermost decoder layers with dropout (3).
        dropout_rate: their dropout rate (0.5; 0 disables).
        norm: normalisation (`tfface.networks.conv_blocks.normalization`).
        input_channels, output_channels: channels of the input and the output image.
        name: model name.

    Input (B, S, S, input_channels) in [-1, 1]; output (B, S, S, output_channels) in [-1, 1].
    """
    if downsamplings < 1:
        raise ValueError(f"the U-Net needs downsamplings >= 1, got {downsamplings}")
    if image_size % 2**downsamplings:
        raise ValueError(
            f"image_size {image_size} must be divisible by 2^downsamplings = {2**downsamplings}"
        )
    if not 0.0 <= dropout_rate < 1.0:
        raise ValueError(f"dropout_rate must be in [0, 1), got {dropout_rate}")
    if dropout_layers < 0:
        raise ValueError(f"dropout_layers must be >= 0, got {dropout_layers}")
    source = keras.Input((image_size, image_size, input_channels), name="image")
    features = source
    skips = []
    for level in range(downsamplings):  # (B, S / 2^(level + 1), ..., filters)
        filters = min(base_filters * 2**level, max_filters)
        inner = level in (0, downsamplings - 1)
        features = conv_unit(
            features,
            filters,
            4,
            f"down{level + 1}",
            strides=2,
            norm="none" if inner else norm,
            activation="leaky_relu",
        )
        skips.append(features)
    for step, level in enumerate(reversed(range(downsamplings - 1))):
        # back to the size of encoder layer `level`, then concatenated with it
        filters = min(base_filters * 2**level, max_filters)
        features = upsampling_unit(features, filters, f"up{step + 1}", norm, "relu", 4)
        if step < dropout_layers and dropout_rate > 0:
            features = keras.layers.Dropout(dropout_rate, name=f"up{step + 1}_dropout")(features)
        features = keras.layers.Concatenate(name=f"skip{step + 1}")([features, skips[level]])
    image = keras.layers.Conv2DTranspose(
        output_channels, 4, strides=2, padding="same", activation="tanh", name="to_image"
    )(features)
    return keras.Model(source, image, name=name)
