"""Functional building blocks shared by the network builders: conv-norm-activation units.

Every function takes a symbolic Keras tensor and returns one, naming its layers
after `name` so that checkpoints and summaries read like the architecture.
"""

from __future__ import annotations

from typing import Literal, get_args

import keras

from tfface.layers import InstanceNormalization, ReflectionPadding2D, ResizeConv2D

Norm = Literal["instance", "layer", "batch", "none"]
"""The normalisations of `normalization` (config fields annotate with it)."""
NORMS: tuple[str, ...] = get_args(Norm)
ACTIVATIONS = ("relu", "leaky_relu", "none")
CENTERING_NORMS = ("instance", "batch")
"""Norms that subtract a per-channel mean: a convolution bias before them has no effect (its
gradient is zero up to rounding, which Adam would amplify), so those convolutions have none."""


def check_choice(value: str, choices: tuple[str, ...], what: str) -> str:
    """`value` if it is one of `choices`, else a ValueError naming `what`."""
    if value not in choices:
        raise ValueError(f"{what} must be one of {', '.join(choices)}; got {value!r}")
    return value


def normalization(norm: str, name: str) -> keras.layers.Layer | None:
    """The normalisation layer called `norm`, or None for "none".

    "instance": per example and channel over (H, W) (Ulyanov et al. 2016; pix2pixHD);
    "layer": per example over (H, W, C) (GroupNormalization with one group), which keeps
    working on 1 x 1 maps and, like "instance", does not mix examples, so MirroredStrategy
    replicas compute exactly what one device computes; "batch": BatchNormalization with
    statistics synchronised over replicas (`synchronized=True`), so N replicas normalise
    with the statistics of the global batch, like one device.
    """
    check_choice(norm, NORMS, "norm")
    if norm == "instance":
        return InstanceNormalization(name=name)
    if norm == "layer":
        return keras.layers.GroupNormalization(groups=1, epsilon=1e-5, name=name)
    if norm == "batch":
        return keras.layers.BatchNormalization(synchronized=True, name=name)
    return None


def activate(features: keras.KerasTensor, activation: str, name: str) -> keras.KerasTensor:
    """ReLU, LeakyReLU(0.2) (the pix2pixHD discriminator slope) or the identity."""
    check_choice(activation, ACTIVATIONS, "activation")
    if activation == "relu":
        return keras.layers.ReLU(name=name)(features)
    if activation == "leaky_relu":
        return keras.layers.LeakyReLU(negative_slope=0.2, name=name)(features)
    return features


