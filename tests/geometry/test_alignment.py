"""Similarity alignment against scikit-image (an independent implementation) and exact cases."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import transform as sk_transform

from tfface.geometry.alignment import (
    ARCFACE_TEMPLATE_112,
    align_face,
    face_template,
    similarity_scale,
    transform_points,
    umeyama,
    warp_similarity,
)


def similarity(scale: float, angle_degrees: float, tx: float, ty: float) -> np.ndarray:
    angle = np.deg2rad(angle_degrees)
    cos, sin = np.cos(angle), np.sin(angle)
    return np.array([[scale * cos, -scale * sin, tx], [scale * sin, scale * cos, ty], [0, 0, 1]])


@pytest.mark.parametrize("seed", range(6))
def test_umeyama_matches_skimage_on_noisy_points(seed: int) -> None:
    rng = np.random.default_rng(seed)
    source = rng.uniform(0, 200, size=(5, 2))
    destination = transform_points(similarity(0.7, 25.0 * seed - 60, 10, -4), source)
    destination += rng.normal(0, 3.0, size=destination.shape)
    reference = sk_transform.SimilarityTransform.from_estimate(source, destination)
    np.testing.assert_allclose(umeyama(source, destination), reference.params, atol=1e-9)


def test_umeyama_recovers_an_exact_transform() -> None:
    source = ARCFACE_TEMPLATE_112 * 3 + 17
    expected = similarity(0.31, -12.0, 5.5, 40.25)
    matrix = umeyama(source, transform_points(expected, source))
    np.testing.assert_allclose(matrix, expected, atol=1e-10)
    assert similarity_scale(matrix) == pytest.approx(0.31)


def test_umeyama_never_reflects() -> None:
    source = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 5.0], [7.0, 9.0]])
    mirrored = source * np.array([-1.0, 1.0])
    matrix = umeyama(source, mirrored)
    assert np.linalg.det(matrix[:2, :2]) > 0
    reference = sk_transform.SimilarityTransform.from_estimate(source, mirrored)
    np.testing.assert_allclose(matrix, reference.params, atol=1e-9)


def test_umeyama_rigid_and_errors() -> None:
    source = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 3.0]])
    expected = similarity(1.0, 30.0, 2.0, 1.0)
    rigid = umeyama(
        source,
        transform_points(similarity(2.0, 30.0, 2.0, 1.0), source) * 1.0,
        estimate_scale=False,
    )
    assert similarity_scale(rigid) == pytest.approx(1.0)
    np.testing.assert_allclose(
        umeyama(source, transform_points(expected, source), estimate_scale=False),
        expected,
        atol=1e-10,
    )
    with pytest.raises(ValueError, match="degenerate"):
        umeyama(np.ones((3, 2)), source)
    with pytest.raises(ValueError, match="equal shape"):
        umeyama(source, source[:2])
    with pytest.raises(ValueError, match="finite"):
        umeyama(source * np.nan, source)


def test_face_template_scaling() -> None:
    np.testing.assert_allclose(face_template(112), ARCFACE_TEMPLATE_112, atol=1e-12)
    np.testing.assert_allclose(face_template(224), (ARCFACE_TEMPLATE_112 + 0.5) * 2 - 0.5)
    zoomed = face_template(112, zoom=0.5)
    np.testing.assert_allclose(zoomed - 55.5, (ARCFACE_TEMPLATE_112 - 55.5) * 0.5)


@pytest.mark.parametrize("border", ["constant", "edge", "reflect"])
def test_warp_matches_skimage_warp(border: str) -> None:
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, size=(40, 50, 3), dtype=np.uint8)
    matrix = similarity(1.3, 20.0, -6.0, 4.0)
    ours = warp_similarity(image, matrix, (45, 48), border=border, order=1)
    modes = {"constant": "constant", "edge": "edge", "reflect": "reflect"}
    reference = sk_transform.warp(
        image.astype(np.float64),
        np.linalg.inv(matrix),
        output_shape=(45, 48),
        order=1,
        mode=modes[border],
        preserve_range=True,
    )
    difference = np.abs(ours.astype(np.float64) - np.round(reference))
    if border == "constant":  # the two differ only in how they blend into the outside at the border
        inside = (
            sk_transform.warp(
                np.ones((40, 50)), np.linalg.inv(matrix), output_shape=(45, 48), order=0
            )
            > 0
        )
        from scipy import ndimage

        difference = difference[ndimage.binary_erosion(inside, iterations=2)]
    assert difference.max() <= 1


def test_warp_antialiases_when_shrinking() -> None:
    stripes = np.zeros((256, 256), np.uint8)
    stripes[:, ::2] = 255  # 1-pixel stripes: aliasing would give a pattern, antialiasing grey
    shrunk = warp_similarity(stripes, similarity(0.125, 0.0, 0.0, 0.0), 32)
    assert abs(float(shrunk[4:-4, 4:-4].mean()) - 127.5) < 3
    assert shrunk[4:-4, 4:-4].std() < 3


def test_align_face_puts_landmarks_on_the_template() -> None:
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, size=(200, 160, 3), dtype=np.uint8)
    expected = similarity(2.2, 10.0, 30.0, 20.0)  # template(64) -> image
    landmarks = transform_points(expected, face_template(64))
    aligned, matrix = align_face(image, landmarks, 64)
    assert aligned.shape == (64, 64, 3) and aligned.dtype == np.uint8
    np.testing.assert_allclose(transform_points(matrix, landmarks), face_template(64), atol=1e-9)
    np.testing.assert_allclose(matrix, np.linalg.inv(expected), atol=1e-9)
    with pytest.raises(ValueError, match="shape"):
        align_face(image, landmarks[:4], 64)
