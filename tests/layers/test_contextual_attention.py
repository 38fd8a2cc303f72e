"""Contextual attention (Yu et al. 2018): self-copy, no copying from holes, gradients, config."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tfface.layers.contextual_attention import ContextualAttention


@pytest.fixture
def features() -> tf.Tensor:
    return tf.constant(np.random.default_rng(0).normal(size=(2, 16, 16, 5)).astype(np.float32))


def test_without_holes_a_sharp_attention_copies_every_patch_onto_itself(features) -> None:
    """Each patch matches itself best (cosine), so the pasted 4 x 4 patches rebuild the map."""
    layer = ContextualAttention(rate=2, softmax_scale=1000.0, fuse=False)
    output = layer([features, tf.zeros([2, 16, 16, 1])]).numpy()
    # Border pixels are covered by fewer than the 4 overlapping patches the average assumes.
    np.testing.assert_allclose(output[:, 2:-2, 2:-2], features.numpy()[:, 2:-2, 2:-2], atol=1e-5)


def test_holes_are_filled_from_known_patches_only(features) -> None:
    hole = np.zeros((2, 16, 16, 1), np.float32)
    hole[:, 4:12, 4:12] = 1.0
    poisoned = features.numpy().copy()
    poisoned[:, 4:12, 4:12] = 100.0  # hole content must never be copied
    for fuse in (False, True):
        output = ContextualAttention(fuse=fuse)([tf.constant(poisoned), tf.constant(hole)])
        assert output.shape == (2, 16, 16, 5)
        assert np.abs(output.numpy()).max() < 10.0


def test_gradients_config_and_shape_checks(features) -> None:
    layer = ContextualAttention(rate=2, softmax_scale=5.0)
    hole = tf.zeros([2, 16, 16, 1])
    with tf.GradientTape() as tape:
        tape.watch(features)
        loss = tf.reduce_sum(tf.square(layer([features, hole])))
    gradient = tape.gradient(loss, features).numpy()
    assert np.isfinite(gradient).all() and np.abs(gradient).max() > 0
    clone = ContextualAttention.from_config(layer.get_config())
    assert (clone.rate, clone.softmax_scale, clone.fuse) == (2, 5.0, True)
    with pytest.raises(ValueError, match="divisible by rate 4"):
        ContextualAttention(rate=4)([tf.zeros([1, 6, 6, 2]), tf.zeros([1, 6, 6, 1])])
    with pytest.raises(ValueError, match="positive integer"):
        ContextualAttention(rate=0)
    with pytest.raises(ValueError, match="must equal the feature size"):
        ContextualAttention()([tf.zeros([1, 8, 8, 2]), tf.zeros([1, 16, 16, 1])])
    with pytest.raises(ValueError, match="needs 1 channel"):
        ContextualAttention()([tf.zeros([1, 8, 8, 2]), tf.zeros([1, 8, 8, 3])])
