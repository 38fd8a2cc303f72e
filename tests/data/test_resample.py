"""The reader's XLA resampling equals TF's ImageProjectiveTransformV3 (constant fill)."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tfface.data.augment import AugmentConfig, draw_transforms
from tfface.data.resample import bilinear_resample, nearest_resample


def kernel_reference(
    images: np.ndarray, matrices: np.ndarray, interpolation: str, fill_value: float
) -> np.ndarray:
    return tf.raw_ops.ImageProjectiveTransformV3(
        images=tf.constant(images),
        transforms=tf.constant(matrices, tf.float32),
        output_shape=tf.constant(images.shape[1:3], tf.int32),
        fill_value=fill_value,
        interpolation=interpolation,
        fill_mode="CONSTANT",
    ).numpy()


def make_matrices(batch: int, height: int, width: int, seed: int) -> np.ndarray:
    """Drawn augmentations plus hand-made cases: identity, half-pixel shifts (rounding ties),
    far outside, a flip, and a projective row whose projection reaches 0 inside the image."""
    config = AugmentConfig(
        scale_probability=1, shift_probability=1, rotation_probability=1, flip_probability=0.5
    )
    seeds = tf.constant([[seed, index] for index in range(batch)], tf.int64)
    drawn = draw_transforms(config, seeds, height, width).matrices.numpy()
    special = np.array(
        [
            [1, 0, 0, 0, 1, 0, 0, 0],
            [1, 0, 0.5, 0, 1, -0.5, 0, 0],
            [1, 0, 2.5, 0, 1, 1.5, 0, 0],
            [1, 0, 3 * width, 0, 1, 0, 0, 0],
            [-1, 0, width - 1, 0, 1, 0, 0, 0],
            [1, 0.1, 0, 0.05, 1, 0, -0.5, 0.01],
        ],
        np.float32,
    )
    return np.concatenate([drawn, special]).astype(np.float32)


@pytest.mark.parametrize(("height", "width", "channels"), [(32, 32, 3), (17, 29, 1), (8, 40, 4)])
def test_bilinear_equals_the_kernel(height: int, width: int, channels: int) -> None:
    matrices = make_matrices(6, height, width, seed=height)
    rng = np.random.default_rng(height)
    images = rng.uniform(-1, 1, (len(matrices), height, width, channels)).astype(np.float32)
    for fill_value in (-1.0, 0.0, 0.25):
        got = bilinear_resample(images, matrices, fill_value).numpy()
        expected = kernel_reference(images, matrices, "BILINEAR", fill_value)
        np.testing.assert_allclose(got, expected, rtol=0, atol=2e-6)


@pytest.mark.parametrize("dtype", [np.uint8, np.int32, np.float32])
def test_nearest_equals_the_kernel_exactly(dtype: type) -> None:
    height, width = 23, 31
    matrices = make_matrices(8, height, width, seed=7)
    rng = np.random.default_rng(3)
    images = rng.integers(0, 19, (len(matrices), height, width, 2)).astype(dtype)
    for fill_value in (0, 5):
        got = nearest_resample(images, matrices, fill_value).numpy()
        assert got.dtype == dtype
        expected = kernel_reference(images, matrices, "NEAREST", fill_value)
        np.testing.assert_array_equal(got, expected)


def test_identity_is_exact_and_shapes_recompile() -> None:
    identity = np.array([[1, 0, 0, 0, 1, 0, 0, 0]], np.float32)
    for shape in [(1, 5, 7, 3), (1, 64, 48, 1)]:
        images = np.random.default_rng(0).uniform(-1, 1, shape).astype(np.float32)
        np.testing.assert_array_equal(bilinear_resample(images, identity, -1.0).numpy(), images)
        np.testing.assert_array_equal(nearest_resample(images, identity, 0.0).numpy(), images)


def test_runs_inside_a_tf_data_map() -> None:
    images = np.random.default_rng(1).uniform(-1, 1, (2, 16, 16, 3)).astype(np.float32)
    matrices = make_matrices(2, 16, 16, seed=0)[:2]
    dataset = tf.data.Dataset.from_tensors(images).map(
        lambda batch: bilinear_resample(batch, matrices, -1.0)
    )
    np.testing.assert_allclose(
        next(iter(dataset)).numpy(),
        kernel_reference(images, matrices, "BILINEAR", -1.0),
        atol=2e-6,
    )
