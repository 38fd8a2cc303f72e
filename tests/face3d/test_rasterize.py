"""The TF rasterizer and interpolation against the NumPy rasterizer of tfface.geometry."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from tests.helpers.face3d_meshes import bumpy_sphere
from tfface.face3d.camera import rotation_matrix as tf_rotation_matrix
from tfface.face3d.interpolate import barycentrics, interpolate
from tfface.face3d.rasterize import rasterize
from tfface.face3d.renderer import render_mesh
from tfface.geometry.camera import rotation_matrix
from tfface.geometry.rasterizer import interpolate as numpy_interpolate
from tfface.geometry.rasterizer import rasterize as numpy_rasterize

SIZE = 48


def _screen(yaw: float) -> tuple[np.ndarray, np.ndarray]:
    mesh = bumpy_sphere()
    vertices = mesh.vertices @ rotation_matrix(yaw, 10.0, -5.0).T.astype(np.float32)
    scale = 0.4 * SIZE
    centre = (SIZE - 1) / 2.0
    screen = np.stack(
        [centre + scale * vertices[:, 0], centre - scale * vertices[:, 1], scale * vertices[:, 2]],
        axis=1,
    ).astype(np.float32)
    return screen, mesh.faces


def test_rotation_matches_the_numpy_convention() -> None:
    angles = np.array([[30.0, -12.0, 7.0], [-80.0, 40.0, -60.0]])
    ours = tf_rotation_matrix(np.deg2rad(angles).astype(np.float32)).numpy()
    for index, angle in enumerate(angles):
        np.testing.assert_allclose(ours[index], rotation_matrix(*angle), atol=1e-6)


def test_triangle_ids_and_colours_match_numpy_in_a_batch() -> None:
    screens, faces = zip(*(_screen(yaw) for yaw in (0.0, 35.0, -70.0)), strict=True)
    faces = faces[0]
    batch = np.stack(screens)
    triangle_map = tf.function(rasterize)(
        tf.constant(batch), tf.constant(faces), SIZE, SIZE
    ).numpy()
    colours = np.random.default_rng(1).uniform(size=(3, len(screens[0]), 3)).astype(np.float32)
    weights = barycentrics(
        tf.constant(batch), tf.ones(batch.shape[:2]), tf.constant(faces), tf.constant(triangle_map)
    )
    image = interpolate(
        tf.constant(colours), tf.constant(faces), tf.constant(triangle_map), weights
    )
    for index, screen in enumerate(screens):
        reference = numpy_rasterize(screen, faces, SIZE, SIZE)
        assert reference.covered.sum() > 300
        np.testing.assert_array_equal(triangle_map[index], reference.triangle)
        expected = numpy_interpolate(reference, faces, colours[index])
        np.testing.assert_allclose(image[index].numpy(), expected, atol=1e-4)


def test_backface_culling_matches_numpy() -> None:
    screen, faces = _screen(150.0)  # the back of the open surface faces the camera
    triangle_map = rasterize(tf.constant(screen[None]), faces, SIZE, SIZE, cull_backfaces=True)
    reference = numpy_rasterize(screen, faces, SIZE, SIZE, cull_backfaces=True)
    np.testing.assert_array_equal(triangle_map.numpy()[0], reference.triangle)
    unculled = numpy_rasterize(screen, faces, SIZE, SIZE)
    assert reference.covered.sum() < unculled.covered.sum()


def test_empty_and_offscreen_meshes_give_minus_one() -> None:
    screen, faces = _screen(0.0)
    far = screen + np.array([500.0, 0.0, 0.0], np.float32)
    triangle_map = rasterize(tf.constant(far[None]), tf.constant(faces), SIZE, SIZE)
    assert np.all(triangle_map.numpy() == -1)


def _render_sum(vertices: tf.Tensor, colours: tf.Tensor, faces: np.ndarray, probe: np.ndarray):
    render = render_mesh(
        vertices, colours, faces, np.zeros((vertices.shape[1], 2)), SIZE, "perspective", 2.0, 6.0
    )
    return tf.reduce_sum(render.image * probe) + tf.reduce_sum(render.depth * probe[..., :1])


def test_finite_difference_gradients_wrt_vertices_and_colours() -> None:
    mesh = bumpy_sphere(8, 10, seed=3)
    vertices = tf.constant(mesh.vertices[None] * 0.9, tf.float64)
    rng = np.random.default_rng(2)
    colours = tf.constant(rng.uniform(size=(1, len(mesh.vertices), 3)), tf.float64)
    probe = rng.uniform(-1, 1, size=(1, SIZE, SIZE, 3))

    def loss(vertex_values: tf.Tensor, colour_values: tf.Tensor) -> tf.Tensor:
        return _render_sum(vertex_values, colour_values, mesh.faces, probe)

    with tf.GradientTape(persistent=True) as tape:
        tape.watch([vertices, colours])
        value = loss(vertices, colours)
    vertex_gradient = tape.gradient(value, vertices).numpy()
    colour_gradient = tape.gradient(value, colours).numpy()
    # float64 end to end; the steps are far too small to move a pixel to another triangle
    for vertex in np.argsort(-mesh.vertices[:, 2])[:6]:
        for axis in range(3):
            step = np.zeros(vertices.shape)
            step[0, vertex, axis] = 1e-6
            numeric = (
                loss(vertices + step, colours) - loss(vertices - step, colours)
            ).numpy() / 2e-6
            np.testing.assert_allclose(
                vertex_gradient[0, vertex, axis], numeric, rtol=1e-4, atol=1e-6
            )
    for vertex in (0, 20, 45):
        step = np.zeros(colours.shape)
        step[0, vertex, 1] = 0.1
        numeric = (loss(vertices, colours + step) - loss(vertices, colours - step)).numpy() / 0.2
        np.testing.assert_allclose(colour_gradient[0, vertex, 1], numeric, rtol=1e-6, atol=1e-8)
