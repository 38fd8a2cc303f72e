"""Label-map edits for mask-guided editing (S1408 thesis sec. 4.4.2, Fig. 4.8-4.9).

The thesis edits faces by editing their masks by hand: a longer hairstyle, other eyes, an
open mouth. `replace_component` does the common case programmatically: the component's
region of one PORTRAIT_11 label map is replaced by the same component of another (a donor
face, or the same person with another expression). The result goes to
`MaskGuidedSystem.edit(image, mask, edited_mask)` or `tfface edit --edited-mask`.
"""

from __future__ import annotations

import numpy as np

from tfface.data.labels import HAIR_11, LEFT_EYE_11, MOUTH_COMPONENT_11, PORTRAIT_11, RIGHT_EYE_11

BACKGROUND = PORTRAIT_11.names.index("background")
SKIN = PORTRAIT_11.names.index("skin")

EDITABLE_COMPONENTS: dict[str, tuple[tuple[int, ...], int]] = {
    "hair": (HAIR_11, BACKGROUND),
    "mouth": (MOUTH_COMPONENT_11, SKIN),
    "left_eye": (LEFT_EYE_11, SKIN),
    "right_eye": (RIGHT_EYE_11, SKIN),
    "eyes": (LEFT_EYE_11 + RIGHT_EYE_11, SKIN),
}
"""component -> (its PORTRAIT_11 labels, the label its old region becomes)."""

_PASTE_ONTO = (BACKGROUND, SKIN)
"""The donor's component is drawn over background and skin only (never over other parts)."""


def replace_component(mask: np.ndarray, donor_mask: np.ndarray, component: str) -> np.ndarray:
    """`mask` with `component` taken from `donor_mask` (both uint8 (S, S) PORTRAIT_11 labels).

    The component's pixels in `mask` become background (hair) or skin (eyes, mouth); then
    the donor's component pixels are drawn where the result is background or skin.

    Args:
        mask: the label map to edit, (S, S) with values in [0, 10].
        donor_mask: the label map giving the new component, same shape.
        component: one of `EDITABLE_COMPONENTS` (hair, mouth, left_eye, right_eye, eyes).

    Returns:
        uint8 (S, S) the edited label map.
    """
    if component not in EDITABLE_COMPONENTS:
        raise ValueError(
            f"component must be one of {', '.join(EDITABLE_COMPONENTS)}; got {component!r}"
        )
    mask, donor_mask = np.asarray(mask), np.asarray(donor_mask)
    for name, array in (("mask", mask), ("donor_mask", donor_mask)):
        if array.ndim != 2:
            raise ValueError(f"{name} must be a (S, S) label map, got shape {array.shape}")
        if array.size and (array.min() < 0 or array.max() >= len(PORTRAIT_11.names)):
            raise ValueError(
                f"{name} has labels outside [0, {len(PORTRAIT_11.names) - 1}] (PORTRAIT_11)"
            )
    if mask.shape != donor_mask.shape:
        raise ValueError(f"mask {mask.shape} and donor_mask {donor_mask.shape} differ in size")
    labels, fill = EDITABLE_COMPONENTS[component]
    edited = mask.astype(np.uint8).copy()
    edited[np.isin(edited, labels)] = fill
    donor_region = np.isin(donor_mask, labels) & np.isin(edited, _PASTE_ONTO)
    edited[donor_region] = donor_mask[donor_region]
    return edited
