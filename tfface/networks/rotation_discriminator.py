"""d_psi: the real/fake patch discriminator of the face-rotation system (warp_rotation)."""

from __future__ import annotations

import keras

from tfface.networks.conv_blocks import conv_unit, halved


def build_rotation_discriminator(
    image_size: int,
    base_filters: int = 32,
    layers: int = 6,
    max_filters: int = 256,
    kernel_size: int = 4,
    name: str = "discriminator",
) -> keras.Model:
    """The real/fake discriminator d_psi of Sevastopolskiy 2019, sec. 3.3 and 4.1.2.

    "A concatenation of 6 convolutions with a stride of 2 interleaved by InstanceNorm and
    Leaky ReLU; a patch discriminator: the output tensor is average pooled, and sigmoid is
    applied afterwards." The first `layers - 1` stride-2 convolutions double the filters
    (capped) and are followed by instance norm (not after the first, as in pix2pix) and
    LeakyReLU(0.2); the last stride-2 convolution has one output channel: a logit per patch.
    The patch logits are average pooled to one logit per image. The sigmoid is left to the
    loss (`from_logits=True`, numerically safer, the same probabilities): Eq. 3.10 / 3.11.

    Args:
        image_size: side S of the square input (at least 2^layers recommended, so the last
            instance norm sees more than one position).
        base_filters: filters of the first convolution.
        layers: stride-2 convolutions, the last one to a single channel (thesis: 6).
        max_filters: cap on the filters.
        kernel_size: square kernel size of every convolution.
        name: model name.

    Input (B, S, S, 3) in [-1, 1]. Output (B, 1) float32 logits (sigmoid = P(real)).
    """
    if layers < 2:
        raise ValueError(f"layers must be >= 2, got {layers}")
    if halved(image_size, layers - 1) < 2:
        raise ValueError(
            f"image_size {image_size} is too small for {layers} stride-2 layers: instance "
            f"norm would see a 1 x 1 map (use at most {max(image_size.bit_length() - 1, 2)})"
        )
    image = keras.Input((image_size, image_size, 3), name="image")
    features = image
    for level in range(layers - 1):
        features = conv_unit(
            features,
            min(base_filters * 2**level, max_filters),
            kernel_size,
            f"layer{level + 1}",
            strides=2,
            norm="none" if level == 0 else "instance",
            activation="leaky_relu",
        )
    patches = keras.layers.Conv2D(
        1, kernel_size, strides=2, padding="same", name=f"layer{layers}_logits"
    )(features)  # (B, h, w, 1) patch logits
    logits = keras.layers.GlobalAveragePooling2D(name="average")(patches)  # (B, 1)
    return keras.Model(image, logits, name=name)
