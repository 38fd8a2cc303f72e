"""A U-Net with a ResNet-18 encoder: the face segmentation network N_S of Yin 2022 sec. 5.3.1.

Encoder: ResNet-18 (He et al., CVPR 2016, Table 1, "18-layer"): a 7 x 7 stride-2
convolution and a 3 x 3 stride-2 max pooling, then four stages of two basic blocks
(two 3 x 3 convolutions and a shortcut, 1 x 1 stride-2 projection where the shape changes)
with 64, 128, 256 and 512 channels, the last three starting with stride 2. Keras'
applications have no ResNet-18, so it is written here; it starts from random weights
(`load_weights` takes a file).

Decoder (U-Net, Ronneberger et al. 2015; the thesis: "each decoder block takes the previous
block's output and the symmetric encoder stage"): per encoder stage, from the deepest, a
bilinear 2x upsampling, the concatenated skip (stages 3, 2, 1 and the stem) and two
3 x 3 conv-norm-ReLU units; then a 2x upsampling to the input size, a 3 x 3 conv-norm-ReLU
and a 1 x 1 convolution to one logit per pixel (the visible-face logit; sigmoid outside).
"""

from __future__ import annotations

from collections.abc import Sequence

import keras

from tfface.networks.conv_blocks import CENTERING_NORMS, conv_unit, normalization

RESNET18_WIDTHS = (64, 128, 256, 512)
"""Channels of ResNet-18's four stages."""
UNET_DECODER_WIDTHS = (256, 128, 64, 64)
"""Channels of the decoder blocks, deepest first (our default, methods B8)."""


def basic_block(
    features: keras.KerasTensor, filters: int, strides: int, norm: str, name: str
) -> keras.KerasTensor:
    """ResNet's basic block: relu(x' + F(x)), F = conv-norm-relu-conv-norm (3 x 3), x' = x or
    a 1 x 1 strided projection + norm when the shape changes. (B, H, W, C) -> (B, H/s, W/s, f)."""
    residual = conv_unit(features, filters, 3, f"{name}_a", strides=strides, norm=norm)
    residual = conv_unit(residual, filters, 3, f"{name}_b", norm=norm, activation="none")
    shortcut = features
    if strides != 1 or features.shape[-1] != filters:
        shortcut = keras.layers.Conv2D(
            filters,
            1,
            strides=strides,
            use_bias=norm not in CENTERING_NORMS,
            name=f"{name}_projection",
        )(features)
        projection_norm = normalization(norm, f"{name}_projection_norm")
        if projection_norm is not None:
            shortcut = projection_norm(shortcut)
    added = keras.layers.Add(name=f"{name}_add")([shortcut, residual])
    return keras.layers.ReLU(name=f"{name}_relu")(added)


def resnet18_features(
    inputs: keras.KerasTensor, widths: Sequence[int], norm: str
) -> list[keras.KerasTensor]:
    """The ResNet-18 feature maps the U-Net skips read: [stem (S/2), stage1 (S/4), stage2
    (S/8), stage3 (S/16), stage4 (S/32)], channels [w0, w0, w1, w2, w3]."""
    stem = conv_unit(inputs, widths[0], 7, "stem", strides=2, norm=norm)  # (B, S/2, S/2, w0)
    features = keras.layers.MaxPooling2D(3, strides=2, padding="same", name="stem_pool")(stem)
    maps = [stem]
    for stage, width in enumerate(widths):
        for block in range(2):
            strides = 2 if stage > 0 and block == 0 else 1
            features = basic_block(features, width, strides, norm, f"stage{stage + 1}_{block + 1}")
        maps.append(features)
    return maps


def build_resnet18_unet(
    image_size: int,
    encoder_widths: Sequence[int] = RESNET18_WIDTHS,
    decoder_widths: Sequence[int] = UNET_DECODER_WIDTHS,
    head_filters: int = 32,
    norm: str = "batch",
    name: str = "segmenter",
) -> keras.Model:
    """The U-Net (module docstring).

    Args:
        image_size: side S of the square inputs, a multiple of 32.
        encoder_widths: channels of the four ResNet stages (ResNet-18: 64, 128, 256, 512).
        decoder_widths: channels of the four decoder blocks, deepest first.
        head_filters: channels of the full-resolution 3 x 3 unit before the 1 x 1 logit.
        norm: `tfface.networks.conv_blocks.normalization` name ("batch" is synchronised
            over replicas; "layer" never mixes examples).
        name: model name.

    Input float32 (B, S, S, 3) in [-1, 1]; output the face logits (B, S, S, 1).
    """
    if len(encoder_widths) != 4 or len(decoder_widths) != 4:
        raise ValueError(
            f"ResNet-18 has 4 stages: need 4 encoder and 4 decoder widths, got "
            f"{tuple(encoder_widths)} and {tuple(decoder_widths)}"
        )
    if image_size % 32:
        raise ValueError(f"the ResNet-18 U-Net halves the image 5 times: {image_size} % 32 != 0")
    inputs = keras.Input((image_size, image_size, 3), name="image")
    *skips, features = resnet18_features(inputs, encoder_widths, norm)
    for index, (skip, width) in enumerate(zip(reversed(skips), decoder_widths, strict=True)):
        block = f"decoder{index + 1}"
        features = keras.layers.UpSampling2D(2, interpolation="bilinear", name=f"{block}_up")(
            features
        )
        features = keras.layers.Concatenate(name=f"{block}_skip")([features, skip])
        features = conv_unit(features, width, 3, f"{block}_a", norm=norm)
        features = conv_unit(features, width, 3, f"{block}_b", norm=norm)
    features = keras.layers.UpSampling2D(2, interpolation="bilinear", name="head_up")(features)
    features = conv_unit(features, head_filters, 3, "head", norm=norm)
    logits = keras.layers.Conv2D(1, 1, name="face_logit")(features)  # (B, S, S, 1)
    return keras.Model(inputs, logits, name=name)
