"""Occluder compositing: the ground-truth equations, determinism and placement."""

from __future__ import annotations

import numpy as np
import pytest

from tfface.data.occlusion import OcclusionConfig, composite, occlude, trim_to_alpha


def disc_occluder(size: int = 20, colour=(250, 10, 10)) -> np.ndarray:
    ys, xs = np.mgrid[0:size, 0:size]
    rgba = np.zeros((size, size, 4), np.uint8)
    rgba[..., :3] = colour
    rgba[..., 3] = np.where(
        (ys - size / 2 + 0.5) ** 2 + (xs - size / 2 + 0.5) ** 2 <= (size / 2 - 1) ** 2, 255, 0
    )
    return rgba


def face_and_mask() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    face = rng.integers(0, 256, size=(48, 48, 3), dtype=np.uint8)
    mask = np.zeros((48, 48), bool)
    mask[12:40, 14:34] = True
    return face, mask


def test_composite_equations() -> None:
    face, face_mask = face_and_mask()
    occluder = np.full_like(face, 7)
    occlusion = np.zeros((48, 48), bool)
    occlusion[5:20, 5:20] = True
    image, visible = composite(face, occluder, occlusion, face_mask)
    m = occlusion[..., None].astype(np.int64)
    np.testing.assert_array_equal(image, face * (1 - m) + occluder * m)
    np.testing.assert_array_equal(visible, face_mask & ~occlusion)


@pytest.mark.parametrize("seed", range(4))
def test_occlude_is_consistent_and_deterministic(seed: int) -> None:
    face, face_mask = face_and_mask()
    textures = [np.full((8, 8, 3), 33, np.uint8)]
    config = OcclusionConfig(texture_probability=0.5)
    first = occlude(
        face, face_mask, [disc_occluder()], textures, np.random.default_rng([seed, 1]), config
    )
    again = occlude(
        face, face_mask, [disc_occluder()], textures, np.random.default_rng([seed, 1]), config
    )
    np.testing.assert_array_equal(first.image, again.image)
    # centred on a face pixel, so it covers some face
    assert first.occlusion_mask.any() and (first.occlusion_mask & face_mask).any()
    np.testing.assert_array_equal(first.image[~first.occlusion_mask], face[~first.occlusion_mask])
    colour = (33, 33, 33) if first.texture_index == 0 else (250, 10, 10)
    assert (
        np.abs(first.image[first.occlusion_mask].astype(int) - colour) <= 6
    ).all()  # resampling ringing
    np.testing.assert_array_equal(first.face_mask, face_mask & ~first.occlusion_mask)
    extent = 28  # face box is 28 x 20
    side = (
        max(
            np.ptp(np.nonzero(first.occlusion_mask)[0]), np.ptp(np.nonzero(first.occlusion_mask)[1])
        )
        + 1
    )
    assert side <= first.scale * extent * np.sqrt(2) + 2


def test_texture_always_and_never() -> None:
    face, face_mask = face_and_mask()
    textures = [np.full((4, 4, 3), 99, np.uint8)]
    always = occlude(
        face,
        face_mask,
        [disc_occluder()],
        textures,
        np.random.default_rng(3),
        OcclusionConfig(texture_probability=1.0),
    )
    assert always.texture_index == 0 and (always.image[always.occlusion_mask] == 99).all()
    never = occlude(
        face,
        face_mask,
        [disc_occluder()],
        textures,
        np.random.default_rng(3),
        OcclusionConfig(texture_probability=0.0),
    )
    assert never.texture_index == -1


def test_errors() -> None:
    face, face_mask = face_and_mask()
    with pytest.raises(ValueError, match="empty"):
        occlude(face, np.zeros_like(face_mask), [disc_occluder()], [], np.random.default_rng(0))
    with pytest.raises(ValueError, match="transparent"):
        trim_to_alpha(np.zeros((4, 4, 4), np.uint8))
    with pytest.raises(ValueError, match="min_scale"):
        OcclusionConfig(min_scale=0.0)
