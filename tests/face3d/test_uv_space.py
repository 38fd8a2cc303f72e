"""image_to_uv / uv_to_image on SynthFaces ground truth, and their gradients."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import tensorflow as tf
from scipy import ndimage

from tfface.face3d.uv_space import image_to_uv, uv_to_image
from tfface.synth import SynthFaces

SIZE, UV = 64, 48


@pytest.fixture(scope="module")
def sample() -> dict:
    return SynthFaces(seed=0, image_size=SIZE, uv_size=UV).sample(2, yaw=25.0, pitch=-5.0)


def _render_of(sample: dict) -> SimpleNamespace:
    return SimpleNamespace(
        uv_coords=tf.constant(sample["uv_coords"][None]),
        mask=tf.constant(sample["visibility"][None, ..., None].astype(np.float32)),
    )


def test_uv_to_image_of_the_texture_is_the_albedo(sample: dict) -> None:
    texture = tf.constant(sample["uv_texture"][None] / 255.0, tf.float32)
    render = _render_of(sample)
    lookup = tf.function(
        lambda texture, uv, mask: uv_to_image(texture, SimpleNamespace(uv_coords=uv, mask=mask))
    )
    image = lookup(texture, render.uv_coords, render.mask).numpy()[0]
    visible = sample["visibility"]
    assert np.abs(image[visible] - sample["albedo"][visible] / 255.0).max() <= 2.5 / 255.0
    assert np.all(image[~visible] == 0.0)


def test_image_to_uv_unwraps_the_visible_texture(sample: dict) -> None:
    albedo = tf.constant(sample["albedo"][None] / 255.0, tf.float32)
    uv_map, sampling_map, valid = image_to_uv(
        albedo, sample["uv_coords"][None], sample["visibility"][None], uv_size=UV
    )
    valid = valid.numpy()[0, ..., 0] > 0.5
    assert 200 < valid.sum() < UV * UV // 2  # the visible face, not the back of the head
    texture = sample["uv_texture"] / 255.0
    error = np.abs(uv_map.numpy()[0][valid] - texture[valid])
    assert np.median(error) < 0.03 and error.mean() < 0.06
    # S_gt: the image point a texel samples has (nearly) that texel's UV coordinates
    points = sampling_map.numpy()[0][valid]  # normalised (x, y)
    columns = np.round((points[:, 0] + 1) / 2 * (SIZE - 1)).astype(int)
    rows = np.round((points[:, 1] + 1) / 2 * (SIZE - 1)).astype(int)
    texel_rows, texel_columns = np.nonzero(valid)
    found = sample["uv_coords"][rows, columns] * (UV - 1)
    distance = np.hypot(found[:, 0] - texel_columns, found[:, 1] - texel_rows)
    assert np.median(distance) < 1.0
    # texels behind the head (u near 0 or 1 for a 25 degree yaw) are not valid
    assert not valid[:, :3].any() and not valid[:, -3:].any()


def test_gradients_reach_image_texture_and_uv_coordinates(sample: dict) -> None:
    image = tf.constant(sample["albedo"][None] / 255.0, tf.float32)
    uv = tf.constant(sample["uv_coords"][None])
    texture = tf.constant(sample["uv_texture"][None] / 255.0, tf.float32)
    mask = sample["visibility"][None, ..., None].astype(np.float32)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([image, uv, texture])
        uv_map, _, valid = image_to_uv(image, uv, sample["visibility"][None], uv_size=UV)
        rendered = uv_to_image(texture, SimpleNamespace(uv_coords=uv, mask=mask))
        first, second = tf.reduce_sum(uv_map), tf.reduce_sum(rendered**2)
    image_gradient = tape.gradient(first, image).numpy()
    # bilinear reads reach at most one pixel beyond the visible surface
    near = ndimage.binary_dilation(sample["visibility"], np.ones((3, 3), bool))
    assert np.all(image_gradient[0][~near] == 0.0)
    # every valid texel's colour is a convex combination of pixels (weights sum to 1)
    assert image_gradient.sum() == pytest.approx(3 * valid.numpy().sum(), rel=1e-4)
    assert np.abs(tape.gradient(first, uv).numpy()).sum() > 0
    texture_gradient = tape.gradient(second, texture).numpy()
    assert np.abs(texture_gradient).sum() > 0


def test_uv_lookup_matches_finite_differences() -> None:
    rng = np.random.default_rng(0)
    texture = tf.constant(rng.uniform(size=(2, 8, 8, 3)), tf.float32)
    uv = tf.constant(rng.uniform(0.1, 0.9, size=(2, 4, 4, 2)), tf.float32)
    mask = np.ones((2, 4, 4, 1), np.float32)

    def value(uv_values: tf.Tensor, texture_values: tf.Tensor) -> tf.Tensor:
        render = SimpleNamespace(uv_coords=uv_values, mask=mask)
        return tf.reduce_sum(uv_to_image(texture_values, render) ** 2)

    with tf.GradientTape(persistent=True) as tape:
        tape.watch([uv, texture])
        loss = value(uv, texture)
    uv_gradient = tape.gradient(loss, uv).numpy()
    texture_gradient = tape.gradient(loss, texture).numpy()
    for index in [(0, 1, 2, 0), (0, 1, 2, 1), (1, 3, 0, 0), (1, 0, 3, 1)]:
        step = np.zeros(uv.shape, np.float32)
        step[index] = 1e-3
        numeric = (value(uv + step, texture) - value(uv - step, texture)).numpy() / 2e-3
        np.testing.assert_allclose(uv_gradient[index], numeric, rtol=1e-2, atol=1e-2)
    for index in [(0, 2, 3, 1), (1, 5, 4, 0)]:
        step = np.zeros(texture.shape, np.float32)
        step[index] = 1e-2
        numeric = (value(uv, texture + step) - value(uv, texture - step)).numpy() / 2e-2
        np.testing.assert_allclose(texture_gradient[index], numeric, rtol=1e-2, atol=1e-3)
