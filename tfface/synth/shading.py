"""Lighting and the four SynthFaces domains: rgb, nir, mask_texture and painting.

Shading works on a `SurfaceBuffer`: per-pixel albedo, normal and material of
whatever the rasterizer found in front. Light is Lambertian with a hemisphere
ambient term and Blinn-Phong highlights, computed in linear light (sRGB
decoded with gamma 2.2 and encoded again).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from tfface.synth.noise import fractal_noise, smooth_noise

GAMMA = 2.2
# Near-infrared sensors are closer to linear: a milder tone curve keeps pupils dark.
NIR_GAMMA = 1.4
VIEW = np.array([0.0, 0.0, 1.0])


@dataclass
class SurfaceBuffer:
    """What is visible at every pixel (float arrays over (H, W)).

    Attributes:
        covered: bool (H, W), some surface is present (else background).
        albedo: float32 (H, W, 3) sRGB albedo in [0, 1].
        nir: float32 (H, W) near-infrared albedo in [0, 1].
        normal: float32 (H, W, 3) unit normals in camera space (z towards the viewer).
        shininess: float32 (H, W) specular strength in [0, 1].
        code_colour: float32 (H, W, 3) colour of the flat colour-coded render.
    """

    covered: np.ndarray
    albedo: np.ndarray
    nir: np.ndarray
    normal: np.ndarray
    shininess: np.ndarray
    code_colour: np.ndarray

    @classmethod
    def empty(cls, height: int, width: int) -> SurfaceBuffer:
        return cls(
            np.zeros((height, width), dtype=bool),
            np.zeros((height, width, 3), dtype=np.float32),
            np.zeros((height, width), dtype=np.float32),
            np.tile(np.array([0.0, 0.0, 1.0], dtype=np.float32), (height, width, 1)),
            np.zeros((height, width), dtype=np.float32),
            np.zeros((height, width, 3), dtype=np.float32),
        )

    def overlaid(self, other: SurfaceBuffer, where: np.ndarray) -> SurfaceBuffer:
        """This buffer with `other` in front at `where` (bool (H, W))."""
        mask3 = where[..., None]
        return SurfaceBuffer(
            self.covered | where,
            np.where(mask3, other.albedo, self.albedo),
            np.where(where, other.nir, self.nir),
            np.where(mask3, other.normal, self.normal),
            np.where(where, other.shininess, self.shininess),
            np.where(mask3, other.code_colour, self.code_colour),
        )


@dataclass(frozen=True)
class Lighting:
    """One sample's lights: a key light, hemisphere ambient, tint; and the NIR illuminator."""

    direction: np.ndarray
    ambient: float
    intensity: float
    tint: np.ndarray
    nir_direction: np.ndarray
    nir_ambient: float


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / np.linalg.norm(vector)


def sample_lighting(rng: np.random.Generator) -> Lighting:
    """Random key light from the front hemisphere; the NIR light sits next to the camera."""
    azimuth = rng.uniform(-1.1, 1.1)
    elevation = rng.uniform(-0.2, 0.9)
    direction = _unit(
        np.array(
            [
                np.sin(azimuth) * np.cos(elevation),
                np.sin(elevation),
                np.cos(azimuth) * np.cos(elevation),
            ]
        )
    )
    nir_direction = _unit(np.array([rng.uniform(-0.25, 0.25), rng.uniform(-0.1, 0.3), 1.0]))
    tint = np.clip(np.array([1.0, 1.0, 1.0]) + rng.uniform(-0.08, 0.08, size=3), 0.8, 1.1)
    return Lighting(
        direction,
        rng.uniform(0.25, 0.5),
        rng.uniform(0.9, 1.15),
        tint,
        nir_direction,
        rng.uniform(0.05, 0.15),
    )


def _specular(normal: np.ndarray, direction: np.ndarray, shininess: np.ndarray) -> np.ndarray:
    half = _unit(direction + VIEW)
    cosine = np.clip(normal @ half, 0.0, 1.0)
    exponent = 8.0 + 72.0 * shininess
    return shininess * cosine**exponent


def shade_rgb(surface: SurfaceBuffer, lighting: Lighting, background: np.ndarray) -> np.ndarray:
    """float32 (H, W, 3) sRGB image in [0, 1]."""
    normal = surface.normal
    diffuse = np.clip(normal @ lighting.direction, 0.0, 1.0)
    hemisphere = lighting.ambient * (0.75 + 0.25 * normal[..., 1])
    light = (hemisphere + (1.0 - lighting.ambient) * lighting.intensity * diffuse)[
        ..., None
    ] * lighting.tint
    linear = (
        surface.albedo**GAMMA * light
        + 0.6 * _specular(normal, lighting.direction, surface.shininess)[..., None]
    )
    shaded = np.clip(linear, 0.0, 1.0) ** (1.0 / GAMMA)
    return np.where(surface.covered[..., None], shaded, background).astype(np.float32)


def shade_nir(
    surface: SurfaceBuffer, lighting: Lighting, background: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """float32 (H, W) near-infrared image in [0, 1]: active frontal light, blur and sensor noise."""
    normal = surface.normal
    diffuse = np.clip(normal @ lighting.nir_direction, 0.0, 1.0)
    linear = surface.nir * (lighting.nir_ambient + 0.95 * diffuse) + 0.8 * _specular(
        normal, lighting.nir_direction, surface.shininess
    )
    image = np.where(surface.covered, np.clip(linear, 0, 1) ** (1.0 / NIR_GAMMA), background)
    height, width = image.shape
    y, x = np.mgrid[0:height, 0:width]
    radius = np.hypot((x - width / 2) / width, (y - height / 2) / height)
    image = ndimage.gaussian_filter(image * (1.0 - 0.35 * radius**2), 0.6 * max(height, 64) / 256.0)
    image = image + rng.normal(0.0, 0.02, size=image.shape)
    return np.clip(image, 0.0, 1.0).astype(np.float32)


def flat_codes(surface: SurfaceBuffer) -> np.ndarray:
    """float32 (H, W, 3): the flat colour-coded render (no light), black background."""
    return np.where(surface.covered[..., None], surface.code_colour, 0.0).astype(np.float32)


def background_rgb(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """A random smooth colour texture with a gradient, float32 (H, W, 3) in [0, 1]."""
    base = rng.uniform(0.15, 0.85, size=3)
    second = rng.uniform(0.1, 0.9, size=3)
    cell = max(height, width) / rng.uniform(2.0, 6.0)
    mix = np.clip(0.5 + 0.25 * fractal_noise(rng, height, width, cell, octaves=4), 0.0, 1.0)[
        ..., None
    ]
    ramp = np.linspace(-1.0, 1.0, height)[:, None, None] * rng.uniform(-0.15, 0.15)
    grain = 0.03 * smooth_noise(rng, height, width, max(1.0, width / 128.0))[..., None]
    return np.clip(base * (1 - mix) + second * mix + ramp + grain, 0.0, 1.0).astype(np.float32)


def background_nir(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """Dark, smooth background (the active illuminator barely reaches it), float32 (H, W)."""
    level = rng.uniform(0.03, 0.2)
    variation = 0.05 * fractal_noise(rng, height, width, max(height, width) / 3.0, octaves=3)
    return np.clip(level + variation, 0.0, 1.0).astype(np.float32)
