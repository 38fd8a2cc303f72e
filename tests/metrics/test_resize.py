"""The TF antialiased bicubic resize against PIL on real photos (the clean-fid protocol).

Tolerances: against PIL's float ('F' mode) resize, which clean-fid uses, 0.01 of a
level (float32 round-off; measured ~1e-4); against PIL's 8-bit RGB resize (rounding
between the passes, 22-bit fixed-point taps), 1 level, on fewer than 0.1% of pixels.
"""

from __future__ import annotations

import numpy as np
import pytest
import skimage.data
from PIL import Image

from tfface.metrics.inception import clean_resize
from tfface.metrics.resize import resampling_matrix, resize_bicubic_antialiased

PHOTOS = ("astronaut", "chelsea", "coffee")
SIZES = ((299, 299), (128, 97), (600, 700))  # down, anisotropic down, up


def pil_float_resize(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    channels = [
        np.asarray(
            Image.fromarray(image[..., channel].astype(np.float32), mode="F").resize(
                (size[1], size[0]), Image.Resampling.BICUBIC
            )
        )
        for channel in range(image.shape[-1])
    ]
    return np.stack(channels, axis=-1)


@pytest.mark.parametrize("name", PHOTOS)
@pytest.mark.parametrize("size", SIZES)
def test_float_resize_matches_pil(name: str, size: tuple[int, int]) -> None:
    photo = getattr(skimage.data, name)()
    ours = resize_bicubic_antialiased(photo[None].astype(np.float32), size)[0].numpy()
    assert ours.shape == (*size, 3)
    assert np.abs(ours - pil_float_resize(photo, size)).max() < 0.01


@pytest.mark.parametrize("name", PHOTOS)
def test_uint8_resize_matches_pil_rgb(name: str) -> None:
    photo = getattr(skimage.data, name)()
    for size in SIZES:
        expected = np.asarray(
            Image.fromarray(photo).resize((size[1], size[0]), Image.Resampling.BICUBIC)
        ).astype(np.float32)
        ours = resize_bicubic_antialiased(photo[None].astype(np.float32), size, mode="uint8")[0]
        difference = np.abs(ours.numpy() - expected)
        assert difference.max() <= 1.0
        assert np.mean(difference > 0) < 1e-3


def test_resampling_matrix_rows_sum_to_one_and_support_widens_when_shrinking() -> None:
    for input_size, output_size in ((512, 299), (64, 299), (300, 300)):
        matrix = resampling_matrix(input_size, output_size)
        np.testing.assert_allclose(matrix.sum(axis=1), 1.0, atol=1e-12)
    taps = np.count_nonzero(resampling_matrix(1024, 128)[64])
    assert taps >= 4 * 1024 // 128 - 2  # antialiased: support scaled by the factor 8
    np.testing.assert_allclose(resampling_matrix(50, 50), np.eye(50), atol=1e-12)


def test_clean_resize_maps_ranges_and_clips() -> None:
    photo = skimage.data.chelsea()[None]
    from_uint8 = clean_resize(photo, 299).numpy()
    from_model_range = clean_resize(photo.astype(np.float32) / 127.5 - 1.0, 299).numpy()
    assert from_uint8.min() >= -1.0 and from_uint8.max() <= 1.0
    np.testing.assert_allclose(from_uint8, from_model_range, atol=1e-5)
    expected = np.clip(pil_float_resize(photo[0], (299, 299)), 0, 255) / 127.5 - 1.0
    assert np.abs(from_uint8[0] - expected).max() < 1e-4
