"""The networks of uv_completion (Yin 2022 section 4.3, Fig. 4.3; sizes: summary A5, A8, A9).

- `build_sampler`: image (B, S, S, 3) in [-1, 1] -> [m (B, S, S, 1) in [0, 1], S_att
  (B, U, U, 2) normalised image (x, y), coefficients (B, C) with the head] (a list:
  `SAMPLER_OUTPUTS` names them; a dict output came back as a bare tensor list when
  `tf.saved_model.save` traced the export): a
  spectral-normalised residual encoder (multi-scale maps + a 1-D feature), an FPN
  segmentation head, the sampler head (FC + ReLU, FC, reshaped to a G x G x 2 grid,
  bilinearly upsampled to U) and our coefficient head (config: coefficient_head).
- `build_generator`: [UV_spl, m_uv] (B, U, U, 4) -> UV_pred (B, U, U, 3) in [-1, 1], a U-Net
  (4 x 4 stride-2 convolutions, instance norm, nearest upsampling + 3 x 3 convolutions,
  skips at every scale, self-attention at one decoder size, tanh).
- `build_discriminator`: an SN PatchGAN (70 x 70 design: stride-2 4 x 4 convolutions, one
  stride-1, then a 1-channel projection) of any input size.
"""

from __future__ import annotations

import keras
import numpy as np

from tfface.layers import SelfAttention
from tfface.networks.conv_blocks import conv_unit
from tfface.networks.inpainting_patch_discriminator import (
    build_spectral_patch_discriminator,
    spectral_conv,
)

SAMPLER_OUTPUTS = ("mask", "sampling_map", "coefficients")
"""The names of the sampler's outputs, in order (the coefficients only with the head)."""


def _residual_stage(features, filters: int, name: str):
    """An SN residual block that halves the size: LeakyReLU(0.2) pre-activations, a 2 x 2
    average pooling + 1 x 1 SN shortcut (as SN-GAN's blocks; He et al. 2016; summary A5).

    (A strided 1 x 1 convolution crashes TensorFlow 2.21's CPU gradient here: heap
    corruption in the backward pass.)"""
    pooled = keras.layers.AveragePooling2D(2, name=f"{name}_pool")(features)
    shortcut = spectral_conv(pooled, filters, 1, 1, True, f"{name}_shortcut")
    hidden = keras.layers.LeakyReLU(0.2, name=f"{name}_act1")(features)
    hidden = spectral_conv(hidden, filters, 3, 2, True, f"{name}_conv1")
    hidden = keras.layers.LeakyReLU(0.2, name=f"{name}_act2")(hidden)
    hidden = spectral_conv(hidden, filters, 3, 1, True, f"{name}_conv2")
    return keras.layers.Add(name=f"{name}_add")([shortcut, hidden])


def initial_grid(grid_size: int) -> np.ndarray:
    """float32 (G*G*2,): the sampler head's starting grid, texel (u, v) -> image
    (x, y) = 0.5 (2u - 1, 2v - 1): the UV layout squeezed onto the image's central half
    (ours; A5 starts from the training-set mean of S_gt)."""
    axis = np.linspace(-0.5, 0.5, grid_size, dtype=np.float32)
    x, y = np.meshgrid(axis, axis)
    return np.stack([x, y], axis=-1).reshape(-1)


def build_sampler(model_config, coefficient_count: int) -> keras.Model:
    """The UV sampler (module docstring)."""
    size, uv_size = model_config.image_size, model_config.uv_size
    grid = model_config.sampler_grid_size
    image = keras.Input((size, size, 3), name="image")
    features = spectral_conv(image, model_config.stem_filters, 7, 1, True, "stem")
    scales = []
    for index, filters in enumerate(model_config.encoder_filters):
        features = _residual_stage(features, filters, f"stage{index}")
        scales.append(features)
    # FPN (Lin et al. 2017): 1x1 laterals, top-down nearest upsampling and sums, 3x3 smoothing
    width = model_config.fpn_filters
    top = keras.layers.Conv2D(width, 1, name=f"lateral{len(scales) - 1}")(scales[-1])
    for index in range(len(scales) - 2, -1, -1):
        lateral = keras.layers.Conv2D(width, 1, name=f"lateral{index}")(scales[index])
        top = keras.layers.UpSampling2D(2, name=f"topdown{index}")(top)
        top = keras.layers.Add(name=f"fpn_add{index}")([lateral, top])
    top = keras.layers.Conv2D(width, 3, padding="same", activation="relu", name="fpn_smooth")(top)
    top = keras.layers.UpSampling2D(2, interpolation="bilinear", name="fpn_upsample")(top)
    mask = keras.layers.Conv2D(1, 1, activation="sigmoid", name="mask")(top)  # (B, S, S, 1)
    pooled = keras.layers.GlobalAveragePooling2D(name="pool")(features)
    vector = keras.layers.SpectralNormalization(
        keras.layers.Dense(model_config.feature_dim, name="feature_dense"), name="feature"
    )(pooled)
    vector = keras.layers.LeakyReLU(0.2, name="feature_act")(vector)
    hidden = keras.layers.Dense(model_config.sampler_hidden, activation="relu", name="head_fc")(
        vector
    )
    flat = keras.layers.Dense(
        grid * grid * 2,
        kernel_initializer="zeros",
        bias_initializer=keras.initializers.Constant(initial_grid(grid)),
        name="head_grid",
    )(hidden)
    sampling_map = keras.layers.Reshape((grid, grid, 2), name="grid")(flat)
    if grid != uv_size:
        sampling_map = keras.layers.Resizing(uv_size, uv_size, "bilinear", name="grid_upsample")(
            sampling_map
        )
    outputs = [mask, sampling_map]
    if model_config.coefficient_head:
        outputs.append(
            keras.layers.Dense(coefficient_count, kernel_initializer="zeros", name="coefficients")(
                vector
            )
        )
    return keras.Model(image, outputs, name="sampler")


def build_generator(model_config) -> keras.Model:
    """The UV generator U-Net (module docstring)."""
    uv_size = model_config.uv_size
    inputs = keras.Input((uv_size, uv_size, 4), name="uv_input")
    features, skips = inputs, []
    for index, filters in enumerate(model_config.generator_filters):
        norm = "none" if index == 0 else "instance"
        features = conv_unit(features, filters, 4, f"down{index}", 2, norm, "leaky_relu")
        skips.append(features)
    current = uv_size // 2 ** len(model_config.generator_filters)
    reversed_filters = list(reversed(model_config.generator_filters))
    for index, filters in enumerate(reversed_filters[1:] + [reversed_filters[-1]]):
        if index > 0:
            features = keras.layers.Concatenate(name=f"skip{index}")([features, skips[-1 - index]])
        features = keras.layers.UpSampling2D(2, name=f"up{index}_resize")(features)
        current *= 2
        features = conv_unit(features, filters, 3, f"up{index}", 1, "instance", "relu")
        if current == model_config.attention_size:
            features = SelfAttention(name=f"attention{current}")(features)
    uv = keras.layers.Conv2D(3, 3, padding="same", name="to_uv")(features)
    uv = keras.layers.Activation("tanh", name="uv_tanh")(uv)
    return keras.Model(inputs, uv, name="generator")


def build_discriminator(model_config, name: str) -> keras.Model:
    """An SN PatchGAN over inputs of any size (B, h, w, 3) -> logits (B, h', w', 1)."""
    filters = model_config.discriminator_filters
    strides = (2,) * (len(filters) - 1) + (1,)
    return build_spectral_patch_discriminator(
        None, 3, filters, 4, strides, "none", "logits", name=name
    )
