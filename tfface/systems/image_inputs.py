"""Eager checks of the float images the systems' Python APIs take (editing, rotation, inpainting).

Images are float (S, S, 3) or (B, S, S, 3) in [-1, 1] (the value range inside
models); checked with NumPy before any graph runs, so bad input gets a clear ValueError.
`match_batches` broadcasts a batch of one input against a batch of N of another.
"""

from __future__ import annotations

import numpy as np


def as_images(images: object, image_size: int, name: str = "images") -> np.ndarray:
    """float32 (B, S, S, 3) in [-1, 1] from (S, S, 3) or (B, S, S, 3) float images.

    Raises:
        ValueError: wrong rank, size or channels, integer data, or values outside [-1, 1].
    """
    array = np.asarray(images)
    if array.ndim == 3:
        array = array[None]
    if array.ndim != 4 or array.shape[-1] != 3:
        raise ValueError(
            f"{name} must have shape (B, H, W, 3) or (H, W, 3), got {np.shape(images)}"
        )
    if array.shape[1:3] != (image_size, image_size):
        raise ValueError(
            f"{name} are {array.shape[1]}x{array.shape[2]} but the model works on "
            f"{image_size}x{image_size} images; resize them first"
        )
    if not np.issubdtype(array.dtype, np.floating):
        raise ValueError(
            f"{name} must be float images in [-1, 1], got dtype {array.dtype} "
            "(convert uint8 with image / 127.5 - 1)"
        )
    if array.size and (not np.isfinite(array).all() or array.min() < -1.001 or array.max() > 1.001):
        raise ValueError(
            f"{name} must lie in [-1, 1], got values in [{array.min():.3g}, {array.max():.3g}]"
        )
    return np.clip(array.astype(np.float32), -1.0, 1.0)


def match_batches(
    name_a: str, a: np.ndarray, name_b: str, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Broadcasts a batch of one against a batch of N; other mismatches are a ValueError
    naming both arguments."""
    if len(a) == len(b):
        return a, b
    if len(a) == 1:
        return np.repeat(a, len(b), axis=0), b
    if len(b) == 1:
        return a, np.repeat(b, len(a), axis=0)
    raise ValueError(f"{name_a} has {len(a)} examples but {name_b} has {len(b)}")
