"""FaceRenderer: batched in tf.function, against NumPy, SH lighting, gradients to coefficients."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tests.helpers.face3d_meshes import tiny_morphable_model
from tfface.face3d import CoefficientLayout, FaceRenderer
from tfface.face3d.lighting import BAND_CONSTANTS, ambient_lighting, sh_basis
from tfface.geometry.rasterizer import rasterize as numpy_rasterize

SIZE = 40


def _coefficients(layout: CoefficientLayout, seed: int, lighting: np.ndarray) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return layout.join(
        identity=rng.standard_normal(layout.num_identity),
        expression=rng.standard_normal(layout.num_expression),
        texture=rng.standard_normal(layout.num_texture),
        angles=np.deg2rad(rng.uniform(-40, 40, 3)),
        lighting=lighting,
        translation=np.array([0.05, -0.1, 0.2]),
    )


@pytest.mark.parametrize("camera_model", ["perspective", "orthographic"])
def test_batched_tf_function_render_matches_numpy(camera_model: str) -> None:
    model = tiny_morphable_model(camera_model)
    renderer = FaceRenderer(model)
    layout = renderer.layout
    coefficients = np.stack([_coefficients(layout, seed, ambient_lighting(0.8)) for seed in (1, 2)])
    render = tf.function(lambda c: renderer(c, SIZE))(tf.constant(coefficients))
    eager = renderer(coefficients, SIZE)
    np.testing.assert_allclose(render.image.numpy(), eager.image.numpy(), atol=1e-5)
    for index in range(2):
        parts = {k: v.numpy() for k, v in layout.split(coefficients[index]).items()}
        vertices = renderer.posed_vertices(coefficients[index : index + 1]).numpy()[0]
        screen = render.screen.numpy()[index]
        reference = numpy_rasterize(screen, model.triangles, SIZE, SIZE)
        assert reference.covered.sum() > 200
        np.testing.assert_array_equal(render.triangle_map.numpy()[index], reference.triangle)
        # colours: 0.8 * albedo, interpolated perspective-correctly (w = distance - z)
        albedo = model.texture(parts["texture"]) * 0.8
        covered = reference.covered
        corners = model.triangles[reference.triangle[covered]]  # (N, 3)
        if camera_model == "perspective":
            w = model.camera_distance - vertices[:, 2]
            weights = reference.barycentric[covered] / w[corners]
            weights /= weights.sum(axis=1, keepdims=True)
        else:
            weights = reference.barycentric[covered]
        expected = np.sum(albedo[corners] * weights[..., None], axis=1)
        np.testing.assert_allclose(render.image.numpy()[index][covered], expected, atol=1e-4)
        expected_uv = np.sum(model.uv_coords[corners] * weights[..., None], axis=1)
        np.testing.assert_allclose(render.uv_coords.numpy()[index][covered], expected_uv, atol=1e-4)
        assert np.all(render.mask.numpy()[index][~covered] == 0.0)


def test_sh_irradiance_of_a_directional_light_approximates_the_clamped_cosine() -> None:
    direction = np.array([0.3, 0.5, 0.8])
    direction /= np.linalg.norm(direction)
    # a directional light has L_k = Y_k(direction) = basis_k / a_l; gamma_k = A_l L_k / a_l
    bands = np.array([0, 1, 1, 1, 2, 2, 2, 2, 2])
    lambert = np.array([np.pi, 2.0 * np.pi / 3.0, np.pi / 4.0])[bands]
    gamma = lambert * sh_basis(direction) / np.array(BAND_CONSTANTS)[bands] ** 2
    rng = np.random.default_rng(0)
    normals = rng.standard_normal((500, 3))
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    irradiance = sh_basis(normals) @ gamma
    assert np.abs(irradiance - np.maximum(normals @ direction, 0.0)).max() < 0.1


def test_gradients_reach_every_coefficient_part() -> None:
    model = tiny_morphable_model()
    renderer = FaceRenderer(model)
    layout = renderer.layout
    coefficients = tf.constant(_coefficients(layout, 3, ambient_lighting(1.0))[None])
    target = tf.random.stateless_uniform((1, SIZE, SIZE, 3), seed=(1, 2))
    with tf.GradientTape() as tape:
        tape.watch(coefficients)
        render = renderer(coefficients, SIZE)
        loss = tf.reduce_sum((render.image - target) ** 2 * render.mask)
    gradient = layout.split(tape.gradient(loss, coefficients))
    for name, value in gradient.items():
        value = value.numpy()
        assert np.all(np.isfinite(value)), name
        assert np.abs(value).sum() > 0, name
    landmarks = renderer.landmarks(coefficients, SIZE).numpy()
    assert landmarks.shape == (1, 68, 3)
    np.testing.assert_allclose(
        landmarks[0, :, :2], render.screen.numpy()[0][model.landmark_indices, :2], atol=1e-4
    )
