"""Masked L1 / L2 and the SSIM loss (SSIM checked against scikit-image)."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from skimage.metrics import structural_similarity as skimage_ssim

from tfface.losses import masked_l1_loss, masked_l2_loss, ssim_loss, ssim_map, structural_similarity


def pair(seed: int, shape=(2, 4, 4, 3)) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return (
        rng.uniform(-1, 1, size=shape).astype(np.float32),
        rng.uniform(-1, 1, size=shape).astype(np.float32),
    )


def test_masked_l1_normalises_by_three_times_the_mask_area() -> None:
    predictions, targets = pair(0)
    mask = np.zeros((2, 4, 4, 1), np.float32)
    mask[0, :2, :3] = 1.0  # 6 known pixels
    mask[1, 3, 3] = 1.0  # 1 known pixel
    difference = np.abs(predictions - targets) * mask
    expected_mean = difference.sum(axis=(1, 2, 3)) / (3 * mask.sum(axis=(1, 2, 3)))
    loss = masked_l1_loss(predictions, targets, mask).numpy()
    assert loss.shape == (2,)
    np.testing.assert_allclose(loss, expected_mean, rtol=1e-5)
    area = masked_l1_loss(predictions, targets, mask[..., 0], normalization="area").numpy()
    np.testing.assert_allclose(area, 3 * expected_mean, rtol=1e-5)


def test_masked_l2_and_unmasked_defaults() -> None:
    predictions, targets = pair(1)
    mask = (np.random.default_rng(2).uniform(size=(2, 4, 4, 3)) > 0.5).astype(np.float32)
    expected = ((predictions - targets) ** 2 * mask).sum(axis=(1, 2, 3)) / mask.sum(axis=(1, 2, 3))
    np.testing.assert_allclose(
        masked_l2_loss(predictions, targets, mask).numpy(), expected, rtol=1e-5
    )
    np.testing.assert_allclose(
        masked_l1_loss(predictions, targets).numpy(),
        np.abs(predictions - targets).mean(axis=(1, 2, 3)),
        rtol=1e-5,
    )


def test_empty_mask_costs_zero_with_finite_gradient() -> None:
    predictions, targets = pair(3)
    variable = tf.Variable(predictions)
    with tf.GradientTape() as tape:
        loss = masked_l1_loss(variable, targets, np.zeros((2, 4, 4), np.float32))
    np.testing.assert_array_equal(loss.numpy(), [0.0, 0.0])
    assert np.isfinite(tape.gradient(loss, variable).numpy()).all()


def skimage_reference(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    return np.array(
        [
            skimage_ssim(
                a.astype(np.float64),
                b.astype(np.float64),
                gaussian_weights=True,
                sigma=1.5,
                use_sample_covariance=False,
                data_range=2.0,
                channel_axis=-1,
            )
            for a, b in zip(first, second, strict=True)
        ]
    )


@pytest.mark.parametrize("channels", [1, 3])
def test_ssim_matches_skimage(channels: int) -> None:
    rng = np.random.default_rng(4)
    first = rng.uniform(-1, 1, size=(3, 24, 20, channels)).astype(np.float32)
    noise = rng.normal(scale=[[[[0.05]]], [[[0.3]]], [[[1.0]]]], size=first.shape)
    second = np.clip(first + noise, -1, 1).astype(np.float32)
    expected = skimage_reference(first, second)
    np.testing.assert_allclose(structural_similarity(first, second).numpy(), expected, atol=2e-5)
    loss = ssim_loss(first, second).numpy()
    assert loss.shape == (3,)
    np.testing.assert_allclose(loss, 1.0 - expected, atol=2e-5)
    assert ssim_map(first, second).shape == (3, 14, 10, channels)


def test_ssim_loss_of_identical_images_is_zero_with_finite_gradient() -> None:
    images, _ = pair(5, (1, 16, 16, 3))
    variable = tf.Variable(images)
    with tf.GradientTape() as tape:
        loss = ssim_loss(variable, images)
    np.testing.assert_allclose(loss.numpy(), [0.0], atol=1e-5)
    assert np.isfinite(tape.gradient(loss, variable).numpy()).all()


def test_masked_and_hard_example_ssim_loss() -> None:
    first, second = pair(6, (2, 16, 16, 3))
    full_mask = np.ones((2, 16, 16, 1), np.float32)
    np.testing.assert_allclose(
        ssim_loss(first, second, full_mask).numpy(), ssim_loss(first, second).numpy(), rtol=1e-5
    )
    per_position = 1.0 - ssim_map(first, second).numpy()  # (2, 6, 6, 3)
    mask = np.zeros((2, 16, 16), np.float32)
    mask[:, 5:8, 5:9] = 1.0  # cropped by 5: rows 0..2, columns 0..3 of the valid map
    masked_map = 1.0 - ssim_map(first * mask[..., None], second * mask[..., None]).numpy()
    expected = masked_map[:, 0:3, 0:4].mean(axis=(1, 2, 3))
    np.testing.assert_allclose(ssim_loss(first, second, mask).numpy(), expected, rtol=1e-5)
    hard = ssim_loss(first, second, hard_fraction=0.1).numpy()
    flat = np.sort(per_position.reshape(2, -1), axis=1)[:, ::-1]
    kept = int(np.ceil(0.1 * flat.shape[1]))
    np.testing.assert_allclose(hard, flat[:, :kept].mean(axis=1), rtol=1e-5)


def test_bad_inputs_raise_value_error() -> None:
    small, _ = pair(7, (1, 8, 8, 3))
    with pytest.raises(ValueError, match="at least 11 x 11"):
        ssim_loss(small, small)
    predictions, targets = pair(8)
    with pytest.raises(ValueError, match="channels"):
        masked_l1_loss(predictions, targets, np.ones((2, 4, 4, 2), np.float32))
    with pytest.raises(ValueError, match="same"):
        masked_l1_loss(predictions, targets, np.ones((2, 5, 4, 1), np.float32))
    with pytest.raises(ValueError, match="normalization"):
        masked_l2_loss(predictions, targets, normalization="sum")
    with pytest.raises(ValueError, match="same shape"):
        masked_l2_loss(predictions, targets[:, :3])
