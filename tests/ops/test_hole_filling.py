"""nearest_fill against a brute-force NumPy nearest-neighbour search."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tfface.ops import forward_warp, nearest_fill


def brute_force_distances(mask: np.ndarray) -> np.ndarray:
    """Squared Euclidean distance of every pixel to the nearest valid one; (B, H, W)."""
    batch, height, width = mask.shape[:3]
    distances = np.full((batch, height, width), np.inf)
    for b in range(batch):
        valid = np.argwhere(mask[b, ..., 0] > 0)
        if len(valid) == 0:
            continue
        for p, q in np.ndindex(height, width):
            distances[b, p, q] = ((valid - [p, q]) ** 2).sum(axis=1).min()
    return distances


def check_nearest(filled: np.ndarray, mask: np.ndarray) -> None:
    """Every output pixel holds the index of an input pixel at the minimal distance.

    The image encodes each pixel's (row, column) in its channels, so ties between several
    equally near pixels are accepted whichever one is chosen.
    """
    distances = brute_force_distances(mask)
    batch, height, width = mask.shape[:3]
    for b, p, q in np.ndindex(batch, height, width):
        row, column = filled[b, p, q]
        if np.isinf(distances[b, p, q]):
            assert (row, column) == (p, q)  # no valid pixel: unchanged
            continue
        assert mask[b, int(row), int(column), 0] > 0
        assert (row - p) ** 2 + (column - q) ** 2 == distances[b, p, q], (b, p, q)


def coordinate_image(batch: int, height: int, width: int) -> np.ndarray:
    rows, columns = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
    return np.broadcast_to(np.stack([rows, columns], -1), (batch, height, width, 2)).astype(
        np.float32
    )


@pytest.mark.parametrize(
    ("shape", "density"), [((3, 9, 13), 0.15), ((2, 16, 5), 0.02), ((1, 12, 12), 0.6)]
)
def test_matches_brute_force(shape: tuple, density: float) -> None:
    rng = np.random.default_rng(int(density * 100))
    mask = (rng.random((*shape, 1)) < density).astype(np.float32)
    mask[0, 0, 0] = 1.0  # at least one valid pixel in the first image
    filled = nearest_fill(coordinate_image(*shape), mask).numpy()
    check_nearest(filled, mask)


def test_large_holes_and_empty_image() -> None:
    mask = np.zeros((3, 20, 24, 1), np.float32)
    mask[0, 19, 23] = 1.0  # a single valid pixel in a corner
    mask[1, 5:8, 10:12] = 1.0  # a small block
    # image 2 has no valid pixel at all and is returned unchanged
    image = coordinate_image(3, 20, 24)
    filled = nearest_fill(image, mask).numpy()
    check_nearest(filled, mask)
    np.testing.assert_array_equal(filled[2], image[2])


def test_ties_go_to_the_first_pixel_in_row_major_order() -> None:
    mask = np.zeros((1, 3, 3, 1), np.float32)
    mask[0, 0, 1] = mask[0, 1, 0] = mask[0, 1, 2] = mask[0, 2, 1] = 1.0  # a ring around (1, 1)
    filled = nearest_fill(coordinate_image(1, 3, 3), mask).numpy()
    np.testing.assert_array_equal(filled[0, 1, 1], [0, 1])  # all four at distance 1
    np.testing.assert_array_equal(filled[0, 2, 2], [1, 2])  # (1, 2) before (2, 1)


def test_valid_pixels_are_unchanged_and_values_are_copied() -> None:
    rng = np.random.default_rng(1)
    image = rng.normal(size=(2, 7, 6, 3)).astype(np.float32)
    mask = (rng.random((2, 7, 6, 1)) < 0.3).astype(np.float32)
    filled = nearest_fill(image, mask).numpy()
    np.testing.assert_array_equal(filled[mask[..., 0] > 0], image[mask[..., 0] > 0])
    pixels = image.reshape(-1, 3)
    for value in filled.reshape(-1, 3):  # every output is some input pixel's value
        assert np.any(np.all(pixels == value, axis=1))


def test_xla_and_dynamic_shapes_agree() -> None:
    rng = np.random.default_rng(2)
    mask = (rng.random((2, 10, 7, 1)) < 0.1).astype(np.float32)
    image = coordinate_image(2, 10, 7)
    expected = nearest_fill(image, mask)
    compiled = tf.function(nearest_fill, jit_compile=True)
    np.testing.assert_array_equal(compiled(image, mask), expected)
    spec = tf.TensorSpec([None, None, None, None], tf.float32)
    dynamic = tf.function(nearest_fill, input_signature=[spec, spec])
    np.testing.assert_array_equal(dynamic(image, mask), expected)


def test_fills_forward_warp_holes_with_gradient() -> None:
    rng = np.random.default_rng(3)
    image = tf.constant(rng.normal(size=(1, 8, 8, 3)), tf.float32)
    flow = tf.constant(rng.normal(size=(1, 8, 8, 2)) * 3, tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(image)
        warped, mask = forward_warp(image, flow)
        filled = nearest_fill(warped, mask)
        total = tf.reduce_sum(filled)
    assert float(tf.reduce_min(mask)) == 0.0  # there are holes
    gradient = tape.gradient(total, image)
    assert gradient is not None and np.all(np.isfinite(gradient))


@pytest.mark.parametrize(
    ("image_shape", "mask_shape", "message"),
    [
        ((4, 4, 3), (1, 4, 4, 1), "image must have rank 4"),
        ((1, 4, 4, 3), (1, 4, 4), "mask must have shape"),
        ((1, 4, 4, 3), (1, 4, 4, 2), "mask must have shape"),
        ((1, 4, 4, 3), (1, 4, 5, 1), "same batch, height and width"),
    ],
)
def test_bad_inputs_raise_value_error(image_shape, mask_shape, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        nearest_fill(tf.zeros(image_shape), tf.zeros(mask_shape))
