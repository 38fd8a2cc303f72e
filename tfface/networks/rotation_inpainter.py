"""g_phi: the gated-convolution inpainter of the face-rotation system (warp_rotation)."""

from __future__ import annotations

from collections.abc import Sequence

import keras

from tfface.layers import GatedConv2D


def build_rotation_inpainter(
    image_size: int,
    input_channels: int = 6,
    base_filters: int = 48,
    downsamplings: int = 2,
    dilations: Sequence[int] = (2, 4, 8, 16),
    max_filters: int = 256,
    name: str = "inpainter",
) -> keras.Model:
    """The inpainter g_phi of Sevastopolskiy 2019, sec. 3.3 and 4.1.2.

    "A U-Net-like architecture without skip connections, every convolution gated" (Eq. after
    3.12: Output = ELU(conv(I, W_f)) * sigmoid(conv(I, W_g))), adopting the coarse network of
    Yu et al. 2019 (DeepFill v2, the thesis's [60]):

    - a 5 x 5 gated convolution with `base_filters`;
    - `downsamplings` x (stride-2 3 x 3 gated convolution, 3 x 3 gated convolution), the
      filters doubling each time (capped at `max_filters`);
    - a 3 x 3 gated convolution, the dilated 3 x 3 gated convolutions (`dilations`), two
      more 3 x 3 gated convolutions at the bottleneck;
    - `downsamplings` x (2x bilinear upsampling, two 3 x 3 gated convolutions), the filters
      halving;
    - a linear 3 x 3 gated convolution to 3 channels and tanh.

    Args:
        image_size: side S of the square input (divisible by 2^downsamplings).
        input_channels: the warped image (3), the non-hole mask (1), the mesh grid (2) and
            any conditioning channels.
        base_filters: filters of the first convolution (DeepFill v2: 48).
        downsamplings: stride-2 gated convolutions (DeepFill v2: 2).
        dilations: dilation rates of the bottleneck's gated convolutions.
        max_filters: cap on the filters.
        name: model name.

    Input (B, S, S, input_channels). Output (B, S, S, 3) float32 image in [-1, 1].
    """
    if image_size % 2**downsamplings:
        raise ValueError(
            f"image_size {image_size} must be divisible by 2^downsamplings = {2**downsamplings}"
        )
    inputs = keras.Input((image_size, image_size, input_channels), name="inputs")
    features = GatedConv2D(base_filters, 5, name="in_gated")(inputs)  # (B, S, S, F)
    filters = base_filters
    for level in range(downsamplings):
        filters = min(filters * 2, max_filters)
        features = GatedConv2D(filters, 3, strides=2, name=f"down{level + 1}_stride")(features)
        features = GatedConv2D(filters, 3, name=f"down{level + 1}_gated")(features)
    features = GatedConv2D(filters, 3, name="middle_gated")(features)  # (B, S/2^d, S/2^d, F')
    for rate in dilations:
        features = GatedConv2D(filters, 3, dilation_rate=rate, name=f"dilated{rate}")(features)
    for index in range(2):
        features = GatedConv2D(filters, 3, name=f"bottleneck_gated{index + 1}")(features)
    for level in reversed(range(downsamplings)):
        filters = max(filters // 2, 1)
        features = keras.layers.UpSampling2D(
            2, interpolation="bilinear", name=f"up{level + 1}_upsample"
        )(features)
        features = GatedConv2D(filters, 3, name=f"up{level + 1}_gated1")(features)
        features = GatedConv2D(filters, 3, name=f"up{level + 1}_gated2")(features)
    features = GatedConv2D(3, 3, activation=None, name="out_gated")(features)  # (B, S, S, 3)
    image = keras.layers.Activation("tanh", name="tanh")(features)  # in [-1, 1]
    return keras.Model(inputs, image, name=name)
