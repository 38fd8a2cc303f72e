"""The perceptual-loss settings of the three theses, as named presets.

Layer names follow the theses; ``tfface.weights`` maps them onto keras.applications
layers (convX_Y and reluX_Y are both ``blockX_convY``: Keras fuses the ReLU into
the convolution, so Gatys' "conv3_2" features are the rectified ones, as in the
original Caffe implementation).

| preset         | network | pooling | content                                   | style |
|----------------|---------|---------|-------------------------------------------|-------|
| style_transfer | VGG19   | average | conv3_2, 1/2 sum d^2                      | conv1_1..conv5_1 weighted 0.5, 1, 1.5, 3, 4; 1/4 ||dG||_F^2 |
| deformation    | VGG16   | max     | relu1_2, relu2_2, relu3_3, relu4_3; 1/(8HW) sum_k ||d_k||_2 | same layers, 1/(HW) sum_k 2^-(6-k) ||dG_k||_F^2 |
| multimodal     | VGG19   | max     | relu1_1..relu5_1, mean |d| weighted 1/32, 1/16, 1/8, 1/4, 1 | none |
| pose_editing   | VGG16   | max     | relu1_2, relu2_2, relu3_3, relu4_3, relu5_3, mean |d| summed | none |

Sources: Liu 2019 section 2.1.4 (unnumbered L_content, E_l, L_style) and section 4.2.1 (layer
weights 0.5..4, average pooling); Sevastopolskiy 2019 Eq. 3.13;
Bergqvist 2020 section 3.2.4.2.1 (L1 between VGG19 layers 1, 6, 11, 20, 29
of torchvision's numbering = relu1_1..relu5_1, with the pix2pixHD layer weights
of its reference [61]; the text's L1 is used, not the squared L2 printed in Eq. 3.4);
Yin 2022 Eqs. 3.4-3.5 (VGG-Face layers 3, 8, 15, 22, 29 = relu1_2..relu5_3 of VGG16; ImageNet
VGG16 unless converted VGG-Face weights are given).

Our reading of Sevastopolskiy 2019's style term: "G_ij(P_k(.)) ... L_k the number of
elements" is the usual Gram matrix divided by the h w c elements of layer k
(``gram_matrix``), and ||.||_2 in its content term is the (unsquared) L2 norm.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

import tensorflow as tf

from tfface.losses.perceptual import (
    FeatureExtractor,
    check_image_pair,
    content_loss_from_features,
    image_scale,
    style_loss_from_features,
)


@dataclasses.dataclass(frozen=True)
class PerceptualPreset:
    """Feature network and content/style loss settings of one thesis.

    Args:
        name: preset name.
        network: ``vgg16`` or ``vgg19``.
        pooling: ``max`` or ``average`` pooling in the VGG.
        content_layer_weights: ((layer, weight), ...).
        content_distance: per-layer content distance (``perceptual.CONTENT_DISTANCES``).
        content_scale: overall content factor.
        content_divide_by_image_area: divide the content loss by the input H * W.
        style_layer_weights: ((layer, weight), ...); empty means no style loss.
        style_scale: overall style factor.
        style_divide_by_image_area: divide the style loss by the input H * W.
        source: thesis and equation.
    """

    name: str
    network: Literal["vgg16", "vgg19"]
    pooling: Literal["max", "average"]
    content_layer_weights: tuple[tuple[str, float], ...]
    content_distance: str
    content_scale: float = 1.0
    content_divide_by_image_area: bool = False
    style_layer_weights: tuple[tuple[str, float], ...] = ()
    style_scale: float = 1.0
    style_divide_by_image_area: bool = False
    source: str = ""

    @property
    def layers(self) -> tuple[str, ...]:
        """Every layer the preset reads, content layers first, without repeats."""
        names = [layer for layer, _ in self.content_layer_weights + self.style_layer_weights]
        return tuple(dict.fromkeys(names))


STYLE_TRANSFER = PerceptualPreset(
    name="style_transfer",
    network="vgg19",
    pooling="average",
    content_layer_weights=(("conv3_2", 1.0),),
    content_distance="half_squared_l2_sum",
    style_layer_weights=(
        ("conv1_1", 0.5),
        ("conv2_1", 1.0),
        ("conv3_1", 1.5),
        ("conv4_1", 3.0),
        ("conv5_1", 4.0),
    ),
    style_scale=0.25,
    source="Liu 2019 section 2.1.4 (unnumbered L_content, E_l, L_style) and section 4.2.1",
)

DEFORMATION = PerceptualPreset(
    name="deformation",
    network="vgg16",
    pooling="max",
    content_layer_weights=(("relu1_2", 1.0), ("relu2_2", 1.0), ("relu3_3", 1.0), ("relu4_3", 1.0)),
    content_distance="l2_norm",
    content_scale=1.0 / 8.0,
    content_divide_by_image_area=True,
    style_layer_weights=(
        ("relu1_2", 1.0 / 2**5),
        ("relu2_2", 1.0 / 2**4),
        ("relu3_3", 1.0 / 2**3),
        ("relu4_3", 1.0 / 2**2),
    ),
    style_divide_by_image_area=True,
    source="Sevastopolskiy 2019 Eq. 3.13 (L_content, L_style)",
)

MULTIMODAL = PerceptualPreset(
    name="multimodal",
    network="vgg19",
    pooling="max",
    content_layer_weights=(
        ("relu1_1", 1.0 / 32.0),
        ("relu2_1", 1.0 / 16.0),
        ("relu3_1", 1.0 / 8.0),
        ("relu4_1", 1.0 / 4.0),
        ("relu5_1", 1.0),
    ),
    content_distance="l1_mean",
    source="Bergqvist 2020 section 3.2.4.2.1 (L1 over VGG19 layers 1, 6, 11, 20, 29)",
)

POSE_EDITING = PerceptualPreset(
    name="pose_editing",
    network="vgg16",
    pooling="max",
    content_layer_weights=(
        ("relu1_2", 1.0),
        ("relu2_2", 1.0),
        ("relu3_3", 1.0),
        ("relu4_3", 1.0),
        ("relu5_3", 1.0),
    ),
    content_distance="l1_mean",
    source="Yin 2022 Eqs. 3.4-3.5 (sum over VGG layers 3, 8, 15, 22, 29 of |phi(x) - phi(y)|)",
)

PERCEPTUAL_PRESETS: dict[str, PerceptualPreset] = {
    preset.name: preset for preset in (STYLE_TRANSFER, DEFORMATION, MULTIMODAL, POSE_EDITING)
}


def perceptual_preset(name: str) -> PerceptualPreset:
    """The preset called ``name``; raises ValueError listing the known ones."""
    if name not in PERCEPTUAL_PRESETS:
        raise ValueError(
            f"unknown perceptual preset {name!r}; known: {', '.join(sorted(PERCEPTUAL_PRESETS))}"
        )
    return PERCEPTUAL_PRESETS[name]


def perceptual_losses(
    extractor: FeatureExtractor,
    generated: tf.Tensor,
    target: tf.Tensor,
    preset: PerceptualPreset | str,
) -> tuple[tf.Tensor, tf.Tensor]:
    """Content and style losses of a preset with one extractor pass per image.

    Args:
        extractor: images (B, H, W, 3) in [-1, 1] -> {layer: (B, h, w, c)} holding at
            least ``preset.layers`` (e.g. ``tfface.weights.vgg_features_for_preset``).
        generated: (B, H, W, 3) in [-1, 1].
        target: (B, H, W, 3) in [-1, 1].
        preset: a ``PerceptualPreset`` or its name.

    Returns:
        (content (B,), style (B,)); style is zeros when the preset has no style layers.
    """
    preset = perceptual_preset(preset) if isinstance(preset, str) else preset
    generated, target = check_image_pair(generated, target)
    generated_features, target_features = extractor(generated), extractor(target)
    content = image_scale(
        generated, preset.content_scale, preset.content_divide_by_image_area
    ) * content_loss_from_features(
        generated_features, target_features, preset.content_layer_weights, preset.content_distance
    )
    if not preset.style_layer_weights:
        return content, tf.zeros_like(content)
    style = image_scale(
        generated, preset.style_scale, preset.style_divide_by_image_area
    ) * style_loss_from_features(generated_features, target_features, preset.style_layer_weights)
    return content, style
