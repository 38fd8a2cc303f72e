"""mIoU against a NumPy confusion matrix; landmark NME and pose errors; pose buckets."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tfface.metrics.buckets import bucket_label, pose_bucket
from tfface.metrics.face_geometry import landmark_error, pose_error
from tfface.metrics.parsing import ConfusionMatrix


def numpy_confusion(labels: np.ndarray, predictions: np.ndarray, classes: int) -> np.ndarray:
    matrix = np.zeros((classes, classes), np.int64)
    for truth, predicted in zip(labels.ravel(), predictions.ravel(), strict=True):
        if truth != 255:
            matrix[truth, predicted] += 1
    return matrix


def test_streamed_confusion_and_miou_match_numpy() -> None:
    generator = np.random.default_rng(0)
    classes = 5
    labels = generator.integers(0, classes - 1, (6, 12, 10))  # class 4 never in the truth
    predictions = np.where(
        generator.random(labels.shape) < 0.7, labels, generator.integers(0, classes, labels.shape)
    )
    labels[0, :2] = 255  # ignored pixels
    confusion = ConfusionMatrix(classes)
    for start in range(0, 6, 4):  # two batches
        confusion.update(labels[start : start + 4], predictions[start : start + 4])
    expected = numpy_confusion(labels, predictions, classes)
    np.testing.assert_array_equal(confusion.matrix, expected)
    true_positive = np.diag(expected)
    union = expected.sum(0) + expected.sum(1) - true_positive
    iou = true_positive / union
    np.testing.assert_allclose(confusion.iou(), iou)
    assert confusion.mean_iou() == pytest.approx(iou.mean())
    assert confusion.pixel_accuracy() == pytest.approx(true_positive.sum() / expected.sum())
    assert np.isnan(confusion.class_accuracy()[4])
    # Scores (B, H, W, K) are arg-maxed.
    scores = tf.one_hot(predictions, classes).numpy()
    from_scores = ConfusionMatrix(classes)
    from_scores.update(labels, scores)
    np.testing.assert_array_equal(from_scores.matrix, expected)
    report = confusion.report()
    assert report["per_class"]["4"]["accuracy"] is None


def test_landmark_error_normalised_by_outer_eye_corners() -> None:
    truth = np.zeros((2, 68, 3))
    truth[:, 36, 0], truth[:, 45, 0] = 10.0, 50.0  # inter-ocular distance 40
    predicted = truth.copy()
    predicted[0, :, 0] += 4.0  # every point 4 px off: 10%
    predicted[1, :, :2] += 3.0  # every point (3, 3) off
    predicted[1, :, 2] += 100.0  # depth is ignored
    expected = [0.1, np.hypot(3.0, 3.0) / 40.0]
    np.testing.assert_allclose(landmark_error(predicted, truth).numpy(), expected)


def test_pose_error_wraps_angles() -> None:
    predicted = np.array([[10.0, -5.0, 179.0], [0.0, 0.0, 0.0]])
    truth = np.array([[15.0, 5.0, -179.0], [90.0, -30.0, 0.0]])
    np.testing.assert_allclose(pose_error(predicted, truth).numpy(), [[5, 10, 2], [90, 30, 0]])


def test_pose_buckets_like_the_seed_tables() -> None:
    yaws = np.array([0.0, 7.4, -7.5, 15.0, -30.0, 44.0, -52.0, 75.0, -90.0, 95.0])
    np.testing.assert_array_equal(pose_bucket(yaws), [0, 0, 15, 15, 30, 45, 45, 75, 90, 90])
    assert bucket_label(0) == "0" and bucket_label(45) == "±45"
