"""Face-parsing class tables, the CelebAMask-HQ 19 -> 11 mapping and label-map helpers.

Masks are stored as label maps: uint8 arrays of shape (H, W) whose values index a
`LabelTable`. Two tables are defined:

* `CELEBAMASK_HQ_19`: the official CelebAMask-HQ part order (label = position), which is
  also the official fusion order: when the per-part binary masks are merged into one label
  map, later parts overwrite earlier ones (`FUSION_ORDER_19`).
* `PORTRAIT_11`: the 11 classes of the mask-guided portrait editing thesis (Stuttgart
  S1408, 2022, Table 3.1), after Gu et al., "Mask-Guided Portrait Editing with Conditional
  GANs", CVPR 2019.

Left/right convention: 'l_' and 'r_' are the *subject's own* left and right, so in a
frontal view the subject's left eye ('l_eye') appears on the *image's right*. This is the
same convention as the iBUG-68 landmarks, where points 42-47 (0-based) are the subject's
left eye.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

__all__ = [
    "CELEBAMASK_HQ_19",
    "FUSION_ORDER_19",
    "HAIR_11",
    "LEFT_EYE_11",
    "MAP_19_TO_11",
    "MOUTH_COMPONENT_11",
    "PORTRAIT_11",
    "RIGHT_EYE_11",
    "SKIN_COMPONENT_11",
    "UNKNOWN_LABEL",
    "LabelTable",
    "colorize",
    "fuse_part_masks",
    "map_19_to_11",
    "one_hot",
    "validate_label_map",
]

UNKNOWN_LABEL = 255
"""Value that `MAP_19_TO_11` assigns to inputs that are not valid 19-table labels."""


@dataclass(frozen=True)
class LabelTable:
    """A table of segmentation classes: label value = position in `names`.

    Args:
        name: Short identifier of the table, e.g. "celebamask_hq_19".
        names: Class names; `names[label]` is the name of label value `label`.
        colors: One distinct RGB visualisation colour (0..255 per channel) per class.
    """

    name: str
    names: tuple[str, ...]
    colors: tuple[tuple[int, int, int], ...]

    def __post_init__(self) -> None:
        if not self.names:
            raise ValueError(f"LabelTable {self.name!r}: names must not be empty")
        if len(self.names) > 256:
            raise ValueError(
                f"LabelTable {self.name!r}: at most 256 classes fit a uint8 label map, "
                f"got {len(self.names)}"
            )
        if len(set(self.names)) != len(self.names):
            raise ValueError(f"LabelTable {self.name!r}: class names must be unique")
        if len(self.colors) != len(self.names):
            raise ValueError(
                f"LabelTable {self.name!r}: {len(self.names)} names but {len(self.colors)} colors"
            )
        for color in self.colors:
            if len(color) != 3 or any(not 0 <= channel <= 255 for channel in color):
                raise ValueError(
                    f"LabelTable {self.name!r}: colour {color} is not an RGB triple in 0..255"
                )
        if len(set(self.colors)) != len(self.colors):
            raise ValueError(f"LabelTable {self.name!r}: colours must be distinct")

    @property
    def num_classes(self) -> int:
        """Number of classes, including background."""
        return len(self.names)

    def index(self, name: str) -> int:
        """Label value of the class called `name`; ValueError if the table has no such class."""
        try:
            return self.names.index(name)
        except ValueError:
            raise ValueError(
                f"LabelTable {self.name!r} has no class {name!r}; classes: {list(self.names)}"
            ) from None

    def palette(self) -> np.ndarray:
        """The colours as a uint8 array of shape (num_classes, 3)."""
        return np.asarray(self.colors, dtype=np.uint8)


# Colours of the official CelebAMask-HQ visualisation (g_mask.py colour list).
CELEBAMASK_HQ_19 = LabelTable(
    name="celebamask_hq_19",
    names=(
        "background",
        "skin",
        "nose",
        "eye_g",  # eyeglasses
        "l_eye",
        "r_eye",
        "l_brow",
        "r_brow",
        "l_ear",
        "r_ear",
        "mouth",  # inner mouth, between the lips
        "u_lip",
        "l_lip",
        "hair",
        "hat",
        "ear_r",  # earring
        "neck_l",  # necklace
        "neck",
        "cloth",
    ),
    colors=(
        (0, 0, 0),
        (204, 0, 0),
        (76, 153, 0),
        (204, 204, 0),
        (51, 51, 255),
        (204, 0, 204),
        (0, 255, 255),
        (255, 204, 204),
        (102, 51, 0),
        (255, 0, 0),
        (102, 204, 0),
        (255, 255, 0),
        (0, 0, 153),
        (0, 0, 204),
        (255, 51, 153),
        (0, 204, 204),
        (0, 51, 0),
        (255, 153, 51),
        (0, 204, 0),
    ),
)

FUSION_ORDER_19: tuple[str, ...] = CELEBAMASK_HQ_19.names[1:]
"""Official order in which part masks are painted; a later part overwrites an earlier one."""

# Colours reuse the CelebAMask-HQ colour of the corresponding class, so both tables look alike.
PORTRAIT_11 = LabelTable(
    name="portrait_11",
    names=(
        "background",
        "skin",
        "l_brow",
        "r_brow",
        "l_eye",
        "r_eye",
        "nose",
        "u_lip",
        "mouth",
        "l_lip",
        "hair",
    ),
    colors=tuple(
        CELEBAMASK_HQ_19.colors[CELEBAMASK_HQ_19.index(name)]
        for name in (
            "background",
            "skin",
            "l_brow",
            "r_brow",
            "l_eye",
            "r_eye",
            "nose",
            "u_lip",
            "mouth",
            "l_lip",
            "hair",
        )
    ),
)

# Components of the mask-guided local embeddings (Gu et al. 2019), as PORTRAIT_11 labels.
SKIN_COMPONENT_11: tuple[int, ...] = (1, 2, 3, 6)  # skin, l_brow, r_brow, nose
MOUTH_COMPONENT_11: tuple[int, ...] = (7, 8, 9)  # u_lip, mouth, l_lip
LEFT_EYE_11: tuple[int, ...] = (4,)
RIGHT_EYE_11: tuple[int, ...] = (5,)
HAIR_11: tuple[int, ...] = (10,)

# 19 -> 11: eyeglasses and ears become skin (glasses travel in the local
# embeddings), hat becomes hair, earrings, necklace, neck and cloth become background.
_NAME_MAP_19_TO_11: dict[str, str] = {
    "background": "background",
    "skin": "skin",
    "nose": "nose",
    "eye_g": "skin",
    "l_eye": "l_eye",
    "r_eye": "r_eye",
    "l_brow": "l_brow",
    "r_brow": "r_brow",
    "l_ear": "skin",
    "r_ear": "skin",
    "mouth": "mouth",
    "u_lip": "u_lip",
    "l_lip": "l_lip",
    "hair": "hair",
    "hat": "hair",
    "ear_r": "background",
    "neck_l": "background",
    "neck": "background",
    "cloth": "background",
}


def _build_map_19_to_11() -> np.ndarray:
    lookup = np.full(256, UNKNOWN_LABEL, dtype=np.uint8)
    for name_19 in CELEBAMASK_HQ_19.names:
        lookup[CELEBAMASK_HQ_19.index(name_19)] = PORTRAIT_11.index(_NAME_MAP_19_TO_11[name_19])
    lookup.setflags(write=False)
    return lookup


MAP_19_TO_11: np.ndarray = _build_map_19_to_11()
"""uint8 lookup of length 256: `MAP_19_TO_11[label_19]` is the PORTRAIT_11 label (255 if unknown)."""


def _invalid_values(label_map: np.ndarray, num_classes: int) -> list[int]:
    """Sorted distinct values of `label_map` outside [0, num_classes)."""
    values = np.unique(label_map)
    return [int(value) for value in values if value < 0 or value >= num_classes]


def _require_integer(label_map: np.ndarray, what: str) -> None:
    if not isinstance(label_map, np.ndarray):
        raise ValueError(f"{what} must be a numpy array, got {type(label_map).__name__}")
    if not np.issubdtype(label_map.dtype, np.integer):
        raise ValueError(f"{what} must have an integer dtype, got {label_map.dtype}")


def validate_label_map(label_map: np.ndarray, table: LabelTable) -> None:
    """Check that `label_map` is a 2-D integer array of valid `table` labels.

    Raises:
        ValueError: if the dtype is not integer, the array is not 2-D, or a value lies
            outside [0, table.num_classes).
    """
    _require_integer(label_map, "label map")
    if label_map.ndim != 2:
        raise ValueError(f"label map must be 2-D (H, W), got shape {label_map.shape}")
    invalid = _invalid_values(label_map, table.num_classes)
    if invalid:
        raise ValueError(
            f"label map has values {invalid} outside the {table.name} range "
            f"0..{table.num_classes - 1}"
        )


def map_19_to_11(label_map: np.ndarray) -> np.ndarray:
    """Map CelebAMask-HQ 19-class labels to PORTRAIT_11 labels.

    Args:
        label_map: Integer array of any shape with values in 0..18.

    Returns:
        uint8 array of the same shape with PORTRAIT_11 labels.

    Raises:
        ValueError: if the dtype is not integer or some values are not 19-table labels.
    """
    _require_integer(label_map, "label map")
    invalid = _invalid_values(label_map, CELEBAMASK_HQ_19.num_classes)
    if invalid:
        raise ValueError(
            f"label map has values {invalid} that are not {CELEBAMASK_HQ_19.name} labels "
            f"(0..{CELEBAMASK_HQ_19.num_classes - 1})"
        )
    return MAP_19_TO_11[label_map]


def fuse_part_masks(part_masks: Mapping[str, np.ndarray], shape: tuple[int, int]) -> np.ndarray:
    """Merge binary CelebAMask-HQ part masks into one 19-class label map.

    Parts are painted in the official fusion order (`FUSION_ORDER_19`), so where parts
    overlap the later one wins (e.g. hair over skin, l_eye over eye_g). Pixels covered by
    no part are background (0).

    Args:
        part_masks: Part name (a `CELEBAMASK_HQ_19` name other than "background") ->
            bool/integer array of shape `shape`; nonzero marks the part.
        shape: (H, W) of the label map.

    Returns:
        uint8 label map of shape (H, W) with `CELEBAMASK_HQ_19` labels.

    Raises:
        ValueError: on unknown part names, or a mask whose shape differs from `shape`.
    """
    shape = tuple(int(size) for size in shape)
    if len(shape) != 2 or min(shape) < 1:
        raise ValueError(f"shape must be (H, W) with positive sizes, got {shape}")
    unknown = sorted(set(part_masks) - set(FUSION_ORDER_19))
    if unknown:
        raise ValueError(f"unknown part names {unknown}; valid parts: {list(FUSION_ORDER_19)}")
    label_map = np.zeros(shape, dtype=np.uint8)
    for name in FUSION_ORDER_19:
        if name not in part_masks:
            continue
        mask = np.asarray(part_masks[name])
        if mask.shape != shape:
            raise ValueError(f"part mask {name!r} has shape {mask.shape}, expected {shape}")
        label_map[mask != 0] = CELEBAMASK_HQ_19.index(name)
    return label_map


def colorize(label_map: np.ndarray, table: LabelTable = PORTRAIT_11) -> np.ndarray:
    """Render a label map with the table's colours.

    Args:
        label_map: Integer array (H, W) of `table` labels.
        table: The class table the labels refer to.

    Returns:
        uint8 RGB image of shape (H, W, 3).

    Raises:
        ValueError: if `label_map` is not a valid `table` label map.
    """
    validate_label_map(label_map, table)
    return table.palette()[label_map]


def one_hot(label_map: np.ndarray, table: LabelTable) -> np.ndarray:
    """One-hot encode a label map.

    Args:
        label_map: Integer array (H, W) of `table` labels.
        table: The class table the labels refer to.

    Returns:
        float32 array of shape (H, W, table.num_classes), exactly one 1.0 per pixel.

    Raises:
        ValueError: if `label_map` is not a valid `table` label map.
    """
    validate_label_map(label_map, table)
    return np.eye(table.num_classes, dtype=np.float32)[label_map]
