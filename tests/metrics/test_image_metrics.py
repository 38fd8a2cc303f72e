"""SSIM / MS-SSIM / PSNR / MSE / L1 against scikit-image, NumPy and tf.image; masks."""

from __future__ import annotations

import numpy as np
import pytest
import skimage.data
import tensorflow as tf
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from tfface.metrics.pixel_errors import l1, mse, psnr
from tfface.metrics.structural_similarity import ms_ssim, ssim


def noisy_pair(seed: int, image: np.ndarray, noise: int = 25) -> tuple[np.ndarray, np.ndarray]:
    generator = np.random.default_rng(seed)
    other = np.clip(image.astype(int) + generator.integers(-noise, noise + 1, image.shape), 0, 255)
    return image, other.astype(np.uint8)


def skimage_ssim(first: np.ndarray, second: np.ndarray, data_range: float) -> float:
    return structural_similarity(
        first,
        second,
        gaussian_weights=True,
        sigma=1.5,
        use_sample_covariance=False,
        data_range=data_range,
        channel_axis=-1,
    )


def real_and_random_pairs() -> list[tuple[np.ndarray, np.ndarray]]:
    generator = np.random.default_rng(0)
    random_images = generator.integers(0, 256, (2, 40, 56, 3), dtype=np.uint8)
    return [
        noisy_pair(1, skimage.data.astronaut()[::4, ::4]),
        noisy_pair(2, skimage.data.chelsea()[::3, ::3], noise=60),
        (random_images[0], random_images[1]),
    ]


@pytest.mark.parametrize("index", range(3))
def test_ssim_and_psnr_agree_with_skimage(index: int) -> None:
    first, second = real_and_random_pairs()[index]
    expected_ssim = skimage_ssim(first, second, 255)
    expected_psnr = peak_signal_noise_ratio(first, second, data_range=255)
    assert ssim(first[None], second[None])[0].numpy() == pytest.approx(expected_ssim, abs=1e-6)
    assert psnr(first[None], second[None])[0].numpy() == pytest.approx(expected_psnr, abs=1e-6)
    # The same images in tfface's model range, stated explicitly.
    model_first = first[None].astype(np.float32) / 127.5 - 1.0
    model_second = second[None].astype(np.float32) / 127.5 - 1.0
    value = ssim(model_first, model_second, value_range=(-1, 1))[0].numpy()
    assert value == pytest.approx(expected_ssim, abs=1e-5)
    float_images = (first.astype(np.float64) / 255.0, second.astype(np.float64) / 255.0)
    assert value == pytest.approx(skimage_ssim(*float_images, 1.0), abs=1e-5)


def test_mse_l1_per_example_match_numpy_in_unit_range() -> None:
    generator = np.random.default_rng(3)
    first = generator.integers(0, 256, (3, 20, 24, 3), dtype=np.uint8)
    second = generator.integers(0, 256, (3, 20, 24, 3), dtype=np.uint8)
    difference = (first.astype(np.float64) - second) / 255.0
    np.testing.assert_allclose(mse(first, second).numpy(), np.mean(difference**2, axis=(1, 2, 3)))
    np.testing.assert_allclose(
        l1(first, second).numpy(), np.mean(np.abs(difference), axis=(1, 2, 3))
    )
    assert np.isinf(psnr(first, first).numpy()).all()


def test_ms_ssim_matches_tf_image_ssim_multiscale() -> None:
    first, second = noisy_pair(4, skimage.data.astronaut()[:192, :192], noise=40)
    expected = tf.image.ssim_multiscale(
        first[None].astype(np.float32), second[None].astype(np.float32), max_val=255.0
    )
    assert ms_ssim(first[None], second[None])[0].numpy() == pytest.approx(
        float(expected[0]), abs=1e-5
    )
    with pytest.raises(ValueError, match="176"):
        ms_ssim(first[None, :100, :100], second[None, :100, :100])


def test_masked_metrics_equal_unmasked_on_a_full_mask() -> None:
    first, second = noisy_pair(5, skimage.data.astronaut()[:192, :192], noise=40)
    batch_first = np.stack([first, second])
    batch_second = np.stack([second, first[::-1]])
    full = np.ones((2, 192, 192), np.uint8)
    for function in (ssim, ms_ssim, psnr, mse, l1):
        np.testing.assert_allclose(
            function(batch_first, batch_second, mask=full).numpy(),
            function(batch_first, batch_second).numpy(),
            rtol=1e-12,
            err_msg=function.__name__,
        )


def test_masked_metrics_cover_only_the_region() -> None:
    generator = np.random.default_rng(6)
    first = generator.integers(0, 256, (2, 32, 32, 3), dtype=np.uint8)
    second = first.copy()
    second[:, 8:20, 10:24] = generator.integers(0, 256, (2, 12, 14, 3), dtype=np.uint8)
    hole = np.zeros((2, 32, 32, 1), np.float32)
    hole[:, 8:20, 10:24] = 1.0
    outside = 1.0 - hole
    difference = (first.astype(np.float64) - second) / 255.0
    expected = np.abs(difference[:, 8:20, 10:24]).mean(axis=(1, 2, 3))
    np.testing.assert_allclose(l1(first, second, mask=hole).numpy(), expected)
    assert np.all(mse(first, second, mask=outside).numpy() == 0.0)
    assert np.all(ssim(first, second, mask=outside).numpy() < 1.0)  # windows straddle the hole
    assert np.all(ssim(first, second, mask=hole).numpy() < ssim(first, second).numpy())
    empty = np.zeros((2, 32, 32), np.uint8)
    assert np.isnan(l1(first, second, mask=empty).numpy()).all()
