"""ResizeConv2D: up-sample then stride-1 convolution, against NumPy."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from tfface.layers import ResizeConv2D


@pytest.mark.parametrize("padding", ["same", "reflect"])
def test_nearest_matches_numpy(ref, rng, randomize, padding) -> None:
    x = rng.normal(size=(2, 3, 4, 2)).astype("float32")
    layer = ResizeConv2D(5, kernel_size=3, scale=2, padding=padding)
    layer.build(x.shape)
    randomize(layer, rng)
    resized = np.repeat(np.repeat(x, 2, axis=1), 2, axis=2)  # nearest x2
    if padding == "reflect":
        padded = np.pad(resized, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="reflect")
        expected = ref.conv2d(padded, layer.conv.kernel, layer.conv.bias, padding="valid")
    else:
        expected = ref.conv2d(resized, layer.conv.kernel, layer.conv.bias)
    np.testing.assert_allclose(layer(x), expected, rtol=1e-4, atol=1e-5)


def test_bilinear_matches_numpy(ref, rng, randomize) -> None:
    x = rng.normal(size=(1, 3, 3, 2)).astype("float32")
    layer = ResizeConv2D(2, kernel_size=1, interpolation="bilinear")
    layer.build(x.shape)
    randomize(layer, rng)
    expected = ref.conv2d(ref.bilinear_upsample2x(x), layer.conv.kernel, layer.conv.bias)
    np.testing.assert_allclose(layer(x), expected, rtol=1e-4, atol=1e-5)


def test_no_checkerboard_on_a_constant_image(rng, randomize) -> None:
    """A constant input stays constant; a stride-2 transposed convolution makes a checkerboard."""
    x = np.ones((1, 4, 4, 2), "float32")
    layer = ResizeConv2D(3, scale=2, padding="reflect")
    layer.build(x.shape)
    randomize(layer, rng)
    out = np.asarray(layer(x))
    np.testing.assert_allclose(out, np.broadcast_to(out[:, :1, :1], out.shape), atol=1e-5)
    transposed = keras.layers.Conv2DTranspose(3, 3, strides=2, padding="same")
    interior = np.asarray(transposed(x))[:, 2:-2, 2:-2]
    assert np.abs(interior - interior[:, :1, :1]).max() > 1e-3


def test_bad_config_raises() -> None:
    with pytest.raises(ValueError, match="interpolation"):
        ResizeConv2D(4, interpolation="cubic")
    with pytest.raises(ValueError, match="scale"):
        ResizeConv2D(4, scale=0)
    with pytest.raises(ValueError, match="odd kernel_size"):
        ResizeConv2D(4, kernel_size=4, padding="reflect")
    with pytest.raises(ValueError, match="rank 4"):
        ResizeConv2D(4)(np.zeros((4, 4, 1), "float32"))
