"""The LPIPS-form distance against NumPy on a stub network; learned weights; the diversity protocol."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from tfface.metrics.diversity import Diversity, pairwise_distance_mean
from tfface.metrics.perceptual import PerceptualDistance

LAYERS = ("low", "high")


def stub_network(images: tf.Tensor) -> dict[str, tf.Tensor]:
    """Two 'layers': the image itself (3 channels) and 2 x 2 pooled squares (3 channels)."""
    return {"low": images, "high": tf.nn.avg_pool2d(tf.square(images), 2, 2, "VALID")}


def numpy_distance(
    first: np.ndarray, second: np.ndarray, weights: dict | None = None
) -> np.ndarray:
    total = 0.0
    for layer in LAYERS:
        features = [
            stub_network(tf.constant(image)).get(layer).numpy() for image in (first, second)
        ]
        normalised = [f / (np.sqrt((f**2).sum(-1, keepdims=True)) + 1e-10) for f in features]
        squared = (normalised[0] - normalised[1]) ** 2
        if weights is not None:
            squared = squared * weights[layer]
        total = total + squared.sum(-1).mean(axis=(1, 2))
    return total


def images(seed: int, count: int = 3) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, (count, 8, 8, 3)).astype(np.float32)


def test_unit_weights_distance_matches_numpy() -> None:
    distance = PerceptualDistance(stub_network, layers=LAYERS, value_range=(-1, 1))
    assert distance.name == "perceptual_unit"
    first, second = images(0), images(1)
    np.testing.assert_allclose(
        distance(first, second).numpy(), numpy_distance(first, second), rtol=1e-5
    )
    np.testing.assert_allclose(distance(first, first).numpy(), 0.0, atol=1e-7)


def test_learned_weights_load_from_npz(tmp_path: Path) -> None:
    weights = {"low": np.array([1.0, 0.0, 2.0]), "high": np.array([0.5, 0.5, 0.5])}
    path = tmp_path / "lin.npz"
    np.savez(path, lin0=weights["low"], high=weights["high"])  # position or layer-name keys
    distance = PerceptualDistance(stub_network, layers=LAYERS, linear_weights=path)
    assert distance.name == "perceptual_lpips"
    first, second = images(2), images(3)
    np.testing.assert_allclose(
        distance(first, second).numpy(), numpy_distance(first, second, weights), rtol=1e-5
    )
    np.savez(path, lin0=-weights["low"], high=weights["high"])
    with pytest.raises(ValueError, match="non-negative"):
        PerceptualDistance(stub_network, layers=LAYERS, linear_weights=path)


def test_diversity_is_mean_pairwise_distance_and_zero_for_copies() -> None:
    distance = PerceptualDistance(stub_network, layers=LAYERS, value_range=(-1, 1))
    samples = images(4, count=4)  # M = 4 samples of one input
    pairs = [(i, j) for i in range(4) for j in range(i + 1, 4)]
    expected = np.mean(
        [numpy_distance(samples[i : i + 1], samples[j : j + 1])[0] for i, j in pairs]
    )
    assert pairwise_distance_mean(tf.constant(samples), distance) == pytest.approx(
        expected, rel=1e-5
    )
    plain = lambda a, b: distance(a, b)  # noqa: E731  (no `pairwise`: the generic path)
    assert pairwise_distance_mean(tf.constant(samples), plain) == pytest.approx(expected, rel=1e-5)

    diversity = Diversity(distance)
    copies = np.repeat(images(5, count=1)[None], 3, axis=1)  # (N=1, M=3, ...) identical samples
    diversity.update(copies)
    diversity.update(samples)
    result = diversity.result()
    assert result.inputs == 2 and result.samples_per_input == 4
    assert result.mean == pytest.approx(expected / 2, rel=1e-5)
