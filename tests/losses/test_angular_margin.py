"""ArcFace / CosFace / normalised-softmax logits against a NumPy reference (Deng et al. 2019)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import tensorflow as tf

from tfface.losses.angular_margin import COSINE_EPSILON, margin_cross_entropy, margin_logits


def reference_logits(cosine, labels, form, scale, margin, easy_margin=False) -> np.ndarray:
    """Independent formula: theta = arccos(cos); the target's cos(theta + m) where theta + m
    stays in [0, pi] (easy margin: where theta < pi/2), else the fallback."""
    cosine = np.clip(np.asarray(cosine, np.float64), -1 + COSINE_EPSILON, 1 - COSINE_EPSILON)
    logits = cosine.copy()
    for row, label in enumerate(labels):
        value = cosine[row, label]
        theta = math.acos(value)
        if form == "cosface":
            logits[row, label] = value - margin
        elif form == "arcface":
            if easy_margin:
                logits[row, label] = math.cos(theta + margin) if value > 0 else value
            elif theta + margin < math.pi:
                logits[row, label] = math.cos(theta + margin)
            else:
                logits[row, label] = value - margin * math.sin(margin)
    return scale * logits


@pytest.mark.parametrize(
    ("form", "margin", "easy"),
    [
        ("arcface", 0.5, False),
        ("arcface", 0.5, True),
        ("cosface", 0.35, False),
        ("softmax", 0.5, False),
    ],
)
def test_logits_match_the_reference_and_change_only_the_target(form, margin, easy) -> None:
    rng = np.random.default_rng(0)
    cosine = rng.uniform(-1, 1, (6, 5))
    cosine[0, 2], cosine[1, 0], cosine[2, 4] = 1.0, -1.0, math.cos(math.pi - 0.5) - 1e-3
    labels = np.array([2, 0, 4, 1, 3, 3])
    logits = margin_logits(tf.constant(cosine, tf.float32), labels, form, 64.0, margin, easy)
    expected = reference_logits(cosine, labels, form, 64.0, margin, easy)
    np.testing.assert_allclose(logits.numpy(), expected, atol=2e-3)
    off_target = np.ones_like(cosine, bool)
    off_target[np.arange(6), labels] = False
    np.testing.assert_allclose(
        logits.numpy()[off_target],
        64.0 * np.clip(cosine, -1 + COSINE_EPSILON, 1 - COSINE_EPSILON)[off_target],
        rtol=1e-5,
    )


def test_arcface_is_finite_with_finite_gradients_at_theta_zero_and_pi() -> None:
    cosine = tf.Variable([[1.0, -1.0, 0.0], [-1.0, 1.0, 0.2], [0.9999999, 0.3, -0.9999999]])
    labels = tf.constant([0, 0, 2])
    for easy in (False, True):
        with tf.GradientTape() as tape:
            loss = margin_cross_entropy(cosine, labels, margin=0.5, easy_margin=easy)
        gradient = tape.gradient(loss, cosine)
        assert np.isfinite(loss.numpy()).all() and np.isfinite(gradient.numpy()).all()
    # The target logit decreases with theta everywhere (the fallback keeps it monotonic).
    grid = np.cos(np.linspace(0, math.pi, 200))[:, None]
    target = margin_logits(tf.constant(grid, tf.float32), np.zeros(200, int), "arcface", 1.0, 0.5)
    assert np.all(np.diff(target.numpy()[:, 0]) <= 1e-6)


def test_cross_entropy_is_the_softmax_of_the_margin_logits() -> None:
    rng = np.random.default_rng(1)
    cosine = rng.uniform(-1, 1, (4, 7)).astype(np.float32)
    labels = np.array([0, 6, 3, 3])
    logits = reference_logits(cosine, labels, "arcface", 30.0, 0.4)
    shifted = logits - logits.max(axis=1, keepdims=True)
    expected = -(shifted[np.arange(4), labels] - np.log(np.exp(shifted).sum(axis=1)))
    loss = margin_cross_entropy(cosine, labels, scale=30.0, margin=0.4)
    assert loss.shape == (4,)
    np.testing.assert_allclose(loss.numpy(), expected, rtol=1e-4)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (dict(form="sphere"), "margin form"),
        (dict(scale=0.0), "scale must be positive"),
        (dict(margin=2.0), "margin must lie"),
        (dict(margin=-0.1, form="cosface"), "margin must lie"),
    ],
)
def test_bad_arguments_are_refused(arguments, message) -> None:
    with pytest.raises(ValueError, match=message):
        margin_logits(tf.zeros((2, 3)), tf.constant([0, 1]), **arguments)


def test_cosine_must_be_a_matrix() -> None:
    with pytest.raises(ValueError, match=r"cosine must be \(B, C\)"):
        margin_logits(tf.zeros((2, 3, 1)), tf.constant([0, 1]))
