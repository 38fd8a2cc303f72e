"""The `painting` domain: a deterministic painterly stylisation of an RGB render.

Abstraction (smoothing), a palette shift (hue rotation about the grey axis,
saturation boost, warm or cool cast), brush strokes (noise smeared along a
smooth orientation field, a cheap line-integral convolution), soft
posterisation, dark outlines and a canvas weave. It gives unpaired photo <->
painting work a second domain whose content matches the photo domain.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from tfface.synth.noise import smooth_noise


def hue_rotation(angle: float) -> np.ndarray:
    """3x3 matrix rotating colours by `angle` radians about the grey axis."""
    axis = np.ones(3) / np.sqrt(3.0)
    cross = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return (
        np.cos(angle) * np.eye(3)
        + np.sin(angle) * cross
        + (1 - np.cos(angle)) * np.outer(axis, axis)
    )


def brush_strokes(rng: np.random.Generator, height: int, width: int, length: int) -> np.ndarray:
    """float32 (H, W) zero-mean stroke texture: noise smeared along 4 orientations chosen per region."""
    noise = rng.standard_normal((height, width)).astype(np.float32)
    directions = ((0, 1), (1, 1), (1, 0), (1, -1))
    smeared = []
    for dy, dx in directions:
        total = np.zeros_like(noise)
        for step in range(-length, length + 1):
            total += np.roll(noise, (step * dy, step * dx), axis=(0, 1))
        smeared.append(total / np.sqrt(2 * length + 1))
    field = smooth_noise(rng, height, width, max(height, width) / 6.0)
    choice = np.clip(((field + 2.0) / 4.0 * 4).astype(int), 0, 3)
    return np.choose(choice, smeared).astype(np.float32)


def stylize_painting(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """float32 (H, W, 3) in [0, 1] -> painted float32 (H, W, 3) in [0, 1]."""
    height, width = image.shape[:2]
    scale = max(height, width) / 256.0
    smooth = ndimage.gaussian_filter(image, (1.2 * scale, 1.2 * scale, 0))
    grey = smooth.mean(axis=-1, keepdims=True)
    saturated = grey + (smooth - grey) * rng.uniform(1.2, 1.6)
    shifted = saturated @ hue_rotation(rng.uniform(-0.45, 0.45)).T
    cast = np.array([1.0, 1.0, 1.0]) + rng.uniform(-0.08, 0.08, size=3)
    shifted = shifted * cast
    strokes = brush_strokes(rng, height, width, max(2, int(round(5 * scale))))
    painted = shifted * (1.0 + 0.06 * strokes[..., None])
    levels = rng.integers(5, 9)
    posterised = np.round(painted * levels) / levels
    painted = 0.55 * painted + 0.45 * posterised
    luminance = ndimage.gaussian_filter(painted.mean(axis=-1), scale)
    edges = np.hypot(ndimage.sobel(luminance, axis=0), ndimage.sobel(luminance, axis=1))
    painted = painted * (1.0 - np.clip(edges * 1.5, 0.0, 0.35))[..., None]
    y, x = np.mgrid[0:height, 0:width]
    period = 3.0 * max(scale, 0.5)
    weave = 1.0 + 0.03 * np.sin(x * np.pi / period) * np.sin(y * np.pi / period)
    return np.clip(painted * weave[..., None], 0.0, 1.0).astype(np.float32)
