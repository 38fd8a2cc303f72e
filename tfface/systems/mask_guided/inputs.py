"""Eager NumPy checks of the editing API's inputs: clear ValueErrors before any graph runs."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tfface.data.labels import PORTRAIT_11
from tfface.systems.mask_guided.components import COMPONENT_LABELS

CLASSES = PORTRAIT_11.num_classes
REQUIRED_COMPONENTS: tuple[str, ...] = ("left_eye", "right_eye", "mouth", "skin")
"""Components every mask must contain: eyes and mouth are cropped / placed around their
centres, the skin is the face. Hair may be absent."""


def as_label_maps(
    masks: object,
    image_size: int,
    name: str,
    required: Sequence[str] = REQUIRED_COMPONENTS,
) -> np.ndarray:
    """int32 (B, S, S) PORTRAIT_11 labels from label maps (S, S) / (B, S, S) or one-hot
    (B, S, S, 11) masks.

    Raises:
        ValueError: wrong shape or size, labels outside 0..10, a one-hot mask that is not
            one-hot, or an example without one of the `required` components.
    """
    array = np.asarray(masks)
    single_one_hot = array.ndim == 3 and array.shape[-1] == CLASSES != image_size
    if array.ndim == 4 or single_one_hot:
        array = array[None] if single_one_hot else array
        if array.shape[-1] != CLASSES:
            raise ValueError(
                f"{name}: one-hot masks need {CLASSES} channels (PORTRAIT_11), got {array.shape[-1]}"
            )
        if not (np.isin(array, (0, 1)).all() and (array.sum(axis=-1) == 1).all()):
            raise ValueError(f"{name}: one-hot masks must hold exactly one 1 per pixel")
        array = array.argmax(axis=-1)
    elif array.ndim == 2:
        array = array[None]
    if array.ndim != 3:
        raise ValueError(
            f"{name} must be label maps (B, H, W) / (H, W) or one-hot (B, H, W, {CLASSES}), "
            f"got shape {np.shape(masks)}"
        )
    if array.shape[1:] != (image_size, image_size):
        raise ValueError(
            f"{name} are {array.shape[1]}x{array.shape[2]} but the model works on "
            f"{image_size}x{image_size} masks; resize them first (nearest neighbour)"
        )
    if np.issubdtype(array.dtype, np.floating):
        if not np.array_equal(array, np.round(array)):
            raise ValueError(f"{name} must hold integer labels, got fractional values")
    elif not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{name} must hold integer labels, got dtype {array.dtype}")
    if array.size and (array.min() < 0 or array.max() >= CLASSES):
        unknown = sorted({int(value) for value in np.unique(array) if not 0 <= value < CLASSES})
        raise ValueError(
            f"{name} holds unknown labels {unknown[:10]}; PORTRAIT_11 labels are 0..{CLASSES - 1}"
        )
    labels = array.astype(np.int32)
    for index, label_map in enumerate(labels):
        for component in required:
            component_labels = COMPONENT_LABELS[component]
            if not np.isin(label_map, component_labels).any():
                raise ValueError(
                    f"{name}[{index}] has no {component.replace('_', ' ')} pixels (labels "
                    f"{', '.join(map(str, component_labels))}); the mask-guided model needs "
                    f"{', '.join(c.replace('_', ' ') for c in REQUIRED_COMPONENTS)} in every mask"
                )
    return labels
