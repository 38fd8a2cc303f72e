"""Grid conversions: offsets <-> pixel coordinates <-> normalised [-1, 1] (align corners)."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tfface.ops import grids


@pytest.mark.parametrize(("height", "width"), [(3, 5), (6, 2), (4, 4)])
def test_mesh_grid_pixels_and_normalized(height: int, width: int) -> None:
    pixels = grids.mesh_grid(height, width).numpy()
    assert pixels.shape == (height, width, 2)
    np.testing.assert_array_equal(pixels[2, 1], [1.0, 2.0])  # x = column 1, y = row 2
    normalized = grids.mesh_grid(height, width, normalized=True).numpy()
    np.testing.assert_allclose(normalized[0, 0], [-1.0, -1.0])
    np.testing.assert_allclose(normalized[-1, -1], [1.0, 1.0])
    np.testing.assert_allclose(normalized[0, :, 0], np.linspace(-1, 1, width), atol=1e-7)
    np.testing.assert_allclose(normalized[:, 0, 1], np.linspace(-1, 1, height), atol=1e-7)


def test_round_trips_non_square() -> None:
    rng = np.random.default_rng(0)
    flow = tf.constant(rng.normal(size=(2, 3, 7, 2)) * 4.0)  # float64
    coordinates = grids.offsets_to_coordinates(flow)
    np.testing.assert_allclose(coordinates[1, 2, 5], flow[1, 2, 5] + [5.0, 2.0])
    np.testing.assert_allclose(grids.coordinates_to_offsets(coordinates), flow, atol=1e-12)
    grid = grids.flow_to_grid(flow)
    np.testing.assert_allclose(grids.grid_to_flow(grid), flow, atol=1e-12)
    normalized = grids.normalize_coordinates(coordinates, 3, 7)
    np.testing.assert_allclose(normalized, grid, atol=1e-12)
    np.testing.assert_allclose(
        grids.denormalize_coordinates(normalized, 3, 7), coordinates, atol=1e-12
    )


def test_normalization_values() -> None:
    # x in [0, W - 1] -> [-1, 1] and y in [0, H - 1] -> [-1, 1], independently.
    pixels = tf.constant([[0.0, 0.0], [4.0, 2.0], [2.0, 1.0], [-2.0, 3.0]])
    expected = [[-1.0, -1.0], [1.0, 1.0], [0.0, 0.0], [-2.0, 2.0]]
    np.testing.assert_allclose(grids.normalize_coordinates(pixels, 3, 5), expected)


def test_size_one_axis_maps_to_pixel_zero() -> None:
    grid = tf.constant([[-1.0, 0.5], [1.0, -0.25]])
    pixels = grids.denormalize_coordinates(grid, 1, 1).numpy()
    np.testing.assert_array_equal(pixels, np.zeros((2, 2)))
    np.testing.assert_array_equal(grids.mesh_grid(1, 1, normalized=True).numpy(), [[[-1, -1]]])


def test_dynamic_shapes_in_graph_mode() -> None:
    @tf.function(input_signature=[tf.TensorSpec([None, None, None, 2], tf.float32)])
    def round_trip(flow: tf.Tensor) -> tf.Tensor:
        return grids.grid_to_flow(grids.flow_to_grid(flow))

    flow = tf.random.stateless_normal((2, 4, 6, 2), seed=(1, 2))
    np.testing.assert_allclose(round_trip(flow), flow, atol=1e-5)