def conv_unit(
    features: keras.KerasTensor,
    filters: int,
    kernel_size: int,
    name: str,
    strides: int = 1,
    norm: str = "instance",
    activation: str = "relu",
    padding: str = "same",
) -> keras.KerasTensor:
    """Convolution -> normalisation -> activation.

    Args:
        features: (B, H, W, C).
        filters: output channels.
        kernel_size: square kernel size.
        name: prefix of the layer names.
        strides: 1 or 2 (2 halves H and W, rounding up).
        norm: one of `NORMS`.
        activation: one of `ACTIVATIONS`.
        padding: "same" (zeros) or "reflect" (reflection padding of kernel_size // 2, then a
            valid convolution; stride 1 and odd kernels only).

    Returns:
        (B, H / strides, W / strides, filters).
    """
    check_choice(padding, ("same", "reflect"), "padding")
    if padding == "reflect":
        if strides != 1 or kernel_size % 2 == 0:
            raise ValueError("reflect padding needs stride 1 and an odd kernel size")
        features = ReflectionPadding2D(kernel_size // 2, name=f"{name}_pad")(features)
    features = keras.layers.Conv2D(
        filters,
        kernel_size,
        strides=strides,
        padding="valid" if padding == "reflect" else "same",
        use_bias=norm not in CENTERING_NORMS,
        name=f"{name}_conv",
    )(features)
    norm_layer = normalization(norm, f"{name}_norm")
    if norm_layer is not None:
        features = norm_layer(features)
    return activate(features, activation, f"{name}_{activation}")


UPSAMPLINGS = ("transposed", "resize_conv")
"""The up-sampling methods of `upsampling_unit`."""


def upsampling_unit(
    features: keras.KerasTensor,
    filters: int,
    name: str,
    norm: str = "instance",
    activation: str = "relu",
    kernel_size: int = 3,
    method: str = "transposed",
) -> keras.KerasTensor:
    """x2 up-sampling -> normalisation -> activation: (B, 2H, 2W, filters).

    "transposed": a stride-2 transposed convolution, the upsampling layer of the pix2pixHD
    global generator (3 x 3, stride 2). "resize_conv": nearest x2 then a reflection-padded
    stride-1 convolution (odd kernel), Liu 2019's replacement against checkerboard
    artefacts (`tfface.layers.ResizeConv2D`).
    """
    check_choice(method, UPSAMPLINGS, "upsampling")
    if method == "resize_conv":
        upsample = ResizeConv2D(
            filters,
            kernel_size,
            padding="reflect",
            use_bias=norm not in CENTERING_NORMS,
            name=f"{name}_resize_conv",
        )
    else:
        upsample = keras.layers.Conv2DTranspose(
            filters,
            kernel_size,
            strides=2,
            padding="same",
            use_bias=norm not in CENTERING_NORMS,
            name=f"{name}_deconv",
        )
    features = upsample(features)
    norm_layer = normalization(norm, f"{name}_norm")
    if norm_layer is not None:
        features = norm_layer(features)
    return activate(features, activation, f"{name}_{activation}")


def to_image(features: keras.KerasTensor, kernel_size: int, name: str) -> keras.KerasTensor:
    """Reflection padding + convolution to 3 channels + tanh: an image in [-1, 1]."""
    features = ReflectionPadding2D(kernel_size // 2, name=f"{name}_pad")(features)
    features = keras.layers.Conv2D(3, kernel_size, padding="valid", name=f"{name}_conv")(features)
    return keras.layers.Activation("tanh", name=f"{name}_tanh")(features)


def halved(size: int, times: int) -> int:
    """Side after `times` stride-2 'same' convolutions: ceil(size / 2**times) (at least 1)."""
    for _ in range(times):
        size = (size + 1) // 2
    return max(size, 1)


def center_crop(features: keras.KerasTensor, size: tuple[int, int], name: str) -> keras.KerasTensor:
    """Crops (B, H, W, C) symmetrically to (B, size[0], size[1], C) (no-op when equal)."""
    height, width = features.shape[1], features.shape[2]
    if (height, width) == tuple(size):
        return features
    if height < size[0] or width < size[1]:
        raise ValueError(f"cannot crop {height}x{width} features to {size[0]}x{size[1]}")
    top, left = (height - size[0]) // 2, (width - size[1]) // 2
    cropping = ((top, height - size[0] - top), (left, width - size[1] - left))
    return keras.layers.Cropping2D(cropping, name=name)(features)


def embedding_to_map(
    embedding: keras.KerasTensor,
    grid: tuple[int, int],
    filters: int,
    name: str,
    norm: str = "layer",
) -> keras.KerasTensor:
    """Dense layer from a (B, D) code to a (B, grid[0], grid[1], filters) map, normalised, ReLU.

    The first layer of the component decoders (Gu et al. 2019: a linear layer to 512 x 2 x 3
    for the eyes, 512 x 5 x 9 for the mouth).
    """
    features = keras.layers.Dense(grid[0] * grid[1] * filters, name=f"{name}_dense")(embedding)
    features = keras.layers.Reshape((grid[0], grid[1], filters), name=f"{name}_reshape")(features)
    norm_layer = normalization(norm, f"{name}_norm")
    if norm_layer is not None:
        features = norm_layer(features)
    return activate(features, "relu", f"{name}_relu")
