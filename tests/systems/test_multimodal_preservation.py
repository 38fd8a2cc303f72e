"""Pose and gaze preservation of multimodal translations (issue #22 item 6), against NumPy."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tfface.ops.polygons import polygon_inside
from tfface.systems.multimodal.preservation import (
    EYES,
    gaze_error,
    landmark_nme,
    preservation_scores,
    pupil_centres,
)
from tfface.systems.reconstruction_landmarks import ReconstructionLandmarks

SIZE = 32


def face_landmarks(shift: float = 0.0) -> np.ndarray:
    """(68, 3) landmarks with two hexagonal eyes around (10, 12) and (22, 12) (x, y) pixels."""
    landmarks = np.zeros((68, 3), np.float32)
    landmarks[:, 0] = np.linspace(4, 28, 68) + shift
    landmarks[:, 1] = 20.0
    angles = np.linspace(0, 2 * np.pi, 6, endpoint=False)
    for eye, centre_x in zip(EYES, (10.0, 22.0), strict=True):
        landmarks[list(eye), 0] = centre_x + 4.0 * np.cos(angles) + shift
        landmarks[list(eye), 1] = 12.0 + 2.5 * np.sin(angles)
    return landmarks


def eye_image(pupils: list[tuple[float, float]]) -> np.ndarray:
    """(S, S, 1) grey 0.6 with one dark 2 x 2 pupil block at each (x, y) top-left corner."""
    image = np.full((SIZE, SIZE, 1), 0.6, np.float32)
    for x, y in pupils:
        image[int(y) : int(y) + 2, int(x) : int(x) + 2] = -0.9
    return image


def test_polygon_inside_is_the_even_odd_rule_at_pixel_centres() -> None:
    square = tf.constant([[[1.5, 1.5], [4.5, 1.5], [4.5, 3.5], [1.5, 3.5]]], tf.float32)
    expected = np.zeros((6, 6), np.float32)
    expected[2:4, 2:5] = 1.0  # rows 2-3 (y), columns 2-4 (x)
    np.testing.assert_array_equal(polygon_inside(square, 6)[0].numpy(), expected)


def test_landmark_nme_matches_numpy() -> None:
    rng = np.random.default_rng(0)
    exact = rng.uniform(0, SIZE, (3, 68, 3)).astype(np.float32)
    predicted = exact[..., :2] + rng.normal(0, 1.5, (3, 68, 2)).astype(np.float32)
    errors = np.linalg.norm(predicted - exact[..., :2], axis=-1).mean(-1)
    expected = errors / np.linalg.norm(exact[:, 36, :2] - exact[:, 45, :2], axis=-1)
    np.testing.assert_allclose(landmark_nme(predicted, exact).numpy(), expected, rtol=1e-5)


def test_pupil_centres_find_the_dark_pupil_in_each_eye() -> None:
    landmarks = face_landmarks()[np.newaxis]
    image = eye_image([(8, 11), (23, 12)])[np.newaxis]
    centres = pupil_centres(tf.constant(image), tf.constant(landmarks)).numpy()[0]
    # The block's pixel centres (8.5, 11.5) and (23.5, 12.5), clipped by the eye polygons.
    np.testing.assert_allclose(centres, [[8.5, 11.5], [23.5, 12.5]], atol=0.35)
    flat = np.full((1, SIZE, SIZE, 1), 0.6, np.float32)  # no pupil: the polygon's mean point
    np.testing.assert_allclose(
        pupil_centres(tf.constant(flat), tf.constant(landmarks)).numpy()[0],
        [[10.0, 12.0], [22.0, 12.0]],
        atol=1e-5,
    )


def test_gaze_error_is_zero_for_the_real_target_and_grows_with_a_moved_pupil() -> None:
    landmarks = tf.constant(face_landmarks()[np.newaxis])
    real = tf.constant(eye_image([(9, 11), (21, 11)])[np.newaxis])
    moved = tf.constant(eye_image([(11, 11), (23, 11)])[np.newaxis])
    assert float(gaze_error(real, real, landmarks)[0]) == pytest.approx(0.0, abs=1e-6)
    # Both pupils moved 2 px right: 2 / inter-ocular distance (points 36 and 45).
    inter_ocular = np.linalg.norm(face_landmarks()[36, :2] - face_landmarks()[45, :2])
    assert float(gaze_error(moved, real, landmarks)[0]) == pytest.approx(
        2.0 / inter_ocular, rel=0.2
    )


class ShiftedLandmarks(tf.Module):
    """A stand-in face_reconstruction export at 16 px (its `landmarks` signature): the test
    landmarks at 16 px (pixel centres scaled), moved `shift` pixels right when the image's
    mean is above 0 (uint8 128)."""

    def __init__(self, shift: float):
        super().__init__()
        self.base = tf.constant((face_landmarks() + 0.5) / 2.0 - [0.5, 0.5, 0.25], tf.float32)
        self.shift = shift

    @tf.function(input_signature=[tf.TensorSpec([None, 16, 16, 3], tf.uint8, name="image")])
    def serve(self, image):
        count = tf.shape(image)[0]
        bright = tf.cast(tf.reduce_mean(tf.cast(image, tf.float32), [1, 2, 3]) > 128.0, tf.float32)
        step = self.shift * bright[:, tf.newaxis, tf.newaxis] * [1.0, 0.0, 0.0]
        return {"landmarks_3d": tf.reshape(self.base[tf.newaxis] + step, [count, 68, 3])}


class CopyTranslator:
    """translate(source, z) = the source's first channel (keeps pose and gaze exactly)."""

    latent_size = 4

    def translate(self, source: tf.Tensor, latents: tf.Tensor) -> tf.Tensor:
        return source[..., :1]


def test_preservation_scores_read_landmarks_through_an_export(tmp_path) -> None:
    model = ShiftedLandmarks(shift=1.0)
    tf.saved_model.save(model, str(tmp_path / "fit"), signatures={"landmarks": model.serve})
    landmarks = ReconstructionLandmarks(tmp_path / "fit", "--landmark-model")
    assert landmarks.input_size == 16
    exact = np.repeat(face_landmarks()[np.newaxis], 2, 0)
    dark = np.repeat(eye_image([(9, 11), (21, 11)])[np.newaxis], 2, 0) - 1.0  # mean < 0
    bright = np.clip(dark + 1.5, -1.0, 1.0)
    batch = {
        "source": tf.constant(np.repeat(bright, 3, -1)),
        "target": tf.constant(dark),
        "landmarks": tf.constant(exact),
    }
    scores = preservation_scores(CopyTranslator(), [batch], landmarks)
    inter_ocular = np.linalg.norm(exact[0, 36, :2] - exact[0, 45, :2])
    # The bright translations move 1 px at 16 px = 2 px at 32 px; the dark targets do not.
    assert scores.landmark_nme == pytest.approx(2.0 / inter_ocular, rel=1e-4)
    assert scores.real_landmark_nme == pytest.approx(0.0, abs=1e-6)
    assert scores.gaze_error == pytest.approx(0.0, abs=1e-5)
    assert scores.sources == 2


def test_bad_preservation_inputs_are_refused(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="--landmark-model .* face_reconstruction"):
        ReconstructionLandmarks(tmp_path / "missing", "--landmark-model")
    batch = {"source": tf.zeros([1, SIZE, SIZE, 3]), "target": tf.zeros([1, SIZE, SIZE, 1])}
    with pytest.raises(ValueError, match="exact landmarks"):
        preservation_scores(CopyTranslator(), [batch])
    with pytest.raises(ValueError, match="no held-out sources"):
        preservation_scores(CopyTranslator(), [])
