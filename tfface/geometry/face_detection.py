"""MTCNN face detection with 5 landmarks, shared by the `wild_faces` Beam job and `--align`.

MTCNN: Zhang et al., "Joint face detection and alignment using multitask cascaded
convolutional networks", 2016; the `mtcnn` 1.0 package (TensorFlow-based, weights inside the
wheel, so it works offline). Landmarks come in the order of
`tfface.geometry.alignment.ARCFACE_TEMPLATE_112`, so `align_face(image, face.landmarks, ...)`
aligns a detection.

Detection runs on a copy whose longer side is at most `max_detect_side` (speed on large
photos); coordinates are returned in original pixels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Face:
    """One detection in original image pixels."""

    box: tuple[float, float, float, float]  # x, y, width, height
    confidence: float
    # (5, 2): eye on the image's left, right eye, nose, mouth left, mouth right
    landmarks: np.ndarray

    @property
    def size(self) -> float:
        """The longer side of the detection box (pixels)."""
        return max(self.box[2], self.box[3])


def parse_detections(rows: np.ndarray, scale: float = 1.0) -> list[Face]:
    """MTCNN numpy output (N, 16) with xyxy boxes -> faces, coordinates divided by `scale`.

    Row layout of mtcnn 1.0: image id, x1, y1, x2, y2, confidence, then the five
    landmark x (left eye, right eye, nose, mouth left, mouth right), then their y.
    Faces are sorted largest first.
    """
    faces = []
    for row in np.asarray(rows, dtype=np.float64).reshape(-1, 16):
        x1, y1, x2, y2 = row[1:5] / scale
        landmarks = np.stack([row[6:11], row[11:16]], axis=1) / scale
        faces.append(Face((x1, y1, x2 - x1, y2 - y1), float(row[5]), landmarks))
    return sorted(faces, key=lambda face: -face.size)


def load_detector() -> Any:
    """A new MTCNN detector (imports TensorFlow; load once per process or Beam worker)."""
    from mtcnn import MTCNN

    return MTCNN()


def detect_faces(
    detector: Any,
    image: np.ndarray,
    max_detect_side: int = 1024,
    min_face: int = 20,
    min_confidence: float = 0.9,
) -> list[Face]:
    """The faces of a uint8 RGB (H, W, 3) image, largest first, at least `min_confidence`.

    Args:
        detector: from `load_detector()`.
        image: the full-resolution picture.
        max_detect_side: detect on a LANCZOS-reduced copy at most this large.
        min_face: the smallest face MTCNN searches for (pixels of the reduced copy).
        min_confidence: detections below it are dropped.
    """
    from PIL import Image

    small, scale = image, 1.0
    if max(image.shape[:2]) > max_detect_side:
        factor = max_detect_side / max(image.shape[:2])
        size = (max(1, round(image.shape[1] * factor)), max(1, round(image.shape[0] * factor)))
        small = np.asarray(Image.fromarray(image).resize(size, Image.Resampling.LANCZOS))
        scale = small.shape[1] / image.shape[1]
    rows = detector.detect_faces(
        small, output_type="numpy", box_format="xyxy", min_face_size=min_face
    )
    return [face for face in parse_detections(rows, scale) if face.confidence >= min_confidence]
