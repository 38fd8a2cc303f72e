"""PacGANPacking: (B, H, W, C) -> (B/m, H, W, m*C)."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tfface.layers import PacGANPacking


@pytest.mark.parametrize("num_packed", [1, 2, 3])
def test_packs_consecutive_samples_on_channels(rng, num_packed) -> None:
    x = rng.normal(size=(6, 3, 2, 4)).astype("float32")
    layer = PacGANPacking(num_packed)
    expected = np.stack(
        [
            np.concatenate(list(x[k * num_packed : (k + 1) * num_packed]), axis=-1)
            for k in range(6 // num_packed)
        ]
    )
    out = layer(x)
    np.testing.assert_array_equal(out, expected)
    assert layer.compute_output_shape(x.shape) == expected.shape


def test_batch_not_divisible_raises(rng) -> None:
    x = rng.normal(size=(3, 2, 2, 1)).astype("float32")
    with pytest.raises(ValueError, match="not divisible by num_packed=2"):
        PacGANPacking(2)(x)
    layer = PacGANPacking(2)
    packed = tf.function(layer, input_signature=[tf.TensorSpec((None, 2, 2, 1))])
    assert packed(x[:2]).shape == (1, 2, 2, 2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="not divisible"):
        packed(x)


def test_bad_config_and_rank_raise() -> None:
    with pytest.raises(ValueError, match="num_packed"):
        PacGANPacking(0)
    with pytest.raises(ValueError, match="rank 4"):
        PacGANPacking(2)(np.zeros((4, 3), "float32"))
