"""Seeded smooth noise fields for procedural textures (value noise, bicubic interpolation)."""

from __future__ import annotations

import numpy as np
from PIL import Image


def smooth_noise(
    rng: np.random.Generator, height: int, width: int, cell_y: float, cell_x: float | None = None
) -> np.ndarray:
    """Zero-mean, unit-std float32 (height, width) noise with features about `cell` pixels wide.

    A coarse grid of Gaussian values is upsampled with cubic splines, so the
    field is smooth at scale `cell`; `cell_x != cell_y` gives streaks (hair
    strands, brush strokes).
    """
    cell_x = cell_y if cell_x is None else cell_x
    cell_y, cell_x = max(float(cell_y), 1.0), max(float(cell_x), 1.0)
    grid_height = int(np.ceil(height / cell_y)) + 2
    grid_width = int(np.ceil(width / cell_x)) + 2
    grid = rng.standard_normal((grid_height, grid_width)).astype(np.float32)
    if cell_y == 1.0 and cell_x == 1.0:
        field = grid[:height, :width]
    else:
        # Bicubic upsampling of the coarse grid (PIL's C implementation is fast and deterministic).
        up_height, up_width = int(round(grid_height * cell_y)), int(round(grid_width * cell_x))
        upsampled = Image.fromarray(grid).resize((up_width, up_height), Image.Resampling.BICUBIC)
        field = np.asarray(upsampled)[:height, :width]
    field = field - field.mean()
    return (field / max(float(field.std()), 1e-6)).astype(np.float32)


def fractal_noise(
    rng: np.random.Generator, height: int, width: int, cell: float, octaves: int = 3
) -> np.ndarray:
    """Sum of `octaves` noise fields halving in scale and amplitude, unit std."""
    total = np.zeros((height, width), dtype=np.float32)
    for octave in range(octaves):
        total += 0.5**octave * smooth_noise(rng, height, width, cell / 2**octave)
    return total / max(float(total.std()), 1e-6)
