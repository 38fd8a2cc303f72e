"""Dice, BCE with online hard example mining, parsing cross-entropy."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tfface.losses import (
    binary_cross_entropy_loss,
    dice_loss,
    hard_example_mean,
    ohem_binary_cross_entropy_loss,
    parsing_cross_entropy_loss,
)


def test_dice_hand_computed_binary() -> None:
    labels = np.array([1.0, 1.0, 0.0, 0.0], np.float32).reshape(1, 2, 2)
    predictions = np.array([1.0, 0.5, 0.5, 0.0], np.float32).reshape(1, 2, 2)
    # intersection 1.5, sums 2 + 2: 1 - 3 / 4
    np.testing.assert_allclose(dice_loss(labels, predictions).numpy(), [0.25], rtol=1e-5)


def test_dice_sums_or_averages_classes_and_ignores_absent_classes() -> None:
    rng = np.random.default_rng(0)
    labels = np.eye(3, dtype=np.float32)[rng.integers(0, 2, size=(2, 4, 4))]  # class 2 absent
    predictions = rng.uniform(size=(2, 4, 4, 3)).astype(np.float32)
    predictions[..., 2] = 0.0
    intersection = (labels * predictions).sum(axis=(1, 2))
    totals = labels.sum(axis=(1, 2)) + predictions.sum(axis=(1, 2))
    per_class = 1 - (2 * intersection + 1e-6) / (totals + 1e-6)
    np.testing.assert_allclose(per_class[:, 2], 0.0, atol=1e-6)
    np.testing.assert_allclose(dice_loss(labels, predictions).numpy(), per_class.sum(1), rtol=1e-5)
    np.testing.assert_allclose(
        dice_loss(labels, predictions, "mean").numpy(), per_class.mean(1), rtol=1e-5
    )


def numpy_bce(labels: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    return -(labels * np.log(probabilities) + (1 - labels) * np.log(1 - probabilities))


def test_bce_matches_numpy_for_probabilities_and_logits() -> None:
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 2, size=(3, 4, 5)).astype(np.float32)
    logits = rng.normal(size=(3, 4, 5)).astype(np.float32)
    probabilities = 1 / (1 + np.exp(-logits))
    expected = numpy_bce(labels, probabilities).mean(axis=(1, 2))
    np.testing.assert_allclose(
        binary_cross_entropy_loss(labels, probabilities).numpy(), expected, rtol=1e-4
    )
    np.testing.assert_allclose(
        binary_cross_entropy_loss(labels, logits, from_logits=True).numpy(), expected, rtol=1e-4
    )


def test_ohem_keeps_the_hardest_pixels() -> None:
    labels = np.ones((1, 2, 4, 1), np.float32)
    probabilities = np.full((1, 2, 4, 1), 0.9, np.float32)
    probabilities[0, 0, 1, 0] = 0.1  # the two hardest pixels
    probabilities[0, 1, 3, 0] = 0.2
    loss = ohem_binary_cross_entropy_loss(labels, probabilities, hard_fraction=0.25).numpy()
    np.testing.assert_allclose(loss, [-(np.log(0.1) + np.log(0.2)) / 2], rtol=1e-5)
    variable = tf.Variable(probabilities)
    with tf.GradientTape() as tape:
        kept = binary_cross_entropy_loss(labels, variable, hard_fraction=0.25)
    gradient = tape.gradient(kept, variable).numpy()[0, ..., 0]
    assert np.count_nonzero(gradient) == 2
    assert gradient[0, 1] != 0 and gradient[1, 3] != 0


def test_ohem_rounds_up_and_full_fraction_is_the_mean() -> None:
    losses = np.array([[1.0, 5.0, 3.0, 2.0, 4.0]], np.float32)
    np.testing.assert_allclose(hard_example_mean(losses, 0.3).numpy(), [4.5])  # ceil(1.5) = 2
    np.testing.assert_allclose(hard_example_mean(losses, 1.0).numpy(), [3.0])
    np.testing.assert_allclose(hard_example_mean(losses, 0.01).numpy(), [5.0])
    mask = np.array([[1, 0, 1, 1, 0]], np.float32)
    np.testing.assert_allclose(hard_example_mean(losses, 0.5, mask).numpy(), [2.5])  # {3, 2}
    np.testing.assert_allclose(hard_example_mean(losses, 0.5, np.zeros_like(mask)).numpy(), [0.0])


def test_bce_gradients_are_finite_at_certain_predictions() -> None:
    labels = np.array([[[1.0, 0.0]]], np.float32)
    predictions = tf.Variable(np.array([[[0.0, 1.0]]], np.float32))
    with tf.GradientTape() as tape:
        loss = binary_cross_entropy_loss(labels, predictions, hard_fraction=0.5)
    assert np.isfinite(loss.numpy()).all()
    assert np.isfinite(tape.gradient(loss, predictions).numpy()).all()


def test_parsing_cross_entropy_matches_numpy() -> None:
    rng = np.random.default_rng(2)
    labels = np.eye(4, dtype=np.float32)[rng.integers(0, 4, size=(2, 3, 3))]
    logits = rng.normal(size=(2, 3, 3, 4)).astype(np.float32)
    log_softmax = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    expected = -(labels * log_softmax).sum(-1).mean(axis=(1, 2))
    np.testing.assert_allclose(
        parsing_cross_entropy_loss(labels, logits).numpy(), expected, rtol=1e-5
    )
    probabilities = np.exp(log_softmax)
    np.testing.assert_allclose(
        parsing_cross_entropy_loss(labels, probabilities, from_logits=False).numpy(),
        expected,
        rtol=1e-4,
    )


def test_bad_inputs_raise_value_error() -> None:
    with pytest.raises(ValueError, match="hard_fraction"):
        binary_cross_entropy_loss(np.ones((1, 2, 2)), np.ones((1, 2, 2)), hard_fraction=0.0)
    with pytest.raises(ValueError, match="same shape"):
        dice_loss(np.ones((1, 2, 2, 1)), np.ones((1, 2, 2, 2)))
    with pytest.raises(ValueError, match="rank"):
        dice_loss(np.ones((2, 2)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="class reduction"):
        dice_loss(np.ones((1, 2, 2)), np.ones((1, 2, 2)), class_reduction="max")
