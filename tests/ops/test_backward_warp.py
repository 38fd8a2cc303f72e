"""backward_warp and grid_sample (Sevastopolskiy 2019, eqs. 3.1-3.3) against scipy and finite differences."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from scipy import ndimage

from tfface.ops import backward_warp, grid_sample, grids, sample_pixels

# scipy's order-1 modes: "grid-constant" interpolates with zeros outside the image (our
# "zeros"), "nearest" repeats the edge pixels (our "border").
SCIPY_MODES = {"zeros": "grid-constant", "border": "nearest"}


def reference_sample(image: np.ndarray, x: np.ndarray, y: np.ndarray, padding: str) -> np.ndarray:
    """scipy.ndimage.map_coordinates(order=1) per image and channel; x, y (B, H', W')."""
    return np.stack(
        [
            np.stack(
                [
                    ndimage.map_coordinates(
                        image[b, ..., c], [y[b], x[b]], order=1, mode=SCIPY_MODES[padding], cval=0.0
                    )
                    for c in range(image.shape[-1])
                ],
                axis=-1,
            )
            for b in range(image.shape[0])
        ]
    )


def pixel_grid(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    rows, columns = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
    return columns.astype(np.float64), rows.astype(np.float64)


@pytest.mark.parametrize("padding", ["zeros", "border"])
@pytest.mark.parametrize("shape", [(2, 5, 7, 3), (1, 8, 3, 1), (3, 4, 4, 2)])
def test_backward_warp_matches_map_coordinates(shape: tuple, padding: str) -> None:
    rng = np.random.default_rng(sum(shape))
    image = rng.normal(size=shape)
    flow = rng.normal(size=(*shape[:3], 2)) * 3.0  # many samples fall outside
    columns, rows = pixel_grid(*shape[1:3])
    expected = reference_sample(image, columns + flow[..., 0], rows + flow[..., 1], padding)
    np.testing.assert_allclose(backward_warp(image, flow, padding=padding), expected, atol=1e-12)


@pytest.mark.parametrize("padding", ["zeros", "border"])
def test_grid_sample_matches_map_coordinates_other_output_size(padding: str) -> None:
    rng = np.random.default_rng(4)
    image = rng.normal(size=(2, 6, 9, 2))
    grid = rng.uniform(-1.3, 1.3, size=(2, 4, 11, 2))  # output 4 x 11 from a 6 x 9 image
    x = (grid[..., 0] + 1) / 2 * (9 - 1)
    y = (grid[..., 1] + 1) / 2 * (6 - 1)
    expected = reference_sample(image, x, y, padding)
    np.testing.assert_allclose(grid_sample(image, grid, padding=padding), expected, atol=1e-12)
    coordinates = np.stack([x, y], axis=-1)
    np.testing.assert_allclose(sample_pixels(image, coordinates, padding), expected, atol=1e-12)


def test_grid_sample_of_flow_grid_equals_backward_warp() -> None:
    rng = np.random.default_rng(5)
    image = rng.normal(size=(2, 5, 8, 3))
    flow = rng.normal(size=(2, 5, 8, 2)) * 2
    np.testing.assert_allclose(
        grid_sample(image, grids.flow_to_grid(flow)), backward_warp(image, flow), atol=1e-12
    )


@pytest.mark.parametrize("padding", ["zeros", "border"])
def test_zero_flow_identity_and_integer_shift(padding: str) -> None:
    image = np.random.default_rng(6).normal(size=(2, 5, 6, 3)).astype(np.float32)
    np.testing.assert_array_equal(backward_warp(image, np.zeros((2, 5, 6, 2)), padding), image)
    flow = np.zeros((2, 5, 6, 2), np.float32)
    flow[..., 0], flow[..., 1] = -2.0, 1.0  # out[p, q] = image[p + 1, q - 2]
    shifted = backward_warp(image, flow, padding).numpy()
    np.testing.assert_array_equal(shifted[:, :4, 2:], image[:, 1:, :4])
    if padding == "zeros":
        assert not shifted[:, 4:].any() and not shifted[:, :, :2].any()
    else:
        np.testing.assert_array_equal(shifted[:, :4, 0], image[:, 1:, 0])
    identity = grid_sample(
        image, np.broadcast_to(grids.mesh_grid(5, 6, normalized=True), (2, 5, 6, 2))
    )
    np.testing.assert_allclose(identity, image, atol=1e-6)


@pytest.mark.parametrize(
    "case", ["zeros_interior", "zeros_borders", "border_borders", "near_integer", "grid"]
)
def test_gradients_match_central_differences(case: str, numerical_gradient) -> None:
    rng = np.random.default_rng(len(case))
    image = rng.normal(size=(2, 4, 5, 3))
    padding = "border" if case.startswith("border") else "zeros"
    if case.endswith("borders"):
        # samples straddle the image edges or lie outside, never on an integer
        columns, rows = pixel_grid(4, 5)
        x = rng.choice([-0.7, -0.3, 0.4, 4.2, 3.6, 4.6, -1.3, 5.5], size=(2, 4, 5))
        y = rng.choice([-0.6, -0.2, 0.3, 3.3, 2.7, 3.8, -1.6, 4.4], size=(2, 4, 5))
        flow = np.stack([x - columns, y - rows], axis=-1)
    elif case == "near_integer":
        flow = rng.integers(-1, 2, size=(2, 4, 5, 2)) + rng.choice([1e-3, -1e-3], size=(2, 4, 5, 2))
    else:
        whole = rng.integers(-1, 2, size=(2, 4, 5, 2))
        flow = whole + rng.uniform(0.1, 0.9, size=(2, 4, 5, 2))
    weights = rng.normal(size=image.shape)

    def warp(image_value: tf.Tensor, flow_value: tf.Tensor) -> tf.Tensor:
        if case == "grid":
            return grid_sample(image_value, grids.flow_to_grid(flow_value), padding)
        return backward_warp(image_value, flow_value, padding)

    graph_loss = tf.function(lambda i, f: tf.reduce_sum(warp(i, f) * weights))

    def loss(image_value: np.ndarray, flow_value: np.ndarray) -> float:
        return float(graph_loss(tf.constant(image_value), tf.constant(flow_value)))

    image_tensor, flow_tensor = tf.constant(image), tf.constant(flow)
    with tf.GradientTape() as tape:
        tape.watch([image_tensor, flow_tensor])
        total = tf.reduce_sum(warp(image_tensor, flow_tensor) * weights)
    image_gradient, flow_gradient = tape.gradient(total, [image_tensor, flow_tensor])
    expected_image = numerical_gradient(lambda value: loss(value, flow), image)
    expected_flow = numerical_gradient(lambda value: loss(image, value), flow)
    np.testing.assert_allclose(image_gradient, expected_image, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(flow_gradient, expected_flow, rtol=1e-6, atol=1e-7)
    assert np.abs(flow_gradient).max() > 0.1


def test_grid_gradient_goes_through_the_normalisation(numerical_gradient) -> None:
    rng = np.random.default_rng(8)
    image = rng.normal(size=(1, 5, 7, 2))
    grid = rng.uniform(-0.95, 0.95, size=(1, 3, 4, 2))
    weights = rng.normal(size=(1, 3, 4, 2))
    graph_loss = tf.function(lambda g: tf.reduce_sum(grid_sample(image, g) * weights))
    grid_tensor = tf.constant(grid)
    with tf.GradientTape() as tape:
        tape.watch(grid_tensor)
        total = graph_loss(grid_tensor)
    expected = numerical_gradient(lambda value: float(graph_loss(tf.constant(value))), grid)
    np.testing.assert_allclose(tape.gradient(total, grid_tensor), expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("dtype", [tf.float16, tf.bfloat16])
def test_half_precision(dtype: tf.DType) -> None:
    rng = np.random.default_rng(9)
    image = tf.cast(rng.uniform(-1, 1, size=(2, 6, 9, 3)), dtype)
    flow = tf.cast(rng.normal(size=(2, 6, 9, 2)) * 2, dtype)
    with tf.GradientTape() as tape:
        tape.watch([image, flow])
        warped = backward_warp(image, flow)
        total = tf.reduce_sum(tf.cast(warped, tf.float32))
    image_gradient, flow_gradient = tape.gradient(total, [image, flow])
    assert warped.dtype == dtype
    assert image_gradient.dtype == dtype and flow_gradient.dtype == dtype
    expected = backward_warp(tf.cast(image, tf.float64), tf.cast(flow, tf.float64))
    np.testing.assert_allclose(tf.cast(warped, tf.float64), expected, atol=2e-2)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: backward_warp(tf.zeros((4, 4, 3)), tf.zeros((1, 4, 4, 2))),
            "image must have rank 4",
        ),
        (
            lambda: backward_warp(tf.zeros((1, 4, 4, 3)), tf.zeros((1, 4, 4))),
            "flow must have rank 4",
        ),
        (lambda: backward_warp(tf.zeros((1, 4, 4, 3)), tf.zeros((1, 4, 4, 1))), "2 channels"),
        (lambda: backward_warp(tf.zeros((1, 4, 4, 3)), tf.zeros((1, 4, 3, 2))), "same width"),
        (
            lambda: backward_warp(tf.zeros((1, 4, 4, 3)), tf.zeros((1, 4, 4, 2)), "reflect"),
            "padding",
        ),
        (lambda: grid_sample(tf.zeros((1, 4, 4, 3)), tf.zeros((1, 2, 2, 2)), "wrap"), "padding"),
        (lambda: grid_sample(tf.zeros((2, 4, 4, 3)), tf.zeros((1, 2, 2, 2))), "same batch size"),
        (lambda: grid_sample(tf.zeros((1, 4, 4, 3)), tf.zeros((1, 2, 2, 3))), "grid must have 2"),
    ],
)
def test_bad_inputs_raise_value_error(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
