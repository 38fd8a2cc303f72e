"""ReflectionPadding2D against numpy.pad(mode="reflect")."""

from __future__ import annotations

import numpy as np
import pytest

from tfface.layers import ReflectionPadding2D


@pytest.mark.parametrize(
    ("padding", "numpy_padding"),
    [
        (1, ((1, 1), (1, 1))),
        ((2, 1), ((2, 2), (1, 1))),
        (((0, 3), (2, 1)), ((0, 3), (2, 1))),
    ],
)
def test_matches_numpy_reflect(rng, padding, numpy_padding) -> None:
    x = rng.normal(size=(2, 4, 5, 3)).astype("float32")
    layer = ReflectionPadding2D(padding)
    expected = np.pad(x, ((0, 0), *numpy_padding, (0, 0)), mode="reflect")
    out = layer(x)
    np.testing.assert_array_equal(out, expected)
    assert layer.compute_output_shape(x.shape) == expected.shape


def test_bad_padding_raises() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        ReflectionPadding2D(-1)
    with pytest.raises(ValueError, match="padding must be"):
        ReflectionPadding2D((1, 2, 3))
    with pytest.raises(ValueError, match="smaller than the input height"):
        ReflectionPadding2D(4)(np.zeros((1, 4, 8, 1), "float32"))
    with pytest.raises(ValueError, match="rank 4"):
        ReflectionPadding2D(1)(np.zeros((4, 8, 1), "float32"))
