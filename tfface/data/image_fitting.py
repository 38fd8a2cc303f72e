"""One size policy for the pictures users give to commands (`tfface predict`, `tfface edit`).

A picture of any size is brought to the model's size the way the data pipelines do it
(`pipelines.common.image_io.fit_square`): a centred crop to the model's aspect ratio (a square),
then a LANCZOS resize; label maps and hole masks take the same crop and a nearest-neighbour
resize, so labels are never blended. Nothing is ever stretched.

With `align=True` the picture is instead face-aligned like the `wild_faces` Beam job: MTCNN
finds the largest face and its 5 landmarks (`tfface.geometry.face_detection`), and the
similarity that maps them onto the ArcFace template scaled to the model's size
(`tfface.geometry.alignment.align_face`) warps the picture. A map that belongs to a picture
(its label map, a hole mask drawn on it) follows with the same transform, nearest neighbour.

Every result carries a one-line description of what was done, for the command to print:

    face.png: 640x480 -> centre crop 480x480 -> resized to 64x64
    face.png: 640x480 -> face aligned (MTCNN, confidence 1.00, face 212 px) -> 64x64
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

_DETECTOR: list[Any] = []  # the process's MTCNN detector, loaded on first use


@dataclass(frozen=True)
class Fitted:
    """A picture or map at the model's size.

    Attributes:
        array: uint8 (H, W, 3) picture or (H, W) map.
        description: one line, e.g. "a.png: 640x480 -> centre crop 480x480 -> resized to 64x64".
        label: how the description names the file.
        source_shape: (height, width) of the file.
        transform: 3 x 3 similarity from file to output pixels when face-aligned, else None.
    """

    array: np.ndarray
    description: str
    label: str
    source_shape: tuple[int, int]
    transform: np.ndarray | None = None


def _dimensions(shape: tuple[int, ...]) -> str:
    return f"{shape[1]}x{shape[0]}"


def _resize(array: np.ndarray, size: tuple[int, int], nearest: bool) -> np.ndarray:
    from PIL import Image

    if array.shape[:2] == size:
        return array
    resample = Image.Resampling.NEAREST if nearest else Image.Resampling.LANCZOS
    return np.asarray(Image.fromarray(array).resize((size[1], size[0]), resample))


def _centre_crop_box(height: int, width: int, aspect: float) -> tuple[int, int, int, int]:
    """(top, left, crop height, crop width) of the largest centred crop of `aspect` = h / w."""
    crop_height = min(height, round(width * aspect))
    crop_width = min(width, round(crop_height / aspect))
    return (height - crop_height) // 2, (width - crop_width) // 2, crop_height, crop_width


def _crop_and_resize(
    array: np.ndarray, size: tuple[int, int] | None, label: str, nearest: bool
) -> Fitted:
    height, width = array.shape[:2]
    aspect = 1.0 if size is None else size[0] / size[1]
    top, left, crop_height, crop_width = _centre_crop_box(height, width, aspect)
    steps = [f"{label}: {_dimensions(array.shape)}"]
    if (crop_height, crop_width) != (height, width):
        array = array[top : top + crop_height, left : left + crop_width]
        steps.append(f"centre crop {_dimensions(array.shape)}")
    if size is None:
        suffix = " (the model takes any size)"
        description = " -> ".join(steps) + (suffix if len(steps) > 1 else suffix + ": used as is")
    elif array.shape[:2] != tuple(size):
        array = _resize(array, tuple(size), nearest)
        description = " -> ".join([*steps, f"resized to {_dimensions(array.shape)}"])
    elif len(steps) == 1:
        description = f"{steps[0]}, the model's size: used as is"
    else:
        description = " -> ".join(steps)
    return Fitted(np.ascontiguousarray(array), description, label, (height, width))


def _warp_nearest(array: np.ndarray, matrix: np.ndarray, side: int) -> np.ndarray:
    """(H, W) map -> (side, side) through the source -> output `matrix`, nearest neighbour;
    outside the source is 0 (background, no hole)."""
    inverse = np.linalg.inv(matrix)
    ys, xs = np.mgrid[0:side, 0:side].astype(np.float64)
    source_x = np.round(inverse[0, 0] * xs + inverse[0, 1] * ys + inverse[0, 2]).astype(np.int64)
    source_y = np.round(inverse[1, 0] * xs + inverse[1, 1] * ys + inverse[1, 2]).astype(np.int64)
    inside = (
        (source_x >= 0)
        & (source_x < array.shape[1])
        & (source_y >= 0)
        & (source_y < array.shape[0])
    )
    output = np.zeros((side, side), array.dtype)
    output[inside] = array[source_y[inside], source_x[inside]]
    return output


class SizePolicy:
    """Brings pictures and their maps to a model's size: centre crop + resize, or `align`.

    Args:
        align: face-align pictures with MTCNN instead of centre-cropping them.
        zoom: face scale in the aligned crop (1 = the ArcFace crop, < 1 more context).
    """

    def __init__(self, align: bool = False, zoom: float = 1.0) -> None:
        if zoom <= 0:
            raise ValueError(f"--align-zoom must be > 0, got {zoom}")
        self.align = align
        self.zoom = zoom

    def _aligned_side(self, size: tuple[int, int] | None, shape: tuple[int, ...]) -> int:
        if size is None:
            return min(shape[:2])
        if size[0] != size[1]:
            raise ValueError(f"--align makes square faces; the model takes {size[1]}x{size[0]}")
        return int(size[0])

    def fit_picture(self, image: np.ndarray, size: tuple[int, int] | None, label: str) -> Fitted:
        """uint8 (H, W, 3) picture -> (size) (or a square of its shorter side if size is None).

        Raises:
            ValueError: with `align`, when MTCNN finds no face.
        """
        if not self.align:
            return _crop_and_resize(image, size, label, nearest=False)
        from tfface.geometry.alignment import align_face
        from tfface.geometry.face_detection import detect_faces, load_detector

        if not _DETECTOR:
            _DETECTOR.append(load_detector())
        faces = detect_faces(_DETECTOR[0], image)
        if not faces:
            raise ValueError(
                f"{label}: --align found no face (MTCNN, confidence >= 0.9); "
                "without --align the picture is centre-cropped instead"
            )
        face = faces[0]
        side = self._aligned_side(size, image.shape)
        aligned, matrix = align_face(image, face.landmarks, side, self.zoom)
        largest = f"largest of {len(faces)} faces, " if len(faces) > 1 else ""
        description = (
            f"{label}: {_dimensions(image.shape)} -> face aligned (MTCNN, {largest}confidence "
            f"{face.confidence:.2f}, face {face.size:.0f} px) -> {side}x{side}"
        )
        return Fitted(aligned, description, label, image.shape[:2], matrix)

    def fit_map(
        self,
        array: np.ndarray,
        size: tuple[int, int] | None,
        label: str,
        picture: Fitted | None = None,
    ) -> Fitted:
        """uint8 (H, W) label map or mask -> (size), nearest neighbour.

        Without `align` it is centre-cropped like any picture. With `align` it follows the
        transform of `picture` (the picture it was drawn on), so it must have that
        picture's size.

        Raises:
            ValueError: with `align`, no picture to follow or a size that differs from it.
        """
        if not self.align:
            return _crop_and_resize(array, size, label, nearest=True)
        if picture is None or picture.transform is None:
            raise ValueError(f"{label}: --align needs the picture this mask belongs to")
        if array.shape[:2] != picture.source_shape:
            raise ValueError(
                f"--align: {label} is {_dimensions(array.shape)} but its picture "
                f"{picture.label} is {_dimensions(picture.source_shape)}; a mask must be drawn "
                "on its picture (or drop --align to centre-crop both)"
            )
        side = picture.array.shape[0]
        description = (
            f"{label}: {_dimensions(array.shape)} -> aligned with {picture.label} -> {side}x{side}"
        )
        warped = _warp_nearest(array, picture.transform, side)
        return Fitted(warped, description, label, array.shape[:2], picture.transform)
