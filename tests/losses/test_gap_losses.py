"""Gap-discriminator losses (Sevastopolskiy 2019 Eq. 3.12 and the two generator forms)."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tfface.losses import gap_discriminator_loss, gap_generator_loss

MASK = np.array([[1.0, 1.0], [1.0, 0.0]], np.float32).reshape(1, 2, 2, 1)  # one hole
PREDICTIONS = np.array([[0.9, 0.6], [0.8, 0.3]], np.float32).reshape(1, 2, 2, 1)


def test_balanced_discriminator_loss_hand_computed() -> None:
    expected = -((np.log(0.9) + np.log(0.6) + np.log(0.8)) / 3 + np.log(1 - 0.3))
    loss = gap_discriminator_loss(MASK, PREDICTIONS).numpy()
    assert loss.shape == (1,)
    np.testing.assert_allclose(loss, [expected], rtol=1e-5)


def test_unbalanced_discriminator_loss_is_the_pixel_mean() -> None:
    expected = -(np.log(0.9) + np.log(0.6) + np.log(0.8) + np.log(0.7)) / 4
    np.testing.assert_allclose(
        gap_discriminator_loss(MASK, PREDICTIONS, balanced=False).numpy(), [expected], rtol=1e-5
    )


@pytest.mark.parametrize("holes", [1, 5, 20])
def test_classes_weigh_the_same_whatever_their_size(holes: int) -> None:
    mask = np.ones((1, 5, 5, 1), np.float32)
    mask.reshape(-1)[:holes] = 0.0
    logits = tf.Variable(np.zeros((1, 5, 5, 1), np.float32))  # h = 0.5 everywhere
    with tf.GradientTape() as tape:
        loss = gap_discriminator_loss(mask, logits, from_logits=True)
    np.testing.assert_allclose(loss.numpy(), [2 * np.log(2.0)], rtol=1e-5)
    gradient = np.abs(tape.gradient(loss, logits).numpy())
    np.testing.assert_allclose(gradient[mask == 0].sum(), gradient[mask == 1].sum(), rtol=1e-5)


def test_generator_forms_hand_computed() -> None:
    holes = gap_generator_loss(MASK, PREDICTIONS, "holes").numpy()
    np.testing.assert_allclose(holes, [-np.log(0.3)], rtol=1e-5)
    all_pixels = gap_generator_loss(MASK, PREDICTIONS, "all_pixels").numpy()
    expected = -np.mean(np.log(1 - PREDICTIONS + 1e-7))
    np.testing.assert_allclose(all_pixels, [expected], rtol=1e-5)
    zero_sum = gap_generator_loss(MASK, PREDICTIONS, "zero_sum").numpy()
    np.testing.assert_allclose(zero_sum, -gap_discriminator_loss(MASK, PREDICTIONS).numpy())


def test_logits_and_probabilities_agree() -> None:
    logits = np.log(PREDICTIONS / (1 - PREDICTIONS))
    for form in ("holes", "all_pixels", "zero_sum"):
        np.testing.assert_allclose(
            gap_generator_loss(MASK, logits, form, from_logits=True).numpy(),
            gap_generator_loss(MASK, PREDICTIONS, form).numpy(),
            rtol=1e-4,
        )


def test_examples_without_holes_or_known_pixels_stay_finite() -> None:
    mask = np.stack([np.ones((3, 3)), np.zeros((3, 3))]).astype(np.float32)  # (2, 3, 3)
    predictions = tf.Variable(np.full((2, 3, 3), 0.5, np.float32))
    with tf.GradientTape(persistent=True) as tape:
        discriminator = gap_discriminator_loss(mask, predictions)
        generator = gap_generator_loss(mask, predictions)
    np.testing.assert_allclose(discriminator.numpy(), [np.log(2.0)] * 2, rtol=1e-5)
    np.testing.assert_allclose(generator.numpy(), [0.0, np.log(2.0)], rtol=1e-5)
    for loss in (discriminator, generator):
        assert np.isfinite(tape.gradient(loss, predictions).numpy()).all()


def test_bad_inputs_raise_value_error() -> None:
    with pytest.raises(ValueError, match="form"):
        gap_generator_loss(MASK, PREDICTIONS, "minimax")
    with pytest.raises(ValueError, match="same shape"):
        gap_discriminator_loss(MASK, np.zeros((1, 4, 4, 1), np.float32))
    with pytest.raises(ValueError, match="rank"):
        gap_discriminator_loss(MASK[0, ..., 0], PREDICTIONS[0, ..., 0])
