"""Texture lookups."""

from __future__ import annotations

import numpy as np


def bilinear_sample(texture: np.ndarray, row: np.ndarray, column: np.ndarray) -> np.ndarray:
    """Bilinear sampling of texture (R, C[, K]) at float (row, column) (align-corners)."""
    rows, columns = texture.shape[:2]
    row = np.clip(row, 0.0, rows - 1.0)
    column = np.clip(column, 0.0, columns - 1.0)
    row0 = np.minimum(np.floor(row).astype(np.int64), rows - 2)
    column0 = np.minimum(np.floor(column).astype(np.int64), columns - 2)
    fy = (row - row0).astype(np.float32)
    fx = (column - column0).astype(np.float32)
    if texture.ndim == 3:
        fy, fx = fy[:, None], fx[:, None]
    top = texture[row0, column0] * (1 - fx) + texture[row0, column0 + 1] * fx
    bottom = texture[row0 + 1, column0] * (1 - fx) + texture[row0 + 1, column0 + 1] * fx
    return top * (1 - fy) + bottom * fy
