"""GatedConv2D: ELU(features) * sigmoid(gating) (Sevastopolskiy 2019, Sec. 3.3) vs NumPy."""

from __future__ import annotations

import numpy as np
import pytest

from tfface.layers import GatedConv2D


def elu(x):
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


@pytest.mark.parametrize("activation", ["elu", None])
def test_matches_formula(ref, rng, randomize, activation) -> None:
    x = rng.normal(size=(2, 5, 6, 3)).astype("float32")
    layer = GatedConv2D(4, kernel_size=3, activation=activation)
    layer.build(x.shape)
    randomize(layer, rng, scale=0.5)
    kernel, bias = np.asarray(layer.conv.kernel), np.asarray(layer.conv.bias)
    features = ref.conv2d(x, kernel[..., :4], bias[:4])  # W_f
    gating = ref.conv2d(x, kernel[..., 4:], bias[4:])  # W_g
    expected = (elu(features) if activation else features) * sigmoid(gating)
    np.testing.assert_allclose(layer(x), expected, rtol=1e-4, atol=1e-5)


def test_strides_dilation_and_spectral_norm_shapes(rng) -> None:
    x = rng.normal(size=(1, 8, 8, 2)).astype("float32")
    assert GatedConv2D(3, strides=2)(x).shape == (1, 4, 4, 3)
    assert GatedConv2D(3, dilation_rate=2, padding="valid")(x).shape == (1, 4, 4, 3)
    layer = GatedConv2D(3, use_spectral_norm=True)
    assert layer(x, training=True).shape == (1, 8, 8, 3)
    assert any("vector_u" in w.path for w in layer.weights)


def test_bad_config_raises() -> None:
    with pytest.raises(ValueError, match="filters"):
        GatedConv2D(0)
    with pytest.raises(ValueError, match="padding"):
        GatedConv2D(4, padding="reflect")
    with pytest.raises(ValueError, match="strides and dilation_rate"):
        GatedConv2D(4, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="unknown activation"):
        GatedConv2D(4, activation="nope")
    with pytest.raises(ValueError, match="rank 4"):
        GatedConv2D(4)(np.zeros((2, 3, 3), "float32"))
