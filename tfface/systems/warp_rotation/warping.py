"""Graph functions of the warp_rotation forward pass: network inputs and the two samplers.

Sevastopolskiy 2019 sec. 3.3 (Fig. 3.3): the warp-field regressor receives the image and
"two additional mesh grid arrays encoding pixel rows and columns"; its offsets w_delta are
added to the mesh grid, w = mesh + w_delta, and w is passed to a forward sampler (or a
backward sampler, "the same construction could be used to regress a backward warp field").
Grids are normalised to [-1, 1], x first, align-corners (`tfface.ops.grids`); the samplers
take pixel flows, so the field is converted with `grids.grid_to_flow`.
"""

from __future__ import annotations

import tensorflow as tf

from tfface.ops import grids
from tfface.ops.warp import backward_warp, forward_warp
from tfface.systems.warp_rotation.config import MAX_TARGET_YAW

FULL_COVERAGE = 1.0 - 1e-3
"""Backward sampler: a pixel is known (not a hole) when its four bilinear taps all lie inside
the image, i.e. the sampled weight of an all-ones image is ~1."""


def mesh_grid_channels(images: tf.Tensor) -> tf.Tensor:
    """The normalised mesh grid of `images` (B, H, W, C): (B, H, W, 2) in [-1, 1], x first."""
    shape = tf.shape(images)
    mesh = grids.mesh_grid(shape[1], shape[2], normalized=True)  # (H, W, 2)
    return tf.broadcast_to(mesh[tf.newaxis], tf.stack([shape[0], shape[1], shape[2], 2]))


def yaw_channels(target_yaw: tf.Tensor, images: tf.Tensor) -> tf.Tensor:
    """Constant map of each example's target yaw / 90 degrees: float32 (B, H, W, 1) in [-1, 1].

    Args:
        target_yaw: float (B,) target yaws in degrees, in [-90, 90].
        images: (B, H, W, C), for the shape.
    """
    shape = tf.shape(images)
    scaled = tf.cast(target_yaw, tf.float32) / MAX_TARGET_YAW  # (B,) in [-1, 1]
    return tf.broadcast_to(
        scaled[:, tf.newaxis, tf.newaxis, tf.newaxis], tf.stack([shape[0], shape[1], shape[2], 1])
    )


def warp_field_to_flow(offsets: tf.Tensor) -> tf.Tensor:
    """Offsets w_delta (B, H, W, 2), grid units -> pixel flow (B, H, W, 2) of w = mesh + w_delta."""
    shape = tf.shape(offsets)
    mesh = grids.mesh_grid(shape[1], shape[2], normalized=True, dtype=offsets.dtype)  # (H, W, 2)
    return grids.grid_to_flow(mesh + offsets)  # pixels, x first


def apply_sampler(
    image: tf.Tensor, flow: tf.Tensor, sampler: str, padding: str = "zeros"
) -> tuple[tf.Tensor, tf.Tensor]:
    """Warps `image` by `flow` with the forward or the backward sampler.

    Args:
        image: float32 (B, H, W, 3) in [-1, 1].
        flow: float32 (B, H, W, 2) pixel offsets, x first.
        sampler: "forward" (eqs. 3.4-3.7: pixel (p, q) moves by its flow) or "backward"
            (eqs. 3.1-3.3: pixel (p, q) is read at its position plus its flow).
        padding: outside pixels of the backward sampler, "zeros" or "border".

    Returns:
        warped: float32 (B, H, W, 3); 0 in holes.
        known: float32 (B, H, W, 1) in {0, 1}, the non-hole mask m (forward: the
            accumulated weight w > 0, eq. 3.7; backward: all four bilinear taps inside the
            image, always 1 with border padding). No gradient.
    """
    if sampler == "forward":
        return forward_warp(image, flow)
    if sampler != "backward":
        raise ValueError(f"sampler must be 'forward' or 'backward', got {sampler!r}")
    warped = backward_warp(image, flow, padding)
    if padding == "border":
        return warped, tf.ones_like(image[..., :1])
    coverage = backward_warp(tf.ones_like(image[..., :1]), tf.stop_gradient(flow), padding)
    known = tf.cast(coverage >= FULL_COVERAGE, image.dtype)  # (B, H, W, 1)
    return warped * known, tf.stop_gradient(known)


def paint_holes(warped: tf.Tensor, known: tf.Tensor) -> tf.Tensor:
    """The warped image with holes painted black (-1), as the thesis shows it (Fig. 4.1)."""
    return warped * known - (1.0 - known)
