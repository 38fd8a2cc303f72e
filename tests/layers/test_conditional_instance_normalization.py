"""ConditionalInstanceNormalization on flattened 3D landmarks against NumPy."""

from __future__ import annotations

import numpy as np
import pytest

from tfface.layers import ConditionalInstanceNormalization


@pytest.mark.parametrize("hidden_units", [None, 6])
def test_matches_numpy(ref, rng, randomize, hidden_units) -> None:
    x = rng.normal(size=(2, 5, 5, 4)).astype("float32")
    landmarks = rng.normal(size=(2, 68, 3)).astype("float32")
    layer = ConditionalInstanceNormalization(hidden_units=hidden_units)
    layer.build([x.shape, landmarks.shape])
    randomize(layer, rng, scale=0.05)
    condition = landmarks.reshape(2, -1).astype(np.float64)
    if hidden_units is not None:
        condition = ref.relu(condition @ np.asarray(layer.hidden.kernel) + layer.hidden.bias)
    gamma = 1 + condition @ np.asarray(layer.gamma_dense.kernel) + layer.gamma_dense.bias
    beta = condition @ np.asarray(layer.beta_dense.kernel) + layer.beta_dense.bias
    expected = ref.instance_norm(x) * gamma[:, None, None] + beta[:, None, None]
    np.testing.assert_allclose(layer([x, landmarks]), expected, rtol=1e-4, atol=1e-4)


def test_bad_config_and_inputs_raise() -> None:
    with pytest.raises(ValueError, match="hidden_units"):
        ConditionalInstanceNormalization(hidden_units=0)
    x = np.zeros((2, 4, 4, 3), "float32")
    with pytest.raises(ValueError, match="condition must be"):
        ConditionalInstanceNormalization()([x, np.zeros((2,), "float32")])
    with pytest.raises(ValueError, match="features must have rank 4"):
        ConditionalInstanceNormalization()([x[0], np.zeros((2, 3), "float32")])
