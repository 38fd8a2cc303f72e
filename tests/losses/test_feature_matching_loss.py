"""Multi-scale feature matching against NumPy."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tfface.losses import feature_matching_loss


def features(seed: int) -> list[list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    shapes = [
        [(2, 8, 8, 4), (2, 4, 4, 8), (2, 2, 2, 8)],
        [(2, 4, 4, 4), (2, 2, 2, 8), (2, 1, 1, 8)],
    ]
    return [[rng.normal(size=shape).astype(np.float32) for shape in scale] for scale in shapes]


def per_layer(real: np.ndarray, fake: np.ndarray, power: int) -> np.ndarray:
    return (np.abs(fake - real) ** power).reshape(real.shape[0], -1).mean(axis=1)


@pytest.mark.parametrize("distance,power", [("l1", 1), ("l2", 2)])
def test_uniform_weighting_sums_per_layer_means(distance: str, power: int) -> None:
    real, fake = features(0), features(1)
    expected = sum(
        per_layer(r, f, power)
        for real_scale, fake_scale in zip(real, fake, strict=True)
        for r, f in zip(real_scale, fake_scale, strict=True)
    )
    loss = feature_matching_loss(real, fake, distance=distance).numpy()
    assert loss.shape == (2,)
    np.testing.assert_allclose(loss, expected, rtol=1e-5)


def test_pix2pixhd_weighting_is_four_over_layers_times_scales() -> None:
    real, fake = features(2), features(3)
    uniform = feature_matching_loss(real, fake, weighting="uniform").numpy()
    weighted = feature_matching_loss(real, fake, weighting="pix2pixhd").numpy()
    np.testing.assert_allclose(weighted, uniform * 4.0 / (3 * 2), rtol=1e-5)


def test_single_scale_list_and_hand_value() -> None:
    real = [np.zeros((1, 2, 2, 1), np.float32)]
    fake = [np.array([[[[1.0], [-3.0]], [[0.0], [2.0]]]], np.float32)]
    np.testing.assert_allclose(feature_matching_loss(real, fake).numpy(), [1.5])


def test_no_gradient_flows_into_real_features() -> None:
    real = tf.Variable(np.ones((1, 2, 2, 1), np.float32))
    fake = tf.Variable(np.zeros((1, 2, 2, 1), np.float32))
    with tf.GradientTape(persistent=True) as tape:
        loss = feature_matching_loss([real], [fake])
    assert tape.gradient(loss, real) is None
    assert np.all(np.isfinite(tape.gradient(loss, fake).numpy()))


def test_bad_inputs_raise_value_error() -> None:
    real, fake = features(0), features(1)
    with pytest.raises(ValueError, match="scales"):
        feature_matching_loss(real, fake[:1])
    with pytest.raises(ValueError, match="layers"):
        feature_matching_loss([real[0]], [fake[0][:2]])
    with pytest.raises(ValueError, match="same shape"):
        feature_matching_loss([real[0][0]], [real[0][1]])
    with pytest.raises(ValueError, match="weighting"):
        feature_matching_loss(real, fake, weighting="lpips")
    with pytest.raises(ValueError, match="list"):
        feature_matching_loss(tf.zeros((1, 2, 2, 1)), tf.zeros((1, 2, 2, 1)))
