"""Graph functions of warp inpainting: K warped candidates of the masked image, and their mixture.

Sevastopolskiy 2019, sec. 3.4 (Fig. 3.5): each of the K warp fields moves the masked image
x = y * m (forward sampler, Eq. 3.4-3.7, or backward sampler, Eq. 3.1-3.3), the holes of
each warped image are filled with their nearest non-hole pixel ("trivial holes fill-in"),
and the merger's softmax weights M mix W = [x, w_1, ..., w_K] per pixel.

Our reading of "warp x": only KNOWN pixels are moved. The image and the known mask are
warped together, [x * m, m]; dividing the colour by the warped mask's weight gives the
bilinear average of the known pixels that arrive (or are sampled), and pixels that receive
(almost) no known weight are holes for `nearest_fill`. Warping the zeros of the holes as
colour would paint black into the candidates.
"""

from __future__ import annotations

import tensorflow as tf

from tfface.ops.hole_filling import nearest_fill
from tfface.ops.warp import backward_warp, forward_warp

MIN_KNOWN_WEIGHT = 1e-3
"""Warped pixels with a smaller share of known weight are holes (the thesis's [w > 0], with a
floor that keeps the division by the weight and its gradient bounded)."""


def warp_known_pixels(
    masked_image: tf.Tensor, known: tf.Tensor, flows: tf.Tensor, sampler: str
) -> tf.Tensor:
    """K warped, hole-filled candidates of the known pixels of each image.

    Args:
        masked_image: float32 (B, S, S, 3) in [-1, 1], x = y * m (holes 0).
        known: float32 (B, S, S, 1) in {0, 1}, m (1 = known pixel).
        flows: float32 (B, K, S, S, 2) pixel offsets (dx, dy): forward motions of the source
            pixels ("forward") or sampling offsets of the target pixels ("backward").
        sampler: "forward" or "backward".

    Returns:
        float32 (B, K, S, S, 3) in [-1, 1]: w_1..w_K, every pixel filled.
    """
    if sampler not in ("forward", "backward"):
        raise ValueError(f"sampler must be 'forward' or 'backward', got {sampler!r}")
    shape = tf.shape(flows)
    batch, fields, height, width = shape[0], shape[1], shape[2], shape[3]
    stacked = tf.concat([masked_image * known, known], axis=-1)  # (B, S, S, 4)
    stacked = tf.repeat(stacked, fields, axis=0)  # (B K, S, S, 4), example-major like flows
    flat_flows = tf.reshape(flows, tf.stack([batch * fields, height, width, 2]))
    if sampler == "forward":
        warped, _ = forward_warp(stacked, flat_flows)  # weights normalised by Eq. 3.7
    else:
        warped = backward_warp(stacked, flat_flows, padding="zeros")
    weight = warped[..., 3:]  # (B K, S, S, 1): share of known pixels arriving
    valid = tf.cast(weight > MIN_KNOWN_WEIGHT, tf.float32)  # no gradient (a comparison)
    colour = warped[..., :3] / tf.maximum(weight, MIN_KNOWN_WEIGHT) * valid
    filled = nearest_fill(colour, valid)  # (B K, S, S, 3)
    return tf.reshape(filled, tf.stack([batch, fields, height, width, 3]))


def split_flows(regressed: tf.Tensor, fields: int) -> tf.Tensor:
    """(B, S, S, 2 K) regressor output [dx_1, dy_1, dx_2, ...] -> (B, K, S, S, 2) flows."""
    shape = tf.shape(regressed)
    flows = tf.reshape(regressed, tf.stack([shape[0], shape[1], shape[2], fields, 2]))
    return tf.transpose(flows, [0, 3, 1, 2, 4])


def stack_candidates(masked_image: tf.Tensor, warped: tf.Tensor) -> tf.Tensor:
    """W = [x, w_1, ..., w_K]: (B, S, S, 3) and (B, K, S, S, 3) -> (B, K + 1, S, S, 3)."""
    return tf.concat([masked_image[:, tf.newaxis], warped], axis=1)


def flatten_candidates(candidates: tf.Tensor) -> tf.Tensor:
    """(B, K + 1, S, S, 3) -> (B, S, S, 3 (K + 1)), the merger's W-bar (channels per image)."""
    shape = tf.shape(candidates)
    channels_last = tf.transpose(candidates, [0, 2, 3, 1, 4])  # (B, S, S, K + 1, 3)
    return tf.reshape(channels_last, tf.stack([shape[0], shape[2], shape[3], -1]))


def mix_candidates(candidates: tf.Tensor, logits: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Softmax mixture of the candidates per pixel (Fig. 3.5: sum_k M(i, j, k) W_k(i, j)).

    Args:
        candidates: float32 (B, K + 1, S, S, 3).
        logits: float32 (B, S, S, K + 1), the merger's output.

    Returns:
        (image float32 (B, S, S, 3), weights M float32 (B, S, S, K + 1) summing to 1).
    """
    weights = tf.nn.softmax(logits, axis=-1)
    image = tf.einsum("bkhwc,bhwk->bhwc", candidates, weights)
    return image, weights
