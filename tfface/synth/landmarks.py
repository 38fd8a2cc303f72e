"""The 68 iBUG landmarks of a SynthFaces head, as fixed points on its surface.

Each landmark is a (theta, phi) surface point derived from the identity's
feature placement (the same functions that paint the parts), so landmarks
follow the mesh through pose and expression. Order (iBUG-68, subject's own
left/right): 0-16 jaw from the subject's right ear to the left, 17-21 right
brow (outer to inner), 22-26 left brow (inner to outer), 27-30 nose bridge,
31-35 nostrils, 36-41 right eye and 42-47 left eye (clockwise from the outer /
inner corner), 48-59 outer lips, 60-67 inner lips. Like 3DMM landmarks the jaw
points are fixed on the surface rather than on the silhouette.
"""

from __future__ import annotations

import numpy as np

from tfface.synth import face_regions as regions
from tfface.synth.identity import IdentityParams

NUM_LANDMARKS = 68
RIGHT_EYE = tuple(range(36, 42))
LEFT_EYE = tuple(range(42, 48))


def _eye(params: IdentityParams, side: float) -> list[tuple[float, float]]:
    """Six eye points: corners and two points on each lid, iBUG order."""
    # Points sit just inside the lid margins so that they land on the eye's label.
    half_width = params.eye_half_width * 0.9
    offsets = np.array([-1.0, -0.35, 0.35, 1.0, 0.35, -0.35]) * half_width
    upper, lower, _ = regions.eye_lids(offsets, params)
    lids = 0.8 * np.array([0.0, upper[1], upper[2], 0.0, lower[4], lower[5]])
    # The same offsets give iBUG order for both eyes: the right eye (side -1)
    # starts at its outer corner, the left eye at its inner corner, both at the
    # smallest theta, then run along the upper lid and back along the lower.
    points = []
    for d_theta, d_phi in zip(offsets, lids, strict=True):
        theta = side * params.eye_theta + d_theta
        phi = params.eye_phi + d_phi + params.eye_tilt * d_theta * side
        points.append((float(theta), float(phi)))
    return points


def landmark_coordinates(params: IdentityParams) -> np.ndarray:
    """float64 (68, 2) surface coordinates (theta, phi) of the iBUG-68 landmarks."""
    p = params
    points: list[tuple[float, float]] = []
    ear_phi = p.eye_phi - 0.1
    chin_phi = p.mouth_phi - 0.42
    for k in range(17):
        t = -1.0 + 2.0 * k / 16.0
        theta = 1.25 * t
        phi = chin_phi + (ear_phi - chin_phi) * (1.0 - np.cos(np.pi / 2 * abs(t)) ** 1.5)
        points.append((theta, phi))
    for side in (-1.0, 1.0):
        half_length = 0.5 * p.brow_length * 0.9
        centre_theta = side * (p.eye_theta + 0.03)
        thetas = centre_theta + np.linspace(-half_length, half_length, 5)
        for theta in thetas:
            centre, _, _ = regions.brow_centre(np.array(theta), p, side)
            points.append((float(theta), float(centre)))
    for k in range(4):
        points.append((0.0, p.eye_phi - 0.01 + (p.nose_tip_phi - p.eye_phi + 0.01) * k / 3.0))
    for offset in (-0.8, -0.4, 0.0, 0.4, 0.8):
        lift = 0.012 * (1 - abs(offset))
        points.append((offset * p.nose_width, p.nose_tip_phi - 0.06 + lift))
    points.extend(_eye(p, -1.0))
    points.extend(_eye(p, 1.0))
    half_width = p.mouth_half_width
    outer_thetas = np.array([-1.0, -0.6, -0.25, 0.0, 0.25, 0.6, 1.0]) * half_width * 0.98
    band, _ = regions.mouth_band(outer_thetas, p)
    upper, lower = regions.lip_thickness(outer_thetas, p)
    for theta, b, u in zip(outer_thetas, band, upper, strict=True):  # 48-54
        points.append((float(theta), float(p.mouth_phi + b + u)))
    for theta, b, low in list(zip(outer_thetas, band, lower, strict=True))[-2:0:-1]:  # 55-59
        points.append((float(theta), float(p.mouth_phi - b - low)))
    inner_thetas = np.array([-0.9, -0.4, 0.0, 0.4, 0.9]) * half_width
    inner_band, _ = regions.mouth_band(inner_thetas, p)
    for theta, b in zip(inner_thetas, inner_band, strict=True):  # 60-64
        points.append((float(theta), float(p.mouth_phi + b)))
    for theta, b in list(zip(inner_thetas, inner_band, strict=True))[-2:0:-1]:  # 65-67
        points.append((float(theta), float(p.mouth_phi - b)))
    coordinates = np.array(points, dtype=np.float64)
    if coordinates.shape != (NUM_LANDMARKS, 2):
        raise AssertionError(f"landmark table has {len(coordinates)} points")
    return coordinates
