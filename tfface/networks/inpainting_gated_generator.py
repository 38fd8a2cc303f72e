"""The gated-convolution coarse-to-fine inpainting generator (the thesis's GatedConvNet baseline).

Yu et al., "Free-Form Image Inpainting with Gated Convolution", ICCV 2019 (DeepFill v2;
Sevastopolskiy 2019 ref. [60], the baseline of sec. 4.2.2 and Tables 4.3-4.4). Every layer
is a gated convolution (`tfface.layers.GatedConv2D`: ELU(features) * sigmoid(gating)), as in
the authors' `gen_conv`; `gen_deconv` is a nearest 2x upsampling and a gated convolution.

- Coarse network (stage 1): input [x, ones, hole] (x the image with holes zeroed, hole = 1
  where unknown); 5 x 5 conv (c), 3 x 3 stride-2 (2c), conv (2c), stride-2 (4c), 2 convs
  (4c), 4 dilated convs (rates 2, 4, 8, 16), 2 convs, upsample (2c), conv (2c), upsample
  (c), conv (c / 2), a plain 3 x 3 convolution to RGB and tanh.
- Refinement network (stage 2), on the coarse result pasted into the holes: a dilated
  convolution branch (5 x 5 c, stride-2 c, 2c, stride-2 2c, 4c, 4c, rates 2, 4, 8, 16) and an
  attention branch (5 x 5 c, stride-2 c, 2c, stride-2 4c, 4c, 4c with ReLU, contextual
  attention, 4c, 4c); concatenated, then 2 convs (4c), upsample (2c), conv (2c),
  upsample (c), conv (c / 2), RGB, tanh.

c is `base_filters`, the channels of the first layer's gated output: the authors' cnum = 48
convolution outputs split into 24 features and 24 gates, so c = 24 reproduces their net.
Contextual attention (Yu et al. CVPR 2018) is `tfface.layers.contextual_attention`; without
it (`contextual_attention=False`) the attention branch is plain gated convolutions.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras

from tfface.layers import GatedConv2D

GATED_KERNEL_SCALE = 5.0
"""Kernel variance 5 / fan_in. ELU(a) * sigmoid(b) keeps about a fifth of the second moment of
its inputs, so with Keras' default Glorot kernels the ~25 gated layers shrink the activations to
~1e-7 at initialisation; 5 / fan_in keeps their second moment near 1 through the stack (a
numerical fixed point for a, b ~ N(0, v)). Yu et al.'s code uses TensorFlow's default (Glorot)
and relies on Adam to recover."""


def gated(
    features: keras.KerasTensor,
    filters: int,
    kernel_size: int,
    name: str,
    strides: int = 1,
    dilation_rate: int = 1,
    activation: str | None = "elu",
) -> keras.KerasTensor:
    """`gen_conv`: a gated convolution with `filters` gated outputs (ELU features by default).

    Kernels are drawn with `GATED_KERNEL_SCALE` (see there).
    """
    layer = GatedConv2D(
        filters,
        kernel_size,
        strides=strides,
        dilation_rate=dilation_rate,
        activation=activation,
        name=name,
    )
    layer.conv.kernel_initializer = keras.initializers.VarianceScaling(
        GATED_KERNEL_SCALE, mode="fan_in", distribution="untruncated_normal"
    )  # read when the layer is built, below
    return layer(features)


def gated_upsampling(features: keras.KerasTensor, filters: int, name: str) -> keras.KerasTensor:
    """`gen_deconv`: nearest 2x upsampling, then a 3 x 3 gated convolution."""
    upsampled = keras.layers.UpSampling2D(2, interpolation="nearest", name=f"{name}_upsample")(
        features
    )
    return gated(upsampled, filters, 3, name)


def dilated_stack(
    features: keras.KerasTensor, filters: int, rates: Sequence[int], name: str
) -> keras.KerasTensor:
    """Gated 3 x 3 convolutions with growing dilation (the "atrous" layers)."""
    for rate in rates:
        features = gated(features, filters, 3, f"{name}_atrous{rate}", dilation_rate=rate)
    return features


def decoder(features: keras.KerasTensor, filters: int, name: str) -> keras.KerasTensor:
    """Two convs (4c), upsample (2c), conv (2c), upsample (c), conv (c / 2), RGB, tanh."""
    features = gated(features, 4 * filters, 3, f"{name}_conv1")
    features = gated(features, 4 * filters, 3, f"{name}_conv2")
    features = gated_upsampling(features, 2 * filters, f"{name}_conv3")
    features = gated(features, 2 * filters, 3, f"{name}_conv4")
    features = gated_upsampling(features, filters, f"{name}_conv5")
    features = gated(features, max(filters // 2, 1), 3, f"{name}_conv6")
    rgb = keras.layers.Conv2D(3, 3, padding="same", name=f"{name}_rgb")(features)
    return keras.layers.Activation("tanh", name=f"{name}_tanh")(rgb)  # [-1, 1]


def build_gated_inpainting_generator(
    image_size: int,
    base_filters: int = 24,
    dilation_rates: Sequence[int] = (2, 4, 8, 16),
    contextual_attention: bool = True,
    attention_rate: int = 2,
    attention_softmax_scale: float = 10.0,
    name: str = "gated_generator",
) -> keras.Model:
    """The DeepFill v2 generator (module docstring).

    Args:
        image_size: side S of the square images (divisible by 4).
        base_filters: c, the gated outputs of the first layer (Yu et al.: 24).
        dilation_rates: rates of the dilated layers (Yu et al.: 2, 4, 8, 16).
        contextual_attention: use the contextual attention layer in the attention branch.
        attention_rate: downsampling of the attention's patch matching (Yu et al.: 2).
        attention_softmax_scale: softmax temperature of the attention (Yu et al.: 10).
        name: model name.

    Inputs [masked image (B, S, S, 3) in [-1, 1] with holes 0, hole mask (B, S, S, 1) in
    {0, 1}, 1 = hole]. Outputs [coarse, refined]: float32 (B, S, S, 3) in [-1, 1] (raw
    network outputs; the caller pastes the known pixels).
    """
    if image_size % 4:
        raise ValueError(f"the gated generator halves the image twice: {image_size} % 4 != 0")
    c = base_filters
    masked = keras.Input((image_size, image_size, 3), name="masked_image")
    hole = keras.Input((image_size, image_size, 1), name="hole_mask")
    ones = keras.ops.ones_like(hole)
    features = keras.layers.Concatenate(name="coarse_inputs")([masked, ones, hole])  # (B,S,S,5)

    # Stage 1: the coarse network.
    features = gated(features, c, 5, "coarse_conv1")
    features = gated(features, 2 * c, 3, "coarse_conv2", strides=2)
    features = gated(features, 2 * c, 3, "coarse_conv3")
    features = gated(features, 4 * c, 3, "coarse_conv4", strides=2)  # (B, S/4, S/4, 4c)
    features = gated(features, 4 * c, 3, "coarse_conv5")
    features = gated(features, 4 * c, 3, "coarse_conv6")
    features = dilated_stack(features, 4 * c, dilation_rates, "coarse")
    coarse = decoder(features, c, "coarse_decoder")

    # Stage 2: refinement of the coarse result pasted into the holes.
    pasted = coarse * hole + masked * (1.0 - hole)  # (B, S, S, 3): known pixels kept
    refine_inputs = keras.layers.Concatenate(name="refine_inputs")([pasted, ones, hole])
    branch = gated(refine_inputs, c, 5, "refine_conv1")
    branch = gated(branch, c, 3, "refine_conv2", strides=2)
    branch = gated(branch, 2 * c, 3, "refine_conv3")
    branch = gated(branch, 2 * c, 3, "refine_conv4", strides=2)
    branch = gated(branch, 4 * c, 3, "refine_conv5")
    branch = gated(branch, 4 * c, 3, "refine_conv6")
    hallucination = dilated_stack(branch, 4 * c, dilation_rates, "refine")

    attention = gated(refine_inputs, c, 5, "attention_conv1")
    attention = gated(attention, c, 3, "attention_conv2", strides=2)
    attention = gated(attention, 2 * c, 3, "attention_conv3")
    attention = gated(attention, 4 * c, 3, "attention_conv4", strides=2)
    attention = gated(attention, 4 * c, 3, "attention_conv5")
    attention = gated(attention, 4 * c, 3, "attention_conv6", activation="relu")
    if contextual_attention:
        from tfface.layers.contextual_attention import ContextualAttention

        # (B, S/4, S/4, 1): a cell with any hole pixel is a hole (Yu et al. resize nearest;
        # max pooling never lets the attention copy from a partly unknown cell)
        small_hole = keras.layers.MaxPooling2D(4, name="attention_hole_mask")(hole)
        attention = ContextualAttention(
            rate=attention_rate, softmax_scale=attention_softmax_scale, name="contextual_attention"
        )([attention, small_hole])
    attention = gated(attention, 4 * c, 3, "attention_conv7")
    attention = gated(attention, 4 * c, 3, "attention_conv8")
    merged = keras.layers.Concatenate(name="refine_merge")([hallucination, attention])
    refined = decoder(merged, c, "refine_decoder")
    return keras.Model([masked, hole], [coarse, refined], name=name)
