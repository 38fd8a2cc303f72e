"""MultiNorm = AdaIN(SPADE(x, y), s) (or the reverse order) against NumPy."""

from __future__ import annotations

import numpy as np
import pytest

from tfface.layers import MultiNorm


@pytest.mark.parametrize("order", ["spade_first", "adain_first"])
def test_matches_numpy_composition(ref, rng, randomize, get_spade_weights, order) -> None:
    x = rng.normal(size=(3, 4, 4, 4)).astype("float32")
    source = rng.normal(size=(3, 8, 8, 3)).astype("float32")
    source = np.repeat(np.repeat(source[:, ::2, ::2], 2, axis=1), 2, axis=2)  # 2x2 blocks
    style = rng.normal(size=(3, 5)).astype("float32")
    layer = MultiNorm(hidden_filters=4, order=order)
    layer.build([x.shape, source.shape, style.shape])
    randomize(layer, rng)
    out = layer([x, source, style], training=True)

    spade_weights = get_spade_weights(layer.spade)
    kernel, bias = (
        np.asarray(layer.adain.style_affine.kernel),
        np.asarray(layer.adain.style_affine.bias),
    )
    small_source = source[:, ::2, ::2]  # nearest resize of the 2x2-block image to 4x4

    def spade(features):
        return ref.spade(features, small_source, spade_weights)

    def adain(features):
        return ref.adain_learned(features, style, kernel, bias)

    expected = adain(spade(x)) if order == "spade_first" else spade(adain(x))
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)


def test_source_sets_the_layout_and_style_sets_the_statistics(rng) -> None:
    """spade_first: each output channel has the instance statistics AdaIN's style gives it."""
    x = rng.normal(size=(2, 6, 6, 3)).astype("float32")
    source = rng.normal(size=(2, 6, 6, 1)).astype("float32")
    style = rng.normal(size=(2, 4)).astype("float32")
    layer = MultiNorm(hidden_filters=4, epsilon=1e-8)
    out = np.asarray(layer([x, source, style], training=True))
    params = np.asarray(layer.adain.style_affine(style))
    np.testing.assert_allclose(out.mean(axis=(1, 2)), params[:, 3:], atol=1e-4)
    np.testing.assert_allclose(out.std(axis=(1, 2)), np.abs(1 + params[:, :3]), rtol=1e-3)


def test_bad_config_and_inputs_raise() -> None:
    with pytest.raises(ValueError, match="order"):
        MultiNorm(order="both")
    x = np.zeros((2, 4, 4, 3), "float32")
    with pytest.raises(ValueError, match="list of 3"):
        MultiNorm()([x, x])
