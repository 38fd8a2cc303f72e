"""InstanceNormalization against NumPy and keras GroupNormalization(groups=-1)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from tfface.layers import InstanceNormalization


def test_matches_numpy_without_affine(ref, rng) -> None:
    x = rng.normal(2.0, 3.0, size=(3, 5, 6, 4)).astype("float32")
    out = InstanceNormalization(affine=False)(x)
    np.testing.assert_allclose(out, ref.instance_norm(x), atol=1e-5)


def test_affine_parameters_scale_and_shift(ref, rng) -> None:
    x = rng.normal(size=(2, 4, 4, 3)).astype("float32")
    layer = InstanceNormalization(epsilon=1e-3)
    layer.build(x.shape)
    gamma, beta = np.array([0.5, 2.0, -1.0]), np.array([0.1, 0.0, 3.0])
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    np.testing.assert_allclose(
        layer(x), ref.instance_norm(x, 1e-3) * gamma + beta, rtol=1e-5, atol=1e-5
    )


@pytest.mark.parametrize("affine", [True, False])
def test_equals_group_normalization_with_one_channel_per_group(rng, affine) -> None:
    x = rng.normal(size=(2, 6, 5, 8)).astype("float32")
    ours = InstanceNormalization(epsilon=1e-4, affine=affine)
    theirs = keras.layers.GroupNormalization(groups=-1, epsilon=1e-4, center=affine, scale=affine)
    np.testing.assert_allclose(ours(x), theirs(x), atol=1e-5)


def test_examples_are_normalised_independently(rng) -> None:
    x = rng.normal(size=(2, 4, 4, 2)).astype("float32")
    changed = x.copy()
    changed[1] *= 10.0
    layer = InstanceNormalization()
    np.testing.assert_allclose(layer(x)[0], layer(changed)[0], atol=1e-6)


def test_bad_rank_and_epsilon_raise() -> None:
    with pytest.raises(ValueError, match="rank 4"):
        InstanceNormalization()(np.zeros((2, 4, 3), "float32"))
    with pytest.raises(ValueError, match="epsilon"):
        InstanceNormalization(epsilon=0.0)
