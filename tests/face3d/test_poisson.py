"""Poisson blending: the analytic offset case, SciPy against TensorFlow, mirror filling."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tfface.face3d.poisson import poisson_blend
from tfface.face3d.poisson_tf import poisson_blend_tf
from tfface.face3d.symmetry import mirror_fill, pseudo_uv_map


def _images(seed: int = 0, size: int = 24) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    target = rng.uniform(size=(size, size, 3))
    source = rng.uniform(size=(size, size, 3))
    rows, columns = np.mgrid[:size, :size]
    region = (rows - size / 2) ** 2 / 40 + (columns - size / 3) ** 2 / 25 < 1.5
    region[0, 5:9] = True  # touches the image border
    return source, target, region


def test_a_constant_offset_is_removed_exactly() -> None:
    _, target, region = _images()
    source = target + np.array([0.3, -0.2, 0.5])  # same gradients, other level
    np.testing.assert_allclose(poisson_blend(source, target, region), target, atol=1e-10)
    blended = poisson_blend_tf(
        tf.constant(source[None]), tf.constant(target[None]), region[None], tolerance=1e-12
    )
    np.testing.assert_allclose(blended.numpy()[0], target, atol=1e-8)


def test_the_solution_satisfies_the_discrete_poisson_equation() -> None:
    source, target, region = _images(1)
    result = poisson_blend(source[..., 0], target[..., 0], region)
    np.testing.assert_array_equal(result[~region], target[..., 0][~region])
    padded_result = np.pad(result, 1)
    padded_source = np.pad(source[..., 0], 1)
    count = np.pad(np.ones_like(result), 1)
    for row, column in zip(*np.nonzero(region), strict=True):
        laplacian = guidance = 0.0
        for d_row, d_column in ((-1, 0), (1, 0), (0, -1), (0, 1)):
            r, c = row + 1 + d_row, column + 1 + d_column
            if count[r, c]:
                laplacian += padded_result[row + 1, column + 1] - padded_result[r, c]
                guidance += padded_source[row + 1, column + 1] - padded_source[r, c]
        assert laplacian == pytest.approx(guidance, abs=1e-9)


def test_tensorflow_conjugate_gradients_match_scipy_on_a_batch() -> None:
    batch = [_images(seed) for seed in range(3)]
    sources, targets, regions = (np.stack(parts) for parts in zip(*batch, strict=True))
    regions[2] = False  # an empty region leaves the target as it is
    blend = tf.function(lambda s, t, r: poisson_blend_tf(s, t, r, tolerance=1e-7))
    result = blend(
        tf.constant(sources, tf.float32), tf.constant(targets, tf.float32), tf.constant(regions)
    ).numpy()
    for index in range(3):
        expected = poisson_blend(sources[index], targets[index], regions[index])
        np.testing.assert_allclose(result[index], expected, atol=2e-4)


def test_mirror_fill_and_the_two_pass_pseudo_uv_map() -> None:
    rng = np.random.default_rng(4)
    uv = rng.uniform(size=(1, 8, 8, 3)).astype(np.float32)
    valid = np.zeros((1, 8, 8, 1), np.float32)
    valid[:, 2:6, :3] = 1.0
    filled, filled_valid = mirror_fill(tf.constant(uv), tf.constant(valid))
    np.testing.assert_array_equal(filled.numpy()[0, 3, 7], uv[0, 3, 0])
    np.testing.assert_array_equal(filled.numpy()[0, 3, 1], uv[0, 3, 1])
    assert filled_valid.numpy().sum() == 2 * valid.sum()
    assert np.all(filled.numpy()[0, 0] == 0.0)
    # UV_bl: a face seen on its left half, with a 3DMM texture of another colour level
    texture = rng.uniform(0.4, 0.6, size=(16, 16, 3))
    texture = (texture + texture[:, ::-1]) / 2  # a symmetric face
    seen = np.zeros((16, 16), bool)
    seen[3:13, 1:8] = True
    model_texture = texture + 0.1
    blended = pseudo_uv_map(np.where(seen[..., None], texture, 0.0), seen, model_texture)
    # the seen side and its mirror both carry the real texture (up to the blend's offset
    # towards the model texture at the boundary, which Poisson spreads smoothly)
    inner = np.zeros_like(seen)
    inner[5:11, 3:7] = True
    detail = blended - texture
    assert np.std(detail[inner]) < 0.03 and np.std(detail[inner[:, ::-1]]) < 0.03
    np.testing.assert_array_equal(blended[0], model_texture[0])  # untouched rows stay
