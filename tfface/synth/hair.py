"""Hair: a shell over the skull that hangs down for long styles, with strand texture.

The shell is parameterised by azimuth theta and a length coordinate `length`:
0 at the crown, 1 at the head's equator, and beyond 1 the hair hangs straight
down (one model unit per unit of length). Each style sets how far the hair
reaches at the front (hairline or bangs), at the sides and at the back.
"""

from __future__ import annotations

import numpy as np

from tfface.geometry.mesh import Mesh, grid_mesh
from tfface.geometry.sampling import bilinear_sample
from tfface.synth.head import base_ellipsoid, gaussian, smoothstep
from tfface.synth.identity import IdentityParams
from tfface.synth.noise import smooth_noise

# (side length, back length) per style; the front is the hairline or the bangs.
STYLE_LENGTHS = {
    "buzz": (0.9, 1.25),
    "short": (0.95, 1.4),
    "medium": (1.3, 1.7),
    "bob": (1.55, 1.6),
    "long": (2.3, 2.5),
}
# Styles long enough to cover the ears.
COVERS_EARS = {"medium", "bob", "long"}
MAX_LENGTH = 2.6
STRAND_ROWS, STRAND_COLUMNS = 96, 512


def front_length(params: IdentityParams, theta: np.ndarray) -> np.ndarray:
    """Length at which the hair ends over the forehead (hairline, or bangs above the brows)."""
    if params.bangs:
        bangs_phi = params.eye_phi + params.brow_gap + 0.07
        wave = 0.015 * np.sin(theta * 37.0 + params.hair_part * 5.0) + 0.01 * np.sin(theta * 13.0)
        return (np.pi / 2 - bangs_phi) / (np.pi / 2) + wave
    recession = 0.08 * smoothstep(0.0, 0.6, np.abs(theta))  # hairline recedes at the temples
    return (np.pi / 2 - params.hairline_phi) / (np.pi / 2) - recession


def bottom_length(params: IdentityParams, theta: np.ndarray) -> np.ndarray:
    """Where the hair ends at every azimuth."""
    side, back = STYLE_LENGTHS[params.hair_style]
    angle = np.abs(theta)
    front = front_length(params, theta)
    to_side = smoothstep(0.75, 1.35, angle)
    to_back = smoothstep(1.5, 2.6, angle)
    return front * (1 - to_side) + side * to_side * (1 - to_back) + back * to_back


def hair_points(params: IdentityParams, theta: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Model-space points (..., 3) of the hair shell."""
    cap = np.minimum(length, 1.0)
    phi = np.pi / 2 * (1.0 - cap)
    base, direction = base_ellipsoid(theta, phi, params)
    volume = params.hair_thickness * (1.0 + 0.6 * np.sin(phi))
    if params.hair_style in COVERS_EARS:
        # Cover the ears (they stick out 0.17 * ear_size) with a smooth swell.
        swell = max(0.0, 0.19 * params.ear_size - params.hair_thickness)
        ear_phi = params.eye_phi - 0.12
        volume = volume + swell * gaussian(np.abs(theta) - np.pi / 2, 0.35) * gaussian(
            phi - ear_phi, 0.4
        )
    points = base + direction * volume[..., None]
    hanging = np.maximum(length - 1.0, 0.0)
    outward = np.stack([np.sin(theta), np.zeros_like(theta), np.cos(theta)], axis=-1)
    points = points + outward * (0.06 * hanging)[..., None]
    points[..., 1] -= hanging
    return points


def build_hair_mesh(params: IdentityParams, columns: int = 97, rows: int = 41) -> Mesh:
    """Grid mesh of the hair; `coordinates` are (theta, length)."""
    theta = np.linspace(-np.pi, np.pi, columns)
    fraction = np.linspace(0.0, 1.0, rows)
    theta_grid, fraction_grid = np.meshgrid(theta, fraction)
    length = fraction_grid * bottom_length(params, theta_grid)
    points = hair_points(params, theta_grid, length)
    return grid_mesh(points, np.stack([theta_grid, length], axis=-1))


def paint_hair_texture(params: IdentityParams) -> np.ndarray:
    """float32 (STRAND_ROWS, STRAND_COLUMNS, 3) hair albedo over (length, theta).

    Strands are noise stretched along the length; lighter and darker locks,
    and a darker parting line at `hair_part`.
    """
    rng = np.random.default_rng([params.texture_seed, 7])
    strands = smooth_noise(rng, STRAND_ROWS, STRAND_COLUMNS, 12.0, 1.0)
    locks = smooth_noise(rng, STRAND_ROWS, STRAND_COLUMNS, 30.0, 10.0)
    shade = 1.0 + 0.18 * strands + 0.12 * locks
    theta = np.linspace(-np.pi, np.pi, STRAND_COLUMNS)[None, :]
    length = np.linspace(0.0, MAX_LENGTH, STRAND_ROWS)[:, None]
    parting = 1.0 - 0.35 * np.exp(-0.5 * ((theta - params.hair_part) / 0.02) ** 2) * (length < 0.55)
    colour = np.array(params.hair_colour, dtype=np.float32)
    return np.clip(colour * (shade * parting)[..., None], 0.0, 1.0).astype(np.float32)


def sample_hair_texture(texture: np.ndarray, coordinates: np.ndarray) -> np.ndarray:
    """Bilinear lookup of the hair texture at (theta, length) coordinates (N, 2) -> (N, C)."""
    rows, columns = texture.shape[:2]
    column = (coordinates[:, 0] + np.pi) / (2 * np.pi) * (columns - 1)
    row = np.clip(coordinates[:, 1] / MAX_LENGTH, 0.0, 1.0) * (rows - 1)
    return bilinear_sample(texture, row, column)
