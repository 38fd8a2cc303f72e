"""SelfAttention (SAGAN, Yin 2022 Eqs. 2.62-2.64) against NumPy."""

from __future__ import annotations

import numpy as np
import pytest

from tfface.layers import SelfAttention


def numpy_self_attention(x, layer, gamma):
    """Eqs. 2.62-2.64 written with explicit positions i (source) and j (output)."""

    def conv1x1(conv, features):
        return features @ np.asarray(conv.kernel)[0, 0] + np.asarray(conv.bias)

    batch, height, width, channels = x.shape
    flat = x.reshape(batch, height * width, channels).astype(np.float64)
    f, g, h = (conv1x1(conv, flat) for conv in (layer.f_conv, layer.g_conv, layer.h_conv))
    out = np.empty_like(flat)
    for b in range(batch):
        s = f[b] @ g[b].T  # s[i, j] = f(x_i)^T g(x_j)
        beta = np.exp(s - s.max(axis=0)) / np.exp(s - s.max(axis=0)).sum(axis=0)  # over i
        o = beta.T @ h[b]  # o_j = sum_i beta_{j,i} h(x_i)
        out[b] = gamma * o + flat[b]
    return out.reshape(x.shape)


def test_starts_as_identity(rng) -> None:
    x = rng.normal(size=(2, 4, 3, 16)).astype("float32")
    layer = SelfAttention()
    np.testing.assert_array_equal(layer(x), x)
    assert float(layer.gamma) == 0.0
    assert layer.f_conv.kernel.shape == (1, 1, 16, 2)  # channel reduction 8
    assert layer.h_conv.kernel.shape == (1, 1, 16, 16)


def test_matches_numpy_with_gamma_set(rng, randomize) -> None:
    x = rng.normal(size=(2, 3, 4, 8)).astype("float32")
    layer = SelfAttention(reduction=4)
    layer.build(x.shape)
    randomize(layer, rng, scale=0.5)
    layer.gamma.assign(0.7)
    np.testing.assert_allclose(layer(x), numpy_self_attention(x, layer, 0.7), rtol=1e-4, atol=1e-4)


def test_spectral_norm_variant_runs(rng) -> None:
    x = rng.normal(size=(1, 2, 2, 8)).astype("float32")
    layer = SelfAttention(use_spectral_norm=True)
    assert layer(x, training=True).shape == x.shape


def test_bad_config_and_inputs_raise() -> None:
    with pytest.raises(ValueError, match="reduction"):
        SelfAttention(reduction=0)
    with pytest.raises(ValueError, match="rank 4"):
        SelfAttention()(np.zeros((2, 16, 8), "float32"))
