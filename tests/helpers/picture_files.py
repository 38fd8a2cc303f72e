"""Broken and odd picture files for the image-reading tests of every command."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image


def write_png(path: Path, array: np.ndarray) -> Path:
    """Saves a uint8 (H, W) or (H, W, 3) array as PNG; returns the path."""
    Image.fromarray(array).save(path)
    return path


def write_not_an_image(path: Path) -> Path:
    """A file with a .png name that holds text."""
    path.write_bytes(b"this is not a png at all\n")
    return path


def write_truncated_png(path: Path, array: np.ndarray) -> Path:
    """A PNG of `array` cut after 60 % of its bytes (PIL opens it; decoding fails)."""
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    data = buffer.getvalue()
    path.write_bytes(data[: int(len(data) * 0.6)])
    return path


def noise_image(height: int, width: int, seed: int = 0) -> np.ndarray:
    """uint8 (height, width, 3) noise: compresses badly, so a cut PNG misses pixel data."""
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def stripes_label_map(height: int, width: int, classes: int = 11) -> np.ndarray:
    """uint8 (height, width) label map: vertical stripes cycling through the classes."""
    return (np.arange(width)[None, :] % classes).repeat(height, axis=0).astype(np.uint8)
