"""Synthetic occlusion of faces with ground truth (pure NumPy + PIL, seeded).

Composition (Yin 2022, sec. 5.3.2, Fig. 5.3 (a): the data augmentation that
trains the face segmentation of the de-occlusion system): with the face image
I_f, its face mask M_f and an occluder image I_o with mask M_o placed over
the face,

    I    = I_f * (1 - M_o) + I_o * M_o        the occluded image
    M_gt = M_f * (1 - M_o)                    the visible face

The occluder's alpha channel is its mask, binarised at 128 so that I, M_o and
M_gt agree exactly (no half-transparent pixels without a label). An occluder
is cropped to its alpha bounding box, scaled so that its longer side is a
sampled fraction of the face's extent, rotated, optionally re-coloured with a
texture patch (its alpha kept: the shape of a hand, the texture of wood; the
thesis substitutes collected texture patches for occlusion textures) and
centred on a uniformly chosen face pixel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image


@dataclass(frozen=True)
class OcclusionConfig:
    """Sampling ranges of `occlude`.

    Args:
        min_scale, max_scale: occluder longer side / face extent (longer side of the face mask's box).
        max_rotation: rotation uniform in [-max_rotation, max_rotation] degrees.
        texture_probability: chance of replacing the occluder's colours with a texture patch.
    """

    min_scale: float = 0.3
    max_scale: float = 0.7
    max_rotation: float = 30.0
    texture_probability: float = 0.5

    def __post_init__(self) -> None:
        if not 0 < self.min_scale <= self.max_scale:
            raise ValueError(
                f"need 0 < min_scale <= max_scale, got {self.min_scale}, {self.max_scale}"
            )
        if not 0 <= self.max_rotation <= 180:
            raise ValueError(f"max_rotation must lie in [0, 180], got {self.max_rotation}")
        if not 0 <= self.texture_probability <= 1:
            raise ValueError(
                f"texture_probability must lie in [0, 1], got {self.texture_probability}"
            )


@dataclass(frozen=True)
class Occlusion:
    """One occluded variant: image, occlusion_mask (M_o), face_mask (M_gt) and the sampled parameters."""

    image: np.ndarray
    occlusion_mask: np.ndarray
    face_mask: np.ndarray
    occluder_index: int
    texture_index: int  # -1: no texture
    scale: float
    rotation: float


def trim_to_alpha(rgba: np.ndarray) -> np.ndarray:
    """Crops an RGBA (H, W, 4) array to the bounding box of alpha >= 128 (ValueError if none)."""
    rows, columns = np.nonzero(rgba[..., 3] >= 128)
    if rows.size == 0:
        raise ValueError("occluder is fully transparent")
    return rgba[rows.min() : rows.max() + 1, columns.min() : columns.max() + 1]


def composite(
    face: np.ndarray, occluder_rgb: np.ndarray, occlusion_mask: np.ndarray, face_mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """I = I_f (1 - M_o) + I_o M_o and M_gt = M_f (1 - M_o) for binary masks; returns (I, M_gt)."""
    occlusion_mask = occlusion_mask.astype(bool)
    mask = occlusion_mask[..., None] if face.ndim == 3 else occlusion_mask
    image = np.where(mask, occluder_rgb, face).astype(face.dtype)
    return image, face_mask.astype(bool) & ~occlusion_mask


def _texture_patch(
    texture: np.ndarray, height: int, width: int, rng: np.random.Generator
) -> np.ndarray:
    """A random (height, width) crop of a texture, enlarged first if it is too small."""
    factor = max(height / texture.shape[0], width / texture.shape[1], 1.0)
    if factor > 1.0:
        size = (int(np.ceil(texture.shape[1] * factor)), int(np.ceil(texture.shape[0] * factor)))
        texture = np.asarray(Image.fromarray(texture).resize(size, Image.Resampling.BICUBIC))
    top = int(rng.integers(0, texture.shape[0] - height + 1))
    left = int(rng.integers(0, texture.shape[1] - width + 1))
    return texture[top : top + height, left : left + width]


def occlude(
    face: np.ndarray,
    face_mask: np.ndarray,
    occluders: Sequence[np.ndarray],
    textures: Sequence[np.ndarray],
    rng: np.random.Generator,
    config: OcclusionConfig = OcclusionConfig(),
) -> Occlusion:
    """Places one randomly chosen occluder over the face.

    Args:
        face: uint8 RGB (H, W, 3).
        face_mask: bool (H, W), not empty.
        occluders: RGBA uint8 (h, w, 4) images (alpha = mask), at least one.
        textures: RGB uint8 images (may be empty: no texture replacement).
        rng: the variant's generator (seed it with the face key and variant index).
        config: sampling ranges.

    Returns:
        An `Occlusion` (image, occlusion_mask, face_mask = visible face, parameters).
    """
    if not occluders:
        raise ValueError("need at least one occluder")
    face_mask = np.asarray(face_mask, dtype=bool)
    rows, columns = np.nonzero(face_mask)
    if rows.size == 0:
        raise ValueError("face mask is empty")
    height, width = face_mask.shape
    occluder_index = int(rng.integers(len(occluders)))
    scale = float(rng.uniform(config.min_scale, config.max_scale))
    rotation = float(rng.uniform(-config.max_rotation, config.max_rotation))
    use_texture = bool(textures) and bool(rng.random() < config.texture_probability)
    centre = int(rng.integers(rows.size))
    centre_y, centre_x = int(rows[centre]), int(columns[centre])

    rgba = trim_to_alpha(np.asarray(occluders[occluder_index]))
    extent = max(rows.max() - rows.min() + 1, columns.max() - columns.min() + 1)
    factor = scale * extent / max(rgba.shape[:2])
    size = (max(1, round(rgba.shape[1] * factor)), max(1, round(rgba.shape[0] * factor)))
    patch = Image.fromarray(rgba, "RGBA").resize(size, Image.Resampling.LANCZOS)
    patch = np.asarray(
        patch.rotate(rotation, Image.Resampling.BICUBIC, expand=True, fillcolor=(0, 0, 0, 0))
    )
    patch_rgb, patch_mask = patch[..., :3], patch[..., 3] >= 128
    texture_index = -1
    if use_texture:
        texture_index = int(rng.integers(len(textures)))
        patch_rgb = _texture_patch(np.asarray(textures[texture_index]), *patch_mask.shape, rng)

    occluder_rgb = np.zeros_like(face)
    occlusion_mask = np.zeros((height, width), dtype=bool)
    top, left = centre_y - patch_mask.shape[0] // 2, centre_x - patch_mask.shape[1] // 2
    y0, x0 = max(top, 0), max(left, 0)
    y1, x1 = min(top + patch_mask.shape[0], height), min(left + patch_mask.shape[1], width)
    occluder_rgb[y0:y1, x0:x1] = patch_rgb[y0 - top : y1 - top, x0 - left : x1 - left]
    occlusion_mask[y0:y1, x0:x1] = patch_mask[y0 - top : y1 - top, x0 - left : x1 - left]
    image, visible = composite(face, occluder_rgb, occlusion_mask, face_mask)
    return Occlusion(image, occlusion_mask, visible, occluder_index, texture_index, scale, rotation)
