"""Gamma alteration of the paired augmentation against NumPy's power."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tfface.data.augment import (
    AugmentConfig,
    augment_label_maps,
    draw_transforms,
    to_unit_range,
)


def numpy_gamma(images: np.ndarray, gammas: np.ndarray) -> np.ndarray:
    unit = images.astype(np.float64) / 255.0
    return np.power(unit, gammas[:, None, None, None]) * 2.0 - 1.0


@pytest.mark.parametrize(
    "gammas",
    [
        [0.98, 1.02, 1.0, 0.99],  # the NIR thesis range: the series
        [0.971, 1.029, 1.0, 1.0],  # near the series' limit
        [0.5, 2.2, 1.0, 0.98],  # far from 1: the exact power for the batch
    ],
)
def test_gamma_matches_numpy_power_for_every_level(gammas: list[float]) -> None:
    levels = np.arange(256, dtype=np.uint8).reshape(1, 16, 16, 1)
    images = np.concatenate([levels] * 4, axis=0)  # every uint8 level in each example
    gammas = np.array(gammas, np.float32)
    got = to_unit_range(tf.constant(images), tf.constant(gammas)).numpy()
    np.testing.assert_allclose(got, numpy_gamma(images, gammas), rtol=0, atol=1e-6)
    assert got.min() >= -1.0 and got.max() <= 1.0


def test_without_gamma_is_the_plain_conversion() -> None:
    images = np.arange(256, dtype=np.uint8).reshape(1, 16, 16, 1)
    got = to_unit_range(tf.constant(images)).numpy()
    np.testing.assert_allclose(got, images / 127.5 - 1.0, atol=1e-6)


def test_label_maps_keep_their_dtype_and_values() -> None:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 11, (4, 32, 32)).astype(np.uint8)
    transforms = draw_transforms(
        AugmentConfig(), tf.constant([[0, index] for index in range(4)], tf.int64), 32, 32
    )
    warped = augment_label_maps(tf.constant(labels), transforms, 11)
    assert warped.dtype == tf.uint8
    assert set(np.unique(warped.numpy())) <= set(range(11))
