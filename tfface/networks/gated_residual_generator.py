"""The de-occlusion generator N_G of Yin 2022 sec. 5.3.4: gated residual blocks, self-attention.

The thesis: "stacked gated residual blocks [47] in an encoder-decoder, with self-attention
[60] on the bottleneck" (L1810); the sizes are ours (methods B10):

- input [I_n, I_m, M_o] (B, S, S, 7): the occluded image with the occlusion replaced by
  noise, the 3D render and the occlusion mask;
- a 5 x 5 gated stem with `widths[0]` channels;
- per encoder stage a gated residual block and a 4 x 4 stride-2 gated convolution to the
  next width (`widths[1:]`);
- `bottleneck_blocks` gated residual blocks at S / 2^(len(widths) - 1), with SAGAN
  self-attention (`tfface.layers.SelfAttention`) after the middle one;
- the mirror decoder: nearest 2x upsampling + 3 x 3 gated convolution
  (`inpainting_gated_generator.gated_upsampling`) and a gated residual block per stage;
- a plain 3 x 3 convolution to RGB and tanh. No normalisation and no skips ("classical
  encoder-decoder").

A gated residual block is x + g2(g1(x)) with g1 a gated 3 x 3 convolution (ELU features,
sigmoid gate, Yu et al. 2019) and g2 one with linear features.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras

from tfface.layers import GatedConv2D, SelfAttention
from tfface.networks.inpainting_gated_generator import gated, gated_upsampling

GENERATOR_INPUT_CHANNELS = 7
"""I_n (3) + I_m (3) + M_o (1)."""


def gated_residual_block(features: keras.KerasTensor, name: str) -> keras.KerasTensor:
    """x + g2(g1(x)): two 3 x 3 gated convolutions, the second with linear features.

    g2's kernel starts at zero, so a fresh block is the identity (Goyal et al. 2017's zero
    last layer of a residual branch): with unit-variance gated layers
    (`GATED_KERNEL_SCALE`) every added branch would otherwise double the variance, and
    after a few blocks the output tanh saturates and the generator stops learning
    (measured: output std 0.95 at initialisation, no progress in 100 steps).
    """
    filters = int(features.shape[-1])
    residual = gated(features, filters, 3, f"{name}_a")
    last = GatedConv2D(filters, 3, activation=None, name=f"{name}_b")
    last.conv.kernel_initializer = keras.initializers.Zeros()  # read when built, below
    residual = last(residual)
    return keras.layers.Add(name=f"{name}_add")([features, residual])


def build_gated_residual_generator(
    image_size: int,
    widths: Sequence[int] = (64, 128, 256, 512),
    bottleneck_blocks: int = 6,
    attention: bool = True,
    name: str = "generator",
) -> keras.Model:
    """N_G (module docstring).

    Args:
        image_size: side S, divisible by 2^(len(widths) - 1).
        widths: channels of the stem and of each encoder stage (methods B10: 64, 128, 256,
            512 at 256 px: three halvings).
        bottleneck_blocks: gated residual blocks at the bottleneck (B10: 6).
        attention: self-attention after the middle bottleneck block.
        name: model name.

    Input float32 (B, S, S, 7): [I_n in [-1, 1], I_m in [-1, 1], M_o in {0, 1}]; output the
    de-occluded image float32 (B, S, S, 3) in [-1, 1].
    """
    if not widths:
        raise ValueError("the generator needs at least one width")
    if bottleneck_blocks < 1:
        raise ValueError(f"bottleneck_blocks must be >= 1, got {bottleneck_blocks}")
    halvings = len(widths) - 1
    if image_size % (2**halvings):
        raise ValueError(
            f"the generator halves the image {halvings} times: {image_size} % {2**halvings} != 0"
        )
    inputs = keras.Input((image_size, image_size, GENERATOR_INPUT_CHANNELS), name="inputs")
    features = gated(inputs, widths[0], 5, "stem")
    for stage, width in enumerate(widths[1:]):
        features = gated_residual_block(features, f"encoder{stage + 1}_block")
        features = gated(features, width, 4, f"encoder{stage + 1}_down", strides=2)
    middle = (bottleneck_blocks - 1) // 2
    for block in range(bottleneck_blocks):
        features = gated_residual_block(features, f"bottleneck{block + 1}")
        if attention and block == middle:
            features = SelfAttention(name="self_attention")(features)
    for stage, width in enumerate(reversed(widths[:-1])):
        features = gated_upsampling(features, width, f"decoder{stage + 1}_up")
        features = gated_residual_block(features, f"decoder{stage + 1}_block")
    rgb = keras.layers.Conv2D(3, 3, padding="same", name="rgb")(features)
    output = keras.layers.Activation("tanh", name="tanh")(rgb)  # (B, S, S, 3) in [-1, 1]
    return keras.Model(inputs, output, name=name)


def build_vgg_discriminator(
    image_size: int, widths: Sequence[int] = (64, 128, 256, 512, 512), name: str = "discriminator"
) -> keras.Model:
    """The VGG-shaped discriminator of N_G (thesis L1810, [145]; sizes: methods B10).

    Per width a spectrally normalised 3 x 3 stride-1 and 4 x 4 stride-2 convolution, each
    followed by LeakyReLU(0.2); then flatten and a spectrally normalised dense layer to one
    logit. Input (B, S, S, 3) in [-1, 1]; output logits (B, 1).
    """
    from tfface.networks.inpainting_patch_discriminator import spectral_conv

    if not widths:
        raise ValueError("the discriminator needs at least one width")
    if image_size % (2 ** len(widths)):
        raise ValueError(
            f"the discriminator halves the image {len(widths)} times: "
            f"{image_size} % {2 ** len(widths)} != 0"
        )
    inputs = keras.Input((image_size, image_size, 3), name="image")
    features = inputs
    for stage, width in enumerate(widths):
        for suffix, kernel, strides in (("a", 3, 1), ("b", 4, 2)):
            layer = f"stage{stage + 1}{suffix}"
            features = spectral_conv(features, width, kernel, strides, True, layer)
            features = keras.layers.LeakyReLU(negative_slope=0.2, name=f"{layer}_leaky_relu")(
                features
            )
    flat = keras.layers.Flatten(name="flatten")(features)
    logit = keras.layers.SpectralNormalization(keras.layers.Dense(1), name="logit")(flat)
    return keras.Model(inputs, logit, name=name)
