"""AdaIN (learned from a style vector and with external parameters) against NumPy."""

from __future__ import annotations

import numpy as np
import pytest

from tfface.layers import AdaIN


def test_learned_style_affine_matches_numpy(ref, rng, randomize) -> None:
    content = rng.normal(1.0, 2.0, size=(3, 5, 4, 6)).astype("float32")
    style = rng.normal(size=(3, 7)).astype("float32")
    layer = AdaIN()
    layer.build([content.shape, style.shape])
    randomize(layer, rng)
    kernel, bias = np.asarray(layer.style_affine.kernel), np.asarray(layer.style_affine.bias)
    assert kernel.shape == (7, 12)
    expected = ref.adain_learned(content, style, kernel, bias)
    np.testing.assert_allclose(layer([content, style]), expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("parameter_shape", ["flat", "broadcast"])
def test_external_gamma_beta_is_equation_2_8(ref, rng, parameter_shape) -> None:
    content = rng.normal(size=(2, 4, 4, 3)).astype("float32")
    gamma = rng.uniform(0.5, 2.0, size=(2, 3)).astype("float32")
    beta = rng.normal(size=(2, 3)).astype("float32")
    if parameter_shape == "broadcast":
        gamma, beta = gamma[:, None, None], beta[:, None, None]
    layer = AdaIN()
    out = layer([content, gamma, beta])
    expected = ref.instance_norm(content) * gamma.reshape(2, 1, 1, 3) + beta.reshape(2, 1, 1, 3)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    assert not layer.weights


def test_style_statistics_transfer(rng) -> None:
    """gamma = std(style features), beta = mean(style features): output takes those stats."""
    content = rng.normal(size=(2, 8, 8, 3)).astype("float32")
    style = rng.normal(5.0, 3.0, size=(2, 8, 8, 3)).astype("float32")
    gamma, beta = style.std(axis=(1, 2)), style.mean(axis=(1, 2))
    out = np.asarray(AdaIN(epsilon=1e-8)([content, gamma, beta]))
    np.testing.assert_allclose(out.mean(axis=(1, 2)), beta, atol=1e-4)
    np.testing.assert_allclose(out.std(axis=(1, 2)), gamma, rtol=1e-4)


def test_bad_inputs_raise() -> None:
    content = np.zeros((2, 4, 4, 3), "float32")
    with pytest.raises(ValueError, match="list of 2 or 3"):
        AdaIN()(content)
    with pytest.raises(ValueError, match="content must have rank 4"):
        AdaIN()([np.zeros((2, 4, 3), "float32"), np.zeros((2, 5), "float32")])
    with pytest.raises(ValueError, match="style must have rank 2"):
        AdaIN()([content, np.zeros((2, 5, 1), "float32")])
    with pytest.raises(ValueError, match="gamma must be"):
        AdaIN()([content, np.ones((2, 4), "float32"), np.zeros((2, 3), "float32")])
    with pytest.raises(ValueError, match="epsilon"):
        AdaIN(epsilon=-1.0)
