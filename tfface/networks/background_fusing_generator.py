"""G_b: fuses the generated foreground with the target's background features."""

from __future__ import annotations

import keras

from tfface.networks.conv_blocks import conv_unit, to_image


def build_background_fusing_generator(
    image_size: int,
    foreground_channels: int,
    background_channels: int,
    base_filters: int = 64,
    norm: str = "none",
) -> keras.Model:
    """G_b of Gu et al. 2019 / S1408 thesis sec. 3.1.3 (Fig. 3.4): the final image.

    Concatenates G_m's foreground image and features with E_b's masked background features,
    fuses them with a 1 x 1 convolution and a 3 x 3 reflection-padded convolution (ReLU), and
    maps them to the image with a 7 x 7 convolution and tanh (Gu et al.'s bg_decoder, plus
    the 3 x 3 unit so that the seam between face and background is learned, not pasted).

    Args:
        image_size: side of the square image.
        foreground_channels: channels of G_m's feature output.
        background_channels: channels of E_b's output.
        base_filters: filters of the fusing convolutions.
        norm: normalisation (see `conv_blocks.normalization`).

    Inputs [foreground image (B, S, S, 3) in [-1, 1], foreground features
    (B, S, S, foreground_channels), masked background features (B, S, S, background_channels)];
    output (B, S, S, 3) in [-1, 1].
    """
    side = (image_size, image_size)
    foreground_image = keras.Input((*side, 3), name="foreground_image")
    foreground_features = keras.Input((*side, foreground_channels), name="foreground_features")
    background_features = keras.Input((*side, background_channels), name="background_features")
    features = keras.layers.Concatenate(name="concatenate")(
        [foreground_image, foreground_features, background_features]
    )
    features = conv_unit(features, base_filters, 1, "fuse", norm=norm)
    features = conv_unit(features, base_filters, 3, "blend", norm=norm, padding="reflect")
    image = to_image(features, 7, "to_image")
    return keras.Model(
        [foreground_image, foreground_features, background_features],
        image,
        name="background_fusing_generator",
    )
