"""Adversarial losses against hand-computed NumPy values."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tfface.losses import (
    ADVERSARIAL_MODES,
    discriminator_adversarial_loss,
    generator_adversarial_loss,
    gradient_penalty,
)


def softplus(x: np.ndarray) -> np.ndarray:
    return np.log1p(np.exp(x))


REAL = np.array([[[[0.5], [-1.0]], [[2.0], [0.0]]], [[[1.5], [0.3]], [[-0.2], [0.7]]]], np.float32)
FAKE = np.array([[[[-0.5], [1.0]], [[0.2], [-2.0]]], [[[0.1], [-0.3]], [[0.4], [1.2]]]], np.float32)


def per_example_mean(values: np.ndarray) -> np.ndarray:
    return values.reshape(values.shape[0], -1).mean(axis=1)


DISCRIMINATOR_REFERENCE = {
    "non_saturating": lambda r, f: per_example_mean(softplus(-r)) + per_example_mean(softplus(f)),
    "original": lambda r, f: per_example_mean(softplus(-r)) + per_example_mean(softplus(f)),
    "least_squares": lambda r, f: (
        per_example_mean(0.5 * (r - 1) ** 2) + per_example_mean(0.5 * f**2)
    ),
    "hinge": lambda r, f: (
        per_example_mean(np.maximum(0, 1 - r)) + per_example_mean(np.maximum(0, 1 + f))
    ),
    "wasserstein": lambda r, f: per_example_mean(f) - per_example_mean(r),
}
GENERATOR_REFERENCE = {
    "non_saturating": lambda f: per_example_mean(softplus(-f)),
    "original": lambda f: per_example_mean(-softplus(f)),
    "least_squares": lambda f: per_example_mean((f - 1) ** 2),
    "hinge": lambda f: per_example_mean(-f),
    "wasserstein": lambda f: per_example_mean(-f),
}


@pytest.mark.parametrize("mode", ADVERSARIAL_MODES)
def test_discriminator_loss_matches_numpy_on_patch_outputs(mode: str) -> None:
    loss = discriminator_adversarial_loss(REAL, FAKE, mode=mode).numpy()
    assert loss.shape == (2,)
    np.testing.assert_allclose(loss, DISCRIMINATOR_REFERENCE[mode](REAL, FAKE), rtol=1e-5)


@pytest.mark.parametrize("mode", ADVERSARIAL_MODES)
def test_generator_loss_matches_numpy_on_patch_outputs(mode: str) -> None:
    loss = generator_adversarial_loss(FAKE, mode=mode).numpy()
    assert loss.shape == (2,)
    np.testing.assert_allclose(loss, GENERATOR_REFERENCE[mode](FAKE), rtol=1e-5, atol=1e-7)


def test_hand_computed_least_squares_values() -> None:
    real = np.array([[1.0], [0.0]], np.float32)  # (B, 1)
    fake = np.array([[0.0], [1.0]], np.float32)
    np.testing.assert_allclose(
        discriminator_adversarial_loss(real, fake, "least_squares").numpy(), [0.0, 1.0]
    )
    np.testing.assert_allclose(
        generator_adversarial_loss(fake, "least_squares").numpy(), [1.0, 0.0]
    )


@pytest.mark.parametrize("mode", ADVERSARIAL_MODES)
def test_multi_scale_outputs_are_summed_over_scales(mode: str) -> None:
    rng = np.random.default_rng(0)
    real = [rng.normal(size=(3, 4, 4, 1)).astype(np.float32), rng.normal(size=(3, 2, 2, 1))]
    fake = [rng.normal(size=(3, 4, 4, 1)).astype(np.float32), rng.normal(size=(3, 2, 2, 1))]
    expected = sum(DISCRIMINATOR_REFERENCE[mode](r, f) for r, f in zip(real, fake, strict=True))
    np.testing.assert_allclose(
        discriminator_adversarial_loss(real, fake, mode).numpy(), expected, rtol=1e-5
    )
    expected_generator = sum(GENERATOR_REFERENCE[mode](f) for f in fake)
    np.testing.assert_allclose(
        generator_adversarial_loss(fake, mode).numpy(), expected_generator, rtol=1e-5, atol=1e-6
    )


def test_probability_outputs_use_logs_of_probabilities() -> None:
    real = np.array([0.9, 0.6], np.float32)
    fake = np.array([0.2, 0.5], np.float32)
    expected = -np.log(real) - np.log(1 - fake)
    loss = discriminator_adversarial_loss(real, fake, from_logits=False).numpy()
    np.testing.assert_allclose(loss, expected, rtol=1e-5)
    np.testing.assert_allclose(
        generator_adversarial_loss(fake, from_logits=False).numpy(), -np.log(fake), rtol=1e-5
    )


@pytest.mark.parametrize("from_logits", [True, False])
def test_gradients_are_finite_at_saturated_outputs(from_logits: bool) -> None:
    values = [-100.0, 100.0] if from_logits else [0.0, 1.0]
    outputs = tf.Variable(np.array(values, np.float32))
    with tf.GradientTape(persistent=True) as tape:
        discriminator = discriminator_adversarial_loss(outputs, outputs, from_logits=from_logits)
        generator = generator_adversarial_loss(outputs, from_logits=from_logits)
    for loss in (discriminator, generator):
        assert np.all(np.isfinite(loss.numpy()))
        assert np.all(np.isfinite(tape.gradient(loss, outputs).numpy()))


def test_bad_inputs_raise_value_error() -> None:
    with pytest.raises(ValueError, match="adversarial mode"):
        generator_adversarial_loss(FAKE, mode="relativistic")
    with pytest.raises(ValueError, match="scales"):
        discriminator_adversarial_loss([REAL, REAL], [FAKE])
    with pytest.raises(ValueError, match="rank"):
        generator_adversarial_loss(np.zeros((1, 1, 1, 1, 1), np.float32))
    with pytest.raises(ValueError, match="empty"):
        generator_adversarial_loss([])


def test_gradient_penalty_of_a_linear_discriminator() -> None:
    rng = np.random.default_rng(1)
    weights = rng.normal(size=(1, 4, 4, 3)).astype(np.float32)

    def discriminator(images: tf.Tensor) -> tf.Tensor:
        return tf.reduce_sum(images * weights, axis=[1, 2, 3])

    real = rng.uniform(-1, 1, size=(2, 4, 4, 3)).astype(np.float32)
    fake = rng.uniform(-1, 1, size=(2, 4, 4, 3)).astype(np.float32)
    penalty = gradient_penalty(discriminator, real, fake, np.array([0.3, 0.9], np.float32))
    expected = (np.linalg.norm(weights) - 1.0) ** 2
    np.testing.assert_allclose(penalty.numpy(), [expected, expected], rtol=1e-5)
