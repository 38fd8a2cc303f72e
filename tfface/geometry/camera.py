"""Head pose rotations and the orthographic camera of SynthFaces.

Conventions: poses are (yaw, pitch, roll) in degrees; yaw > 0 turns
the face to the image's right. Model coordinates: x to the image's right in a
frontal view (the subject's left), y up, z towards the camera. Pitch > 0 lifts
the chin (the face looks up); roll > 0 tilts the top of the head towards the
image's right (clockwise as seen in the image). The rotation applies yaw, then
pitch, then roll, all about the camera axes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def rotation_matrix(yaw: float, pitch: float, roll: float) -> np.ndarray:
    """float64 (3, 3) rotation R = R_roll @ R_pitch @ R_yaw (angles in degrees)."""
    psi, theta, phi = np.deg2rad([yaw, pitch, roll])
    rotation_yaw = np.array(
        [[np.cos(psi), 0.0, np.sin(psi)], [0.0, 1.0, 0.0], [-np.sin(psi), 0.0, np.cos(psi)]]
    )
    rotation_pitch = np.array(
        [[1.0, 0.0, 0.0], [0.0, np.cos(theta), np.sin(theta)], [0.0, -np.sin(theta), np.cos(theta)]]
    )
    rotation_roll = np.array(
        [[np.cos(phi), np.sin(phi), 0.0], [-np.sin(phi), np.cos(phi), 0.0], [0.0, 0.0, 1.0]]
    )
    return rotation_roll @ rotation_pitch @ rotation_yaw


@dataclass(frozen=True)
class OrthographicCamera:
    """Scaled orthographic projection of model coordinates to pixels.

    x_image = centre_x + scale * X,  y_image = centre_y - scale * Y,
    depth = scale * Z (pixels; larger is nearer the camera).

    Args:
        image_size: output side in pixels.
        scale: pixels per model unit.
        centre_x, centre_y: pixel position of the model origin.
    """

    image_size: int
    scale: float
    centre_x: float
    centre_y: float

    @classmethod
    def for_faces(cls, image_size: int) -> OrthographicCamera:
        """The SynthFaces framing: the face fills about half the image, like aligned crops."""
        scale = 0.3 * image_size
        return cls(image_size, scale, (image_size - 1) / 2.0, (image_size - 1) / 2.0 - 0.22 * scale)

    def project(self, points: np.ndarray) -> np.ndarray:
        """float (..., 3) model points -> float32 (..., 3) (x, y, depth) in pixels."""
        points = np.asarray(points, dtype=np.float64)
        x = self.centre_x + self.scale * points[..., 0]
        y = self.centre_y - self.scale * points[..., 1]
        depth = self.scale * points[..., 2]
        return np.stack([x, y, depth], axis=-1).astype(np.float32)
