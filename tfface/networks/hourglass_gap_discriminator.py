"""The gap discriminator h_xi of warp inpainting: a 16-block hourglass segmenting the holes.

Sevastopolskiy 2019, sec. 3.2 (Eq. 3.12) and sec. 4.2.3: "Gap discriminator follows more
simple hourglass concept, which can be represented as a stack of 16 aforementioned
convolutional blocks [3 x 3 convolution, InstanceNorm, Leaky ReLU], such that two of them
in the beginning have stride of 2, and with two bilinear 2x upsamplings in the latest
layers." It predicts, per pixel, the probability that the pixel was known (mask m = 1)
rather than filled in.

Filters (our choice): doubled at each stride-2 block (2f, 4f), 4f in the middle, halved
after each upsampling (2f, f); a 3 x 3 convolution to one channel and a sigmoid. With
f = 21 it has 837,208 parameters (the thesis reports 869,025).
"""

from __future__ import annotations

import keras

from tfface.networks.hourglass_residual import hourglass_block


def build_gap_discriminator(
    image_size: int | None,
    base_filters: int = 21,
    blocks: int = 16,
    name: str = "gap_discriminator",
) -> keras.Model:
    """h_xi: image -> per-pixel probability of "known" (Eq. 3.12).

    Args:
        image_size: side S of the square images (divisible by 4), or None for any size.
        base_filters: f (see the module docstring).
        blocks: convolutional blocks (thesis: 16), at least 4 (two stride-2 blocks first,
            two upsampling blocks last).
        name: model name.

    Input (B, S, S, 3) in [-1, 1]; output float32 (B, S, S, 1) in (0, 1).
    """
    if blocks < 4:
        raise ValueError(f"the gap discriminator needs at least 4 blocks, got {blocks}")
    if image_size is not None and image_size % 4:
        raise ValueError(f"the gap discriminator halves the image twice: {image_size} % 4 != 0")
    images = keras.Input((image_size, image_size, 3), name="image")
    features = images
    filters = base_filters
    for index in range(blocks):
        strides = 2 if index < 2 else 1
        if strides == 2:
            filters *= 2
        if index >= blocks - 2:  # the two last blocks: bilinear 2x upsampling first
            features = keras.layers.UpSampling2D(
                2, interpolation="bilinear", name=f"block{index + 1}_upsample"
            )(features)
            filters = max(filters // 2, 1)
        features = hourglass_block(features, filters, f"block{index + 1}", strides)
    logits = keras.layers.Conv2D(1, 3, padding="same", name="logits")(features)
    probabilities = keras.layers.Activation("sigmoid", name="known_probability")(logits)
    return keras.Model(images, probabilities, name=name)
