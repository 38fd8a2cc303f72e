"""Content (feature reconstruction) and Gram-matrix style losses over a feature network.

The losses take a feature-extractor callable, images (B, H, W, 3) in [-1, 1] ->
{layer name: (B, h, w, c)}, so tests can pass a tiny random network; the real
ones are ``tfface.weights.vgg16_features`` / ``vgg19_features`` (ImageNet
preprocessing from [-1, 1] happens inside them). Layer choices, weights and
normalisations of the three theses are the named presets in
``tfface.losses.perceptual_presets``.

Gram matrix: G = F^T F / (h w c) for F the (h w, c) matrix of one layer
(Gatys et al. 2016; Liu 2019 section 2.1.4 "Style Representation", unnumbered: G_ij = sum_k F_ik F_jk;
Sevastopolskiy 2019 Eq. 3.13, L_style, with the 1 / L_k normalisation).

Content per-layer distances (d = features(generated) - features(target)):

| distance             | per layer                 | used by |
|----------------------|---------------------------|---------|
| l1_mean              | mean |d|                  | Bergqvist 2020 section 3.2.4.2.1 (L1 over VGG19 layers, pix2pixHD VGGLoss) |
| squared_l2_mean      | mean d^2                  | Johnson et al. 2016 |
| half_squared_l2_sum  | 1/2 sum d^2               | Liu 2019 section 2.1.4, L_content(p, x) (Gatys) |
| l2_norm              | sqrt(sum d^2 + eps)       | Sevastopolskiy 2019 Eq. 3.13, L_content (with scale 1/8 and 1/(HW)) |

Style per layer: ||G(generated) - G(target)||_F^2. Thesis 003's
E_l = 1 / (4 C^2 M^4) sum (G - S)^2 with unnormalised Gram matrices equals
1/4 ||G_norm - S_norm||_F^2 (M^2 = h w): its preset uses scale 1/4.

No gradient is stopped: a target that depends on trainable weights (the feature
translator of Liu 2019 section 3.1) gets gradients; for a fixed target image nothing is
computed for it that a tape would not need anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Literal

import tensorflow as tf

from tfface.losses.input_checks import as_float32, check_choice, check_images, check_same_shape
from tfface.losses.per_example import mean_per_example, sum_per_example

FeatureExtractor = Callable[[tf.Tensor], Mapping[str, tf.Tensor]]
LayerWeights = Mapping[str, float] | Sequence[tuple[str, float]]
ContentDistance = Literal["l1_mean", "squared_l2_mean", "half_squared_l2_sum", "l2_norm"]
CONTENT_DISTANCES: tuple[str, ...] = (
    "l1_mean",
    "squared_l2_mean",
    "half_squared_l2_sum",
    "l2_norm",
)


def _layer_items(layer_weights: LayerWeights, name: str) -> tuple[tuple[str, float], ...]:
    items = tuple(layer_weights.items() if isinstance(layer_weights, Mapping) else layer_weights)
    if not items:
        raise ValueError(f"{name} is empty; give at least one (layer name, weight)")
    return tuple((str(layer), float(weight)) for layer, weight in items)


def _layer(features: Mapping[str, tf.Tensor], layer: str, name: str) -> tf.Tensor:
    if layer not in features:
        raise ValueError(f"{name} has no layer {layer!r}; available: {', '.join(sorted(features))}")
    tensor = as_float32(features[layer], f"{name}[{layer!r}]")
    if tensor.shape.rank is not None and tensor.shape.rank != 4:
        raise ValueError(f"{name}[{layer!r}] must be (B, h, w, c), got shape {tensor.shape}")
    return tensor


def gram_matrix(features: tf.Tensor) -> tf.Tensor:
    """Gram matrix normalised by the number of elements: (B, h, w, c) -> (B, c, c).

    G[b, i, j] = sum over positions of F[b, :, :, i] * F[b, :, :, j], divided by h * w * c.
    """
    features = as_float32(features, "features")
    check_images(features, "features")
    shape = tf.shape(features)
    flat = tf.reshape(features, (shape[0], shape[1] * shape[2], shape[3]))  # (B, hw, c)
    elements = tf.cast(shape[1] * shape[2] * shape[3], tf.float32)
    return tf.matmul(flat, flat, transpose_a=True) / elements


def _content_distance(difference: tf.Tensor, distance: str) -> tf.Tensor:
    if distance == "l1_mean":
        return mean_per_example(tf.abs(difference))
    if distance == "squared_l2_mean":
        return mean_per_example(tf.square(difference))
    if distance == "half_squared_l2_sum":
        return 0.5 * sum_per_example(tf.square(difference))
    return tf.sqrt(sum_per_example(tf.square(difference)) + 1e-12)  # l2_norm


def content_loss_from_features(
    generated_features: Mapping[str, tf.Tensor],
    target_features: Mapping[str, tf.Tensor],
    layer_weights: LayerWeights,
    distance: ContentDistance = "l1_mean",
    scale: float = 1.0,
) -> tf.Tensor:
    """Weighted content loss from precomputed features: scale * sum_l w_l * distance_l.

    Returns:
        (B,) float32.
    """
    check_choice(distance, CONTENT_DISTANCES, "content distance")
    total = 0.0
    for layer, weight in _layer_items(layer_weights, "layer_weights"):
        generated = _layer(generated_features, layer, "generated_features")
        target = _layer(target_features, layer, "target_features")
        check_same_shape(generated, target, (f"generated {layer}", f"target {layer}"))
        total += weight * _content_distance(generated - target, distance)
    return scale * total


def style_loss_from_features(
    generated_features: Mapping[str, tf.Tensor],
    target_features: Mapping[str, tf.Tensor],
    layer_weights: LayerWeights,
    scale: float = 1.0,
) -> tf.Tensor:
    """Weighted Gram style loss from precomputed features.

    scale * sum_l w_l * ||G_l(generated) - G_l(target)||_F^2, G from ``gram_matrix``.

    Returns:
        (B,) float32.
    """
    total = 0.0
    for layer, weight in _layer_items(layer_weights, "layer_weights"):
        generated = gram_matrix(_layer(generated_features, layer, "generated_features"))
        target = gram_matrix(_layer(target_features, layer, "target_features"))
        check_same_shape(generated, target, (f"generated {layer} Gram", f"target {layer} Gram"))
        total += weight * sum_per_example(tf.square(generated - target))
    return scale * total


def image_scale(images: tf.Tensor, scale: float, divide_by_image_area: bool) -> tf.Tensor:
    """``scale``, divided by H * W of ``images`` (B, H, W, C) when asked."""
    if not divide_by_image_area:
        return tf.constant(scale, tf.float32)
    area = tf.cast(tf.shape(images)[1] * tf.shape(images)[2], tf.float32)
    return scale / area


def check_image_pair(generated: tf.Tensor, target: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Both as float32 (B, H, W, C) of the same shape, or ValueError."""
    generated = as_float32(generated, "generated")
    target = as_float32(target, "target")
    check_images(generated, "generated")
    check_same_shape(generated, target, ("generated", "target"))
    return generated, target


