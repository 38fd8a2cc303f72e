"""The z-buffer rasterizer against brute-force references."""

from __future__ import annotations

import numpy as np
import pytest

from tfface.geometry import grid_faces, interpolate, rasterize, rotation_matrix
from tfface.geometry.camera import OrthographicCamera


def brute_force_inside(triangle: np.ndarray, height: int, width: int) -> np.ndarray:
    """Pixel centres inside a triangle by the sign of the three edge functions."""
    y, x = np.mgrid[0:height, 0:width].astype(float)
    (x0, y0), (x1, y1), (x2, y2) = triangle[:, :2]

    def edge(ax, ay, bx, by):
        return (bx - ax) * (y - ay) - (by - ay) * (x - ax)

    e0, e1, e2 = edge(x0, y0, x1, y1), edge(x1, y1, x2, y2), edge(x2, y2, x0, y0)
    return ((e0 >= 0) & (e1 >= 0) & (e2 >= 0)) | ((e0 <= 0) & (e1 <= 0) & (e2 <= 0))


@pytest.mark.parametrize("seed", range(5))
def test_single_triangle_coverage_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    triangle = np.concatenate(
        [rng.uniform(-5, 37, size=(3, 2)), rng.uniform(0, 1, size=(3, 1))], axis=1
    )
    fragments = rasterize(triangle, np.array([[0, 1, 2]]), 32, 40)
    expected = brute_force_inside(triangle, 32, 40)
    # Pixels exactly on an edge may go either way; there are none with random float corners.
    np.testing.assert_array_equal(fragments.covered, expected)


def test_depth_test_keeps_the_nearest_surface() -> None:
    square = np.array([[0, 0], [20, 0], [20, 20], [0, 20]], dtype=float)
    far = np.concatenate([square, np.full((4, 1), 1.0)], axis=1)
    near = np.concatenate([square + 5, np.full((4, 1), 2.0)], axis=1)
    vertices = np.concatenate([far, near])
    faces = np.array([[0, 1, 2], [0, 2, 3], [4, 5, 6], [4, 6, 7]])
    fragments = rasterize(vertices, faces, 30, 30)
    assert fragments.triangle[10, 10] in (2, 3)  # overlap -> near square
    assert fragments.triangle[2, 2] in (0, 1)
    assert fragments.triangle[24, 24] in (2, 3)
    assert fragments.depth[10, 10] == pytest.approx(2.0)
    # Same result whatever the order of the faces.
    flipped = rasterize(vertices, faces[::-1], 30, 30)
    np.testing.assert_array_equal(flipped.depth, fragments.depth)


def test_interpolation_reproduces_linear_functions_exactly() -> None:
    rng = np.random.default_rng(0)
    grid = np.stack(np.meshgrid(np.linspace(2, 60, 9), np.linspace(3, 50, 7)), axis=-1)
    points = np.concatenate(
        [grid + rng.uniform(-1.5, 1.5, size=grid.shape), np.zeros(grid.shape[:2] + (1,))], axis=-1
    )
    vertices = points.reshape(-1, 3)
    faces = grid_faces(7, 9)
    fragments = rasterize(vertices, faces, 56, 64)
    attribute = 3.0 * vertices[:, 0] - 2.0 * vertices[:, 1] + 5.0
    values = interpolate(fragments, faces, attribute)[..., 0]
    y, x = np.mgrid[0:56, 0:64]
    covered = fragments.covered
    assert covered.sum() > 2000
    np.testing.assert_allclose(values[covered], (3.0 * x - 2.0 * y + 5.0)[covered], atol=1e-3)


def test_backface_culling_drops_clockwise_triangles() -> None:
    vertices = np.array(
        [[2, 2, 0], [2, 12, 0], [12, 2, 0]], dtype=float
    )  # counter-clockwise with y down
    assert rasterize(vertices, np.array([[0, 1, 2]]), 16, 16, cull_backfaces=True).covered.any()
    assert not rasterize(vertices, np.array([[0, 2, 1]]), 16, 16, cull_backfaces=True).covered.any()


def test_bad_shapes_are_rejected() -> None:
    with pytest.raises(ValueError, match="vertices"):
        rasterize(np.zeros((3, 2)), np.array([[0, 1, 2]]), 8, 8)
    with pytest.raises(ValueError, match="faces"):
        rasterize(np.zeros((3, 3)), np.array([0, 1, 2]), 8, 8)
    with pytest.raises(ValueError, match="positive"):
        rasterize(np.zeros((3, 3)), np.array([[0, 1, 2]]), 0, 8)


def test_rotation_conventions() -> None:
    for angles in [(30, 0, 0), (0, 20, 0), (0, 0, 45), (17, -23, 61)]:
        rotation = rotation_matrix(*angles)
        np.testing.assert_allclose(rotation @ rotation.T, np.eye(3), atol=1e-12)
        assert np.linalg.det(rotation) == pytest.approx(1.0)
    front = np.array([0.0, 0.0, 1.0])
    assert (rotation_matrix(30, 0, 0) @ front)[0] > 0  # yaw > 0: nose to the image's right
    assert (rotation_matrix(0, 20, 0) @ front)[1] > 0  # pitch > 0: looks up
    top = np.array([0.0, 1.0, 0.0])
    assert (rotation_matrix(0, 0, 20) @ top)[
        0
    ] > 0  # roll > 0: top of the head to the image's right
    camera = OrthographicCamera(64, 10.0, 32.0, 32.0)
    np.testing.assert_allclose(camera.project(np.array([1.0, 1.0, 0.5])), [42.0, 22.0, 5.0])
