"""SPADE against NumPy with known convolution weights."""

from __future__ import annotations

import numpy as np
import pytest

from tfface.layers import SPADE


@pytest.mark.parametrize("base_norm", ["batch", "instance"])
def test_matches_numpy_with_known_weights(
    ref, rng, randomize, get_spade_weights, base_norm
) -> None:
    x = rng.normal(1.0, 2.0, size=(3, 6, 5, 4)).astype("float32")
    condition = rng.normal(size=(3, 6, 5, 2)).astype("float32")
    layer = SPADE(hidden_filters=5, kernel_size=3, base_norm=base_norm)
    layer.build([x.shape, condition.shape])
    randomize(layer, rng)
    out = layer([x, condition], training=True)
    expected = ref.spade(x, condition, get_spade_weights(layer), base_norm=base_norm)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)


def test_condition_is_resized_nearest_to_the_feature_size(rng, randomize) -> None:
    x = rng.normal(size=(2, 4, 4, 3)).astype("float32")
    small = rng.normal(size=(2, 4, 4, 2)).astype("float32")
    blocky = np.repeat(np.repeat(small, 2, axis=1), 2, axis=2)  # (2, 8, 8, 2), 2x2 blocks
    layer = SPADE(hidden_filters=4)
    layer.build([x.shape, blocky.shape])
    randomize(layer, rng)
    np.testing.assert_allclose(
        layer([x, blocky], training=True), layer([x, small], training=True), atol=1e-6
    )


def test_inference_uses_moving_statistics(ref, rng, get_spade_weights) -> None:
    x = rng.normal(3.0, 1.0, size=(2, 4, 4, 3)).astype("float32")
    condition = rng.normal(size=(2, 4, 4, 1)).astype("float32")
    layer = SPADE(hidden_filters=2, epsilon=1e-3)
    layer([x, condition], training=False)  # fresh moving statistics: mean 0, variance 1
    weights = get_spade_weights(layer)
    hidden = ref.relu(ref.conv2d(condition, weights[0], weights[1]))
    gamma, beta = ref.conv2d(hidden, *weights[2:4]), ref.conv2d(hidden, *weights[4:6])
    expected = x / np.sqrt(1 + 1e-3) * (1 + gamma) + beta
    np.testing.assert_allclose(layer([x, condition], training=False), expected, atol=1e-4)
    assert not layer.batch_norm.trainable_weights  # parameter-free base normalisation


def test_bad_config_and_inputs_raise() -> None:
    with pytest.raises(ValueError, match="base_norm"):
        SPADE(base_norm="group")
    with pytest.raises(ValueError, match="hidden_filters"):
        SPADE(hidden_filters=0)
    x = np.zeros((2, 4, 4, 3), "float32")
    with pytest.raises(ValueError, match="condition must have rank 4"):
        SPADE()([x, np.zeros((2, 4, 4), "float32")])
    with pytest.raises(ValueError, match="list of 2"):
        SPADE()(x)
