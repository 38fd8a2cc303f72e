"""The editing API of the mask-guided system (S1408 thesis sec. 4.4; Gu et al. 2019 sec. 4).

Functions of a `MaskGuidedSystem` (its first argument), also its methods of the same
names (`system.edit(...)`). They need of the system only its `image_size` and its two
graphs, `mixed_generation` and `parsed_labels`. Images are float
(B, S, S, 3) or (S, S, 3) in [-1, 1]; masks are PORTRAIT_11 label maps (B, S, S) /
(S, S) (uint8 or int) or one-hot (B, S, S, 11). Inputs are checked eagerly with NumPy
(sizes, labels, required components) before any graph runs; results are NumPy arrays
with a batch axis.

- `synthesize`: mask-to-face synthesis, one target mask with the appearance of many
  source faces (sec. 4.4.1).
- `edit` / `swap_mask`: face component editing with an edited or another face's mask
  (sec. 4.4.2).
- `transfer_style`: components' appearance from a donor face, the rest from the target
  (sec. 4.4.3).
- `parse`: the face parser P_F's label map.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import tensorflow as tf

from tfface.systems.image_inputs import as_images, match_batches
from tfface.systems.mask_guided.components import COMPONENT_NAMES
from tfface.systems.mask_guided.inputs import as_label_maps

if TYPE_CHECKING:
    from tfface.systems.mask_guided.system import MaskGuidedSystem


def _generate(
    system: MaskGuidedSystem,
    sources: tuple[np.ndarray, np.ndarray],
    targets: tuple[np.ndarray, np.ndarray],
    donors: tuple[np.ndarray, np.ndarray] | None = None,
    donor_components: Sequence[str] = (),
) -> np.ndarray:
    donors = donors or sources
    flags = np.array([name in donor_components for name in COMPONENT_NAMES], np.float32)
    output = system.mixed_generation(*sources, *targets, *donors, tf.constant(flags))
    return output.numpy()


def _labels_or_parse(
    system: MaskGuidedSystem, masks: object, images: np.ndarray, name: str
) -> np.ndarray:
    """Checked label maps, or P_F's parse of `images` when `masks` is None."""
    if masks is None:
        masks = system.parsed_labels(tf.constant(images)).numpy()
        name = f"{name} (parsed by the face parser; pass masks explicitly to avoid this)"
    labels = as_label_maps(masks, system.image_size, name)
    if len(labels) != len(images):
        raise ValueError(f"{name} has {len(labels)} masks for {len(images)} images")
    return labels


def parse(system: MaskGuidedSystem, images: object) -> np.ndarray:
    """P_F's label map of each image: uint8 (B, S, S) PORTRAIT_11 labels."""
    checked = as_images(images, system.image_size, "images")
    return system.parsed_labels(tf.constant(checked)).numpy()


def synthesize(
    system: MaskGuidedSystem,
    target_mask: object,
    target_image: object,
    source_images: object,
    source_masks: object | None = None,
) -> np.ndarray:
    """Mask-to-face synthesis (thesis sec. 4.4.1, Fig. 4.7): one structure, many appearances.

    Args:
        target_mask: the target mask m^t (one, or one per source).
        target_image: the target image x^t whose background is kept (one, or one per source).
        source_images: N source faces x^s giving the components' appearance.
        source_masks: their masks m^s (None: parsed by P_F).

    Returns:
        float32 (N, S, S, 3) in [-1, 1]: each source's appearance in the target's structure.
    """
    sources = as_images(source_images, system.image_size, "source_images")
    source_labels = _labels_or_parse(system, source_masks, sources, "source_masks")
    targets = as_images(target_image, system.image_size, "target_image")
    target_labels = as_label_maps(target_mask, system.image_size, "target_mask")
    targets, target_labels = match_batches("target_image", targets, "target_mask", target_labels)
    targets, sources = match_batches("target_image", targets, "source_images", sources)
    target_labels, source_labels = match_batches(
        "target_mask", target_labels, "source_masks", source_labels
    )
    return _generate(system, (sources, source_labels), (targets, target_labels))


def edit(system: MaskGuidedSystem, image: object, mask: object, edited_mask: object) -> np.ndarray:
    """Face component editing (thesis sec. 4.4.2, Fig. 4.8-4.9): the face re-drawn in the
    structure of `edited_mask` (its own mask with components changed), same appearance and
    background.

    Returns:
        float32 (B, S, S, 3) in [-1, 1].
    """
    images = as_images(image, system.image_size, "image")
    labels = as_label_maps(mask, system.image_size, "mask")
    edited = as_label_maps(edited_mask, system.image_size, "edited_mask")
    images, labels = match_batches("image", images, "mask", labels)
    images, edited = match_batches("image", images, "edited_mask", edited)
    labels, _ = match_batches("mask", labels, "edited_mask", edited)
    return _generate(system, (images, labels), (images, edited))


def swap_mask(
    system: MaskGuidedSystem, image: object, mask: object, other_mask: object
) -> np.ndarray:
    """The face in another face's complete mask (thesis sec. 4.4.2, Fig. 4.10).

    Returns:
        float32 (B, S, S, 3) in [-1, 1].
    """
    return edit(system, image, mask, other_mask)


def transfer_style(
    system: MaskGuidedSystem,
    target_image: object,
    donor_image: object,
    components: Sequence[str],
    target_mask: object | None = None,
    donor_mask: object | None = None,
) -> np.ndarray:
    """Style transfer (thesis sec. 4.4.3, Fig. 4.11, 4.13-4.14): the listed components'
    local embeddings come from the donor, the others from the target; structure and
    background stay the target's.

    Args:
        target_image: the face to change.
        donor_image: the face whose components' appearance is copied.
        components: subset of left_eye, right_eye, mouth, skin, hair.
        target_mask / donor_mask: their masks (None: parsed by P_F).

    Returns:
        float32 (B, S, S, 3) in [-1, 1].
    """
    if isinstance(components, str):
        components = [components]
    unknown = [name for name in components if name not in COMPONENT_NAMES]
    if unknown or not components:
        raise ValueError(
            f"components must be a non-empty subset of {', '.join(COMPONENT_NAMES)}; "
            f"got {list(components)}"
        )
    targets = as_images(target_image, system.image_size, "target_image")
    target_labels = _labels_or_parse(system, target_mask, targets, "target_mask")
    donors = as_images(donor_image, system.image_size, "donor_image")
    donor_labels = _labels_or_parse(system, donor_mask, donors, "donor_mask")
    targets, donors = match_batches("target_image", targets, "donor_image", donors)
    target_labels, donor_labels = match_batches(
        "target_mask", target_labels, "donor_mask", donor_labels
    )
    return _generate(
        system,
        (targets, target_labels),
        (targets, target_labels),
        (donors, donor_labels),
        components,
    )
