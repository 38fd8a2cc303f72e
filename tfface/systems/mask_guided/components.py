"""Graph functions of the mask-guided system: components from one-hot masks, feature placement.

Everything here is TensorFlow code that runs inside the train step and the
exported inference graph, so inference needs only images and masks:

- `component_images`: the five inputs of the local embedding sub-network (thesis
  sec. 3.1.1, 3.2.1): eye and mouth crops around the mask components' centres
  (`tfface.data.crops`) and the image masked to the skin / hair component.
- `place_features`: pastes a component feature map into an all-zero map of E_m's
  size at the target mask's component position (thesis sec. 3.1.2).
- `enlarged_label_map`: the target labels with eyes and mouth enlarged by 10%
  about their centres, the parsing-loss target (thesis sec. 4.2.2).
"""

from __future__ import annotations

import tensorflow as tf

from tfface.data.crops import (
    COMPONENTS as CROPPED_COMPONENTS,
)
from tfface.data.crops import (
    CropSizes,
    append_regions,
    component_centre,
    component_crops,
    component_mask,
    crop_boxes,
    scale_about_centre,
)
from tfface.data.labels import (
    HAIR_11,
    LEFT_EYE_11,
    MOUTH_COMPONENT_11,
    PORTRAIT_11,
    RIGHT_EYE_11,
    SKIN_COMPONENT_11,
)

CLASSES = PORTRAIT_11.num_classes
"""Channels of the one-hot masks (PORTRAIT_11, Table 3.1)."""

COMPONENT_NAMES: tuple[str, ...] = ("left_eye", "right_eye", "mouth", "skin", "hair")
"""The five local components, in the order their feature maps are concatenated."""

REGION_COMPONENTS: dict[str, tuple[int, ...]] = {"skin": SKIN_COMPONENT_11, "hair": HAIR_11}
"""Full-image components: the image masked to these PORTRAIT_11 labels (Gu et al. 2019)."""

COMPONENT_LABELS: dict[str, tuple[int, ...]] = {
    "left_eye": LEFT_EYE_11,
    "right_eye": RIGHT_EYE_11,
    "mouth": MOUTH_COMPONENT_11,
    **REGION_COMPONENTS,
}

ENLARGEMENT = 0.1
"""Eyes and mouth are enlarged by 10% for the parsing loss (thesis sec. 4.2.2)."""


def label_indices(mask: tf.Tensor) -> tf.Tensor:
    """int32 (B, H, W) labels of a one-hot (B, H, W, C) mask (argmax), or of a label map."""
    mask = tf.convert_to_tensor(mask)
    if mask.shape.rank == 4:
        return tf.argmax(mask, axis=-1, output_type=tf.int32)
    return tf.cast(mask, tf.int32)


def component_sizes(image_size: int) -> dict[str, tuple[int, int]]:
    """(height, width) of each component image: crops for eyes / mouth, the image for the rest."""
    crops = CropSizes.for_image_size(image_size)
    return {
        "left_eye": crops.left_eye,
        "right_eye": crops.right_eye,
        "mouth": crops.mouth,
        "skin": (image_size, image_size),
        "hair": (image_size, image_size),
    }


def region_image(
    images: tf.Tensor, labels: tf.Tensor, component_labels: tuple[int, ...]
) -> tf.Tensor:
    """The image where the label is one of `component_labels`, black (-1) elsewhere.

    Args:
        images: float32 (B, H, W, 3) in [-1, 1].
        labels: int (B, H, W) PORTRAIT_11 labels.
        component_labels: labels kept.

    Returns:
        float32 (B, H, W, 3) in [-1, 1].
    """
    keep = tf.cast(component_mask(labels, component_labels), images.dtype)[..., None]
    return images * keep - (1.0 - keep)


def component_images(
    images: tf.Tensor, mask: tf.Tensor, image_size: int, eye_pixels_only: bool = False
) -> tuple[dict[str, tf.Tensor], dict[str, tf.Tensor]]:
    """The local embedding inputs x_i^s and the crop boxes, from images and masks alone.

    Args:
        images: float32 (B, S, S, 3) in [-1, 1].
        mask: one-hot (B, S, S, 11) or int (B, S, S) PORTRAIT_11 labels.
        image_size: S (selects the crop sizes).
        eye_pixels_only: eye crops keep only the eye pixels (thesis sec. 4.5.1).

    Returns:
        ({component: float32 (B, h, w, 3) in [-1, 1]}, {'left_eye' | 'right_eye' | 'mouth':
        int32 (B, 2) top-left corners (row, column) of the crops}).
    """
    labels = label_indices(mask)
    crops = component_crops(images, labels, CropSizes.for_image_size(image_size), eye_pixels_only)
    inputs = {name: crops[f"crop_{name}"] for name in CROPPED_COMPONENTS}
    for name, region_labels in REGION_COMPONENTS.items():
        inputs[name] = region_image(images, labels, region_labels)
    boxes = {name: crops[f"box_{name}"] for name in CROPPED_COMPONENTS}
    return inputs, boxes