def content_loss(
    extractor: FeatureExtractor,
    generated: tf.Tensor,
    target: tf.Tensor,
    layer_weights: LayerWeights,
    distance: ContentDistance = "l1_mean",
    scale: float = 1.0,
    divide_by_image_area: bool = False,
) -> tf.Tensor:
    """Content (perceptual) loss per example.

    Args:
        extractor: images (B, H, W, 3) in [-1, 1] -> {layer: (B, h, w, c)}.
        generated: (B, H, W, 3) in [-1, 1].
        target: (B, H, W, 3) in [-1, 1].
        layer_weights: {layer name: weight}, e.g. {"conv3_2": 1.0}.
        distance: one of ``CONTENT_DISTANCES`` (module table).
        scale: overall factor (Sevastopolskiy 2019: 1/8).
        divide_by_image_area: also divide by H * W of the input images (Sevastopolskiy 2019).

    Returns:
        (B,) float32.
    """
    generated, target = check_image_pair(generated, target)
    factor = image_scale(generated, scale, divide_by_image_area)
    loss = content_loss_from_features(
        extractor(generated), extractor(target), layer_weights, distance, 1.0
    )
    return factor * loss


def style_loss(
    extractor: FeatureExtractor,
    generated: tf.Tensor,
    target: tf.Tensor,
    layer_weights: LayerWeights,
    scale: float = 1.0,
    divide_by_image_area: bool = False,
) -> tf.Tensor:
    """Gram-matrix style loss per example (module docstring).

    Args:
        extractor: images (B, H, W, 3) in [-1, 1] -> {layer: (B, h, w, c)}.
        generated: (B, H, W, 3) in [-1, 1].
        target: (B, H, W, 3) in [-1, 1], the style image.
        layer_weights: {layer name: weight}, e.g. Liu 2019's conv1_1..conv5_1 -> 0.5..4.
        scale: overall factor (Liu 2019: 1/4).
        divide_by_image_area: also divide by H * W of the input images (Sevastopolskiy 2019).

    Returns:
        (B,) float32.
    """
    generated, target = check_image_pair(generated, target)
    factor = image_scale(generated, scale, divide_by_image_area)
    loss = style_loss_from_features(extractor(generated), extractor(target), layer_weights, 1.0)
    return factor * loss
