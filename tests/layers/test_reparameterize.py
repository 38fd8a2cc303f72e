"""Reparameterize: z = mu + exp(0.5 logvar) eps, seeded; mu at inference."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tfface.layers import Reparameterize


def test_inference_returns_mu_unless_sampling_is_requested(rng) -> None:
    mu = rng.normal(size=(4, 3)).astype("float32")
    logvar = np.zeros_like(mu)
    layer = Reparameterize(seed=0)
    np.testing.assert_array_equal(layer([mu, logvar], training=False), mu)
    np.testing.assert_array_equal(layer([mu, logvar]), mu)
    assert np.abs(np.asarray(layer([mu, logvar], sample=True)) - mu).min() > 0
    always = Reparameterize(seed=0, sample=True)
    assert np.abs(np.asarray(always([mu, logvar], training=False)) - mu).min() > 0


def test_sample_mean_and_variance() -> None:
    mu = np.full((20000,), 1.5, "float32")
    logvar = np.full((20000,), np.log(0.25), "float32")
    z = np.asarray(Reparameterize(seed=7)([mu, logvar], training=True))
    assert abs(z.mean() - 1.5) < 0.02  # standard error 0.0035
    assert abs(z.std() - 0.5) < 0.02


def test_seed_determinism_and_fresh_noise_per_call() -> None:
    mu, logvar = np.zeros((8, 4), "float32"), np.zeros((8, 4), "float32")
    first, second = Reparameterize(seed=3), Reparameterize(seed=3)
    a1, a2 = first([mu, logvar], training=True), first([mu, logvar], training=True)
    b1 = second([mu, logvar], training=True)
    np.testing.assert_array_equal(a1, b1)
    assert not np.allclose(a1, a2)
    c1 = Reparameterize(seed=4)([mu, logvar], training=True)
    assert not np.allclose(a1, c1)


def test_gradients_flow_to_mu_and_logvar() -> None:
    mu = tf.Variable(np.zeros((5,), "float32"))
    logvar = tf.Variable(np.full((5,), 0.4, "float32"))
    layer = Reparameterize(seed=1)
    with tf.GradientTape() as tape:
        z = layer([mu, logvar], training=True)
    grad_mu, grad_logvar = tape.gradient(z, [mu, logvar])
    epsilon = (np.asarray(z) - 0.0) / np.exp(0.2)
    np.testing.assert_allclose(grad_mu, np.ones(5))
    np.testing.assert_allclose(grad_logvar, 0.5 * np.exp(0.2) * epsilon, rtol=1e-5)


def test_bad_inputs_raise() -> None:
    with pytest.raises(ValueError, match="equal shapes"):
        Reparameterize()([np.zeros((2, 3), "float32"), np.zeros((2, 4), "float32")])
    with pytest.raises(ValueError, match="list of 2"):
        Reparameterize()(np.zeros((2, 3), "float32"))
    with pytest.raises(ValueError, match="seed"):
        Reparameterize(seed="one")