def component_boxes(mask: tf.Tensor, image_size: int) -> dict[str, tf.Tensor]:
    """int32 (B, 2) crop corners of the eyes and mouth of a one-hot or label-map mask."""
    labels = label_indices(mask)
    sizes = CropSizes.for_image_size(image_size)
    return {
        name: crop_boxes(
            component_centre(component_mask(labels, labels_of_component)),
            getattr(sizes, name),
            tf.constant(image_size),
            tf.constant(image_size),
        )
        for name, labels_of_component in CROPPED_COMPONENTS.items()
    }


def place_features(
    features: tf.Tensor, boxes: tf.Tensor, canvas_size: tuple[int, int], scale: int
) -> tf.Tensor:
    """Pastes each example's feature map into zeros at its (scaled) box position.

    The corner of the component crop in the image, divided by `scale` and rounded, is the
    corner of the feature map on the canvas (clipped so the map stays inside). Written as
    two gathers, so gradients flow to `features`.

    Args:
        features: float32 (B, h, w, C) component features.
        boxes: int32 (B, 2) top-left corners (row, column) of the crops in the image.
        canvas_size: (H_f, W_f) of the canvas (E_m's output size), >= (h, w).
        scale: image pixels per canvas pixel (4).

    Returns:
        float32 (B, H_f, W_f, C): zeros except the pasted map.
    """
    height, width = features.shape[1], features.shape[2]
    canvas_height, canvas_width = canvas_size
    corner = tf.cast(tf.math.floordiv(tf.cast(boxes, tf.int32) + scale // 2, scale), tf.int32)
    top = tf.clip_by_value(corner[:, 0], 0, canvas_height - height)
    left = tf.clip_by_value(corner[:, 1], 0, canvas_width - width)
    rows = tf.range(canvas_height)[None, :] - top[:, None]  # (B, H_f): source row of each row
    columns = tf.range(canvas_width)[None, :] - left[:, None]  # (B, W_f)
    row_valid = tf.cast((rows >= 0) & (rows < height), features.dtype)
    column_valid = tf.cast((columns >= 0) & (columns < width), features.dtype)
    placed = tf.gather(features, tf.clip_by_value(rows, 0, height - 1), axis=1, batch_dims=1)
    placed = tf.gather(placed, tf.clip_by_value(columns, 0, width - 1), axis=2, batch_dims=1)
    return placed * row_valid[:, :, None, None] * column_valid[:, None, :, None]


def _scale_labels_about(labels: tf.Tensor, centre: tf.Tensor, expansion: float) -> tf.Tensor:
    """int32 (B, H, W) label map scaled by 1 + expansion about each example's centre (nearest)."""
    scaled = scale_about_centre(tf.cast(labels, tf.float32)[..., None], centre, expansion)
    return tf.cast(tf.round(scaled[..., 0]), tf.int32)


def enlarged_label_map(
    mask: tf.Tensor,
    regions: dict[str, tf.Tensor] | None = None,
    expansion: float = ENLARGEMENT,
) -> tf.Tensor:
    """Target labels with both eyes and the mouth enlarged by `expansion` (thesis sec. 4.2.2).

    Inside each component's append region (the component mask scaled by 1 + expansion
    about its centre, united with itself) the labels become those of the scaled label map,
    as Gu et al.'s data loader does: eye regions get the eye label, the mouth region the
    scaled lip / mouth labels.

    Args:
        mask: one-hot (B, H, W, 11) or int (B, H, W) PORTRAIT_11 labels.
        regions: {'left_eye' | 'right_eye' | 'mouth': float32 (B, H, W, 1) append regions}
            (the reader's `append_<component>`); computed when None.
        expansion: relative enlargement.

    Returns:
        int32 (B, H, W) labels.
    """
    labels = label_indices(mask)
    enlarged = labels
    for name, component_labels in CROPPED_COMPONENTS.items():
        if regions is not None and name in regions:
            region = regions[name][..., 0] > 0.5
        else:
            region = append_regions(labels, component_labels, expansion)[..., 0] > 0.5
        centre = component_centre(component_mask(labels, component_labels))
        scaled = _scale_labels_about(labels, centre, expansion)
        scaled_component = component_mask(scaled, component_labels)
        original_component = component_mask(labels, component_labels)
        replacement = tf.where(scaled_component, scaled, labels)
        inside = region & (scaled_component | original_component)
        enlarged = tf.where(inside, replacement, enlarged)
    return enlarged
