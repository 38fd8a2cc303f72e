"""Identity distances, latent reconstruction, style-diversity ratio, KL divergence."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from scipy import integrate, stats

from tfface.losses import (
    identity_cosine_distance,
    identity_l1_distance,
    identity_l2_distance,
    kl_divergence_loss,
    latent_reconstruction_loss,
    style_diversity_ratio,
)


def test_cosine_distance_hand_computed() -> None:
    first = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]], np.float32)
    second = np.array([[0.0, 3.0], [2.0, 2.0], [-1.0, -2.0]], np.float32)
    np.testing.assert_allclose(
        identity_cosine_distance(first, second).numpy(), [1, 0, 2], atol=1e-6
    )


def test_cosine_distance_of_a_zero_embedding_is_finite() -> None:
    first = tf.Variable(np.zeros((1, 4), np.float32))
    with tf.GradientTape() as tape:
        loss = identity_cosine_distance(first, np.ones((1, 4), np.float32))
    np.testing.assert_allclose(loss.numpy(), [1.0])
    assert np.isfinite(tape.gradient(loss, first).numpy()).all()


def test_l1_and_l2_identity_distances() -> None:
    first = np.array([[1.0, -2.0, 0.0, 3.0]], np.float32)
    second = np.array([[0.0, 0.0, 0.0, -1.0]], np.float32)
    np.testing.assert_allclose(identity_l1_distance(first, second).numpy(), [7 / 4])
    np.testing.assert_allclose(identity_l1_distance(first, second, "sum").numpy(), [7.0])
    np.testing.assert_allclose(
        identity_l2_distance(first, second).numpy(), [np.sqrt(21) / 4], rtol=1e-6
    )
    np.testing.assert_allclose(
        identity_l2_distance(first, second, divide_by_dimension=False).numpy(),
        [np.sqrt(21)],
        rtol=1e-6,
    )


def test_latent_reconstruction_is_mean_or_sum_absolute_error() -> None:
    latents = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]], np.float32)
    estimates = np.array([[1.5, 2.0, 2.0], [0.0, 0.0, 0.0]], np.float32)
    np.testing.assert_allclose(latent_reconstruction_loss(latents, estimates).numpy(), [0.5, 0.0])
    np.testing.assert_allclose(
        latent_reconstruction_loss(latents, estimates, "sum").numpy(), [1.5, 0.0]
    )


def test_style_diversity_ratio() -> None:
    first = np.zeros((2, 2, 2, 3), np.float32)
    second = np.full((2, 2, 2, 3), 0.5, np.float32)
    second[1] = 1.0
    z1 = np.zeros((2, 4), np.float32)
    z2 = np.array([[1.0, 1.0, 1.0, 1.0], [2.0, 2.0, 0.0, 0.0]], np.float32)
    ratio = style_diversity_ratio(first, second, z1, z2, epsilon=0.0).numpy()
    np.testing.assert_allclose(ratio, [0.5 / 1.0, 1.0 / 1.0])
    constant = style_diversity_ratio(first, second, z1, z2, latent_distance="constant").numpy()
    np.testing.assert_allclose(constant, [0.5, 1.0])

    def double_l1(a: tf.Tensor, b: tf.Tensor) -> tf.Tensor:
        return 2.0 * tf.reduce_mean(tf.abs(a - b), axis=[1, 2, 3])

    custom = style_diversity_ratio(first, second, z1, z2, "constant", image_distance=double_l1)
    np.testing.assert_allclose(custom.numpy(), [1.0, 2.0])


def numeric_kl(mean: float, log_variance: float) -> float:
    q = stats.norm(mean, np.exp(0.5 * log_variance))
    p = stats.norm(0.0, 1.0)
    value, _ = integrate.quad(lambda x: q.pdf(x) * (q.logpdf(x) - p.logpdf(x)), -30, 30)
    return value


def test_kl_divergence_closed_form_matches_numerical_integration() -> None:
    mean = np.array([[0.5, -1.0], [0.0, 0.0]], np.float32)
    log_variance = np.array([[0.3, -0.7], [0.0, 0.0]], np.float32)
    expected = [numeric_kl(0.5, 0.3) + numeric_kl(-1.0, -0.7), 0.0]
    loss = kl_divergence_loss(mean, log_variance).numpy()
    assert loss.shape == (2,)
    np.testing.assert_allclose(loss, expected, rtol=1e-5, atol=1e-7)


def test_bad_inputs_raise_value_error() -> None:
    with pytest.raises(ValueError, match="same shape"):
        kl_divergence_loss(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="at least 2 axes"):
        identity_cosine_distance(np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="latent distance"):
        style_diversity_ratio(np.zeros((1, 2, 2, 3)), np.zeros((1, 2, 2, 3)), None, None, "cosine")
    with pytest.raises(ValueError, match="reduction"):
        identity_l1_distance(np.zeros((1, 3)), np.zeros((1, 3)), "max")
