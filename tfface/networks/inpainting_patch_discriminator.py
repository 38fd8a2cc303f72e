"""Spectrally normalised patch discriminators of the inpainting systems.

Two configurations of one builder:

- warp inpainting's real/fake discriminator d_psi (Sevastopolskiy 2019, sec. 4.2.3): "4
  convolutions with Spectral Normalization, BatchNorm normalization and Leaky ReLU,
  followed by 1 convolution with Spectral Normalization and sigmoid". Kernels, strides and
  filters are not given; we use pix2pix's 4 x 4 kernels with 64, 128, 256, 512 filters and
  strides 2, 2, 2, 1 (2,768,578 parameters with the BN statistics and the spectral-norm
  vectors; the thesis reports 2,783,797). Least-squares losses on the sigmoid output
  (Eq. 3.13 block).
- the gated-convolution baseline's SN-PatchGAN (Yu et al., "Free-Form Image Inpainting with
  Gated Convolution", ICCV 2019, sec. 3.2): six 5 x 5 stride-2 convolutions with 64, 128,
  256, 256, 256, 256 filters, spectral norm and LeakyReLU, no normalisation, no projection;
  every element of the last feature map is a hinge-loss output.

BatchNorm statistics are synchronised over replicas (`conv_blocks.normalization`), so
MirroredStrategy normalises with the global batch, as one device does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import keras

from tfface.networks.conv_blocks import CENTERING_NORMS, check_choice, normalization

OUTPUTS = ("sigmoid", "logits", "features")


def spectral_conv(
    features: keras.KerasTensor,
    filters: int,
    kernel_size: int,
    strides: int,
    use_bias: bool,
    name: str,
) -> keras.KerasTensor:
    """A 'same' convolution wrapped in keras.layers.SpectralNormalization (Miyato et al. 2018)."""
    convolution = keras.layers.Conv2D(
        filters,
        kernel_size,
        strides=strides,
        padding="same",
        use_bias=use_bias,
        name=f"{name}_conv",
    )
    return keras.layers.SpectralNormalization(convolution, name=f"{name}_spectral_norm")(features)


def build_spectral_patch_discriminator(
    image_size: int | None,
    input_channels: int = 3,
    filters: Sequence[int] = (64, 128, 256, 512),
    kernel_size: int = 4,
    strides: Sequence[int] = (2, 2, 2, 1),
    norm: str = "batch",
    output: Literal["sigmoid", "logits", "features"] = "sigmoid",
    name: str = "patch_discriminator",
) -> keras.Model:
    """Spectral-norm convolutions (+ norm) + LeakyReLU(0.2), then an optional SN projection.

    Args:
        image_size: side S of the square inputs, or None for any size.
        input_channels: 3 (an image) or 4 (image and hole mask, the SN-PatchGAN input).
        filters: filters of the convolutions, one per layer.
        kernel_size: square kernel of every convolution.
        strides: stride of each layer (same length as `filters`).
        norm: "batch" (synchronised), "instance", "layer" or "none".
        output: "sigmoid" / "logits": one more SN convolution to one channel, with or without
            a sigmoid; "features": the last LeakyReLU map is the output (SN-PatchGAN).
        name: model name.

    Input (B, S, S, input_channels); output (B, h, w, 1) (or (B, h, w, filters[-1])).
    """
    check_choice(output, OUTPUTS, "output")
    if len(filters) != len(strides) or not filters:
        raise ValueError(
            f"filters {tuple(filters)} and strides {tuple(strides)} need the same, non-zero length"
        )
    inputs = keras.Input((image_size, image_size, input_channels), name="inputs")
    features = inputs
    for index, (layer_filters, layer_strides) in enumerate(zip(filters, strides, strict=True)):
        layer_name = f"layer{index + 1}"
        features = spectral_conv(
            features,
            layer_filters,
            kernel_size,
            layer_strides,
            use_bias=norm not in CENTERING_NORMS,
            name=layer_name,
        )
        norm_layer = normalization(norm, f"{layer_name}_norm")
        if norm_layer is not None:
            features = norm_layer(features)
        features = keras.layers.LeakyReLU(negative_slope=0.2, name=f"{layer_name}_leaky_relu")(
            features
        )
    if output != "features":
        features = spectral_conv(features, 1, kernel_size, 1, use_bias=True, name="projection")
        if output == "sigmoid":
            features = keras.layers.Activation("sigmoid", name="real_probability")(features)
    return keras.Model(inputs, features, name=name)
