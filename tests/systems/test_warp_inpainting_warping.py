"""Warped candidates of warp inpainting against direct NumPy constructions."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from tfface.ops.hole_filling import nearest_fill
from tfface.systems.warp_inpainting.warping import (
    flatten_candidates,
    mix_candidates,
    split_flows,
    warp_known_pixels,
)


def inputs(seed: int = 0) -> tuple[tf.Tensor, tf.Tensor]:
    rng = np.random.default_rng(seed)
    image = rng.uniform(-1, 1, (2, 12, 10, 3)).astype(np.float32)
    known = np.ones((2, 12, 10, 1), np.float32)
    known[:, 3:7, 2:6] = 0.0
    return tf.constant(image * known), tf.constant(known)


def test_zero_flows_give_the_nearest_fill_for_both_samplers() -> None:
    masked, known = inputs()
    flows = tf.zeros([2, 3, 12, 10, 2])
    expected = nearest_fill(masked, known).numpy()
    for sampler in ("forward", "backward"):
        warped = warp_known_pixels(masked, known, flows, sampler).numpy()  # (2, 3, 12, 10, 3)
        for field in range(3):
            np.testing.assert_allclose(warped[:, field], expected, atol=1e-5)


def test_integer_translation_moves_known_pixels_and_only_known_pixels() -> None:
    masked, known = inputs(1)
    shift = np.zeros((2, 1, 12, 10, 2), np.float32)
    shift[..., 0] = 2.0  # every pixel 2 columns to the right
    forward = warp_known_pixels(masked, known, tf.constant(shift), "forward").numpy()[:, 0]
    moved = np.zeros_like(masked.numpy())
    moved[:, :, 2:] = masked.numpy()[:, :, :-2]
    moved_known = np.zeros_like(known.numpy())
    moved_known[:, :, 2:] = known.numpy()[:, :, :-2]
    np.testing.assert_allclose(forward, nearest_fill(moved, moved_known).numpy(), atol=1e-5)
    # backward: out[p, q] = x[p, q + 2], i.e. a shift to the left
    backward = warp_known_pixels(masked, known, tf.constant(shift), "backward").numpy()[:, 0]
    pulled = np.zeros_like(masked.numpy())
    pulled[:, :, :-2] = masked.numpy()[:, :, 2:]
    pulled_known = np.zeros_like(known.numpy())
    pulled_known[:, :, :-2] = known.numpy()[:, :, 2:]
    np.testing.assert_allclose(backward, nearest_fill(pulled, pulled_known).numpy(), atol=1e-5)


def test_flow_layout_and_softmax_mixture() -> None:
    regressed = tf.reshape(tf.range(2 * 4 * 4 * 6, dtype=tf.float32), [2, 4, 4, 6])
    flows = split_flows(regressed, 3).numpy()  # (2, 3, 4, 4, 2)
    np.testing.assert_array_equal(flows[1, 2, 3, 1], regressed.numpy()[1, 3, 1, 4:6])
    candidates = tf.random.stateless_uniform([2, 4, 4, 4, 3], [1, 2])  # (B, K + 1, S, S, 3)
    flat = flatten_candidates(candidates).numpy()  # (2, 4, 4, 12)
    np.testing.assert_array_equal(flat[0, 1, 2, 6:9], candidates.numpy()[0, 2, 1, 2])
    logits = tf.constant(np.where(np.arange(4) == 2, 50.0, 0.0), tf.float32) * tf.ones([2, 4, 4, 4])
    image, weights = mix_candidates(candidates, logits)
    np.testing.assert_allclose(weights.numpy().sum(-1), 1.0, atol=1e-6)
    np.testing.assert_allclose(image.numpy(), candidates.numpy()[:, 2], atol=1e-5)
