"""Joint paired augmentation: one random transform per example, applied alike to images, masks and targets.

Defaults are the NIR thesis table 3.1 (Bergqvist 2020, sec. 3.1.5.1): scale
p=0.7 in [1, 1.2], shift p=0.7 in [-0.0625, 0.0625] of the size, rotation p=0.7
in [-pi/4, pi/4], gamma p=0.5 in [0.98, 1.02], horizontal flip p=0.5. Images
are resampled bilinearly (outside -> -1, black), masks and label maps with
nearest neighbour (outside -> 0, background); a flip also swaps the left and
right classes of label maps so that 'l_eye' stays the subject's left eye.
Randomness is stateless: the same (seed, index) gives the same transform.
Everything works on batches (one projective transform op per tensor).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import tensorflow as tf

from tfface.data.labels import CELEBAMASK_HQ_19, PORTRAIT_11


@dataclass(frozen=True)
class AugmentConfig:
    """Probabilities and ranges of the paired augmentation (defaults: NIR thesis table 3.1)."""

    scale_probability: float = 0.7
    scale_range: tuple[float, float] = (1.0, 1.2)
    shift_probability: float = 0.7
    shift_range: tuple[float, float] = (-0.0625, 0.0625)
    rotation_probability: float = 0.7
    rotation_range: tuple[float, float] = (-math.pi / 4, math.pi / 4)
    gamma_probability: float = 0.5
    gamma_range: tuple[float, float] = (0.98, 1.02)
    flip_probability: float = 0.5


def _flip_order(table) -> list[int]:
    order = list(range(table.num_classes))
    for left, right in (("l_eye", "r_eye"), ("l_brow", "r_brow"), ("l_ear", "r_ear")):
        if left in table.names and right in table.names:
            a, b = table.index(left), table.index(right)
            order[a], order[b] = b, a
    return order


FLIP_ORDERS = {11: _flip_order(PORTRAIT_11), 19: _flip_order(CELEBAMASK_HQ_19)}


@dataclass(frozen=True)
class Transforms:
    """Drawn transforms of a batch: projective parameters (B, 8) mapping output to input pixels
    (flip included), flip flags (B,) and gammas (B,)."""

    matrices: tf.Tensor
    flips: tf.Tensor
    gammas: tf.Tensor


def draw_transforms(config: AugmentConfig, seeds: tf.Tensor, height: int, width: int) -> Transforms:
    """Draws one transform per stateless seed (int64 (B, 2))."""
    uniforms = tf.map_fn(
        lambda seed: tf.random.stateless_uniform([10], seed=seed),
        seeds,
        fn_output_signature=tf.float32,
    )

    def pick(probability: float, draw: tf.Tensor, value: tf.Tensor, identity: float) -> tf.Tensor:
        return tf.where(draw < probability, value, identity)

    def between(bounds: tuple[float, float], u: tf.Tensor) -> tf.Tensor:
        return bounds[0] + (bounds[1] - bounds[0]) * u

    u = [uniforms[:, k] for k in range(10)]
    scale = pick(config.scale_probability, u[0], between(config.scale_range, u[1]), 1.0)
    use_shift = u[2] < config.shift_probability
    shift_x = tf.where(use_shift, between(config.shift_range, u[3]) * width, 0.0)
    shift_y = tf.where(use_shift, between(config.shift_range, u[4]) * height, 0.0)
    angle = pick(config.rotation_probability, u[5], between(config.rotation_range, u[6]), 0.0)
    gamma = pick(config.gamma_probability, u[7], between(config.gamma_range, u[8]), 1.0)
    flip = u[9] < config.flip_probability
    # Output pixel p reads input q = c + R(-angle) (p - c - shift) / scale, then the flip
    # x -> W - 1 - x (so the image is flipped first, then scaled, rotated and shifted).
    centre_x, centre_y = (width - 1) / 2.0, (height - 1) / 2.0
    a0, a1 = tf.cos(angle) / scale, tf.sin(angle) / scale
    b0, b1 = -a1, a0
    offset_x = centre_x - a0 * (centre_x + shift_x) - a1 * (centre_y + shift_y)
    offset_y = centre_y - b0 * (centre_x + shift_x) - b1 * (centre_y + shift_y)
    sign = tf.where(flip, -1.0, 1.0)
    offset_x = tf.where(flip, (width - 1) - offset_x, offset_x)
    zeros = tf.zeros_like(a0)
    matrices = tf.stack([sign * a0, sign * a1, offset_x, b0, b1, offset_y, zeros, zeros], axis=-1)
    return Transforms(matrices, flip, gamma)


def _warp(
    tensor: tf.Tensor, transforms: Transforms, interpolation: str, fill_value: float
) -> tf.Tensor:
    return tf.raw_ops.ImageProjectiveTransformV3(
        images=tensor,
        transforms=transforms.matrices,
        output_shape=tf.shape(tensor)[1:3],
        fill_value=fill_value,
        interpolation=interpolation,
        fill_mode="CONSTANT",
    )


def warp_images(images: tf.Tensor, transforms: Transforms) -> tf.Tensor:
    """float32 (B, H, W, C) in [-1, 1] -> bilinearly transformed images (outside -> -1, black).

    Float, not uint8: TF's projective-transform kernel is about twice as fast on float32.
    """
    return _warp(images, transforms, "BILINEAR", -1.0)


def augment_uint8_images(images: tf.Tensor, transforms: Transforms) -> tf.Tensor:
    """uint8 (B, H, W, C) -> float32 [-1, 1] images with the gamma alteration and the
    geometric transform (what the reader does).

    The gamma curve goes first, through `to_unit_range`'s lookup table on the uint8 values
    (cheaper than a power over float pixels), then the bilinear warp on float32. Gamma is
    per pixel, so the order changes results only by the interpolation of the curve.
    """
    return warp_images(to_unit_range(images, transforms.gammas), transforms)


def to_unit_range(images: tf.Tensor, gammas: tf.Tensor | None = None) -> tf.Tensor:
    """uint8 (B, H, W, C) -> float32 in [-1, 1], with a per-example gamma x -> x ** gamma on [0, 1].

    The gamma curve is applied through a 256-entry lookup table per example,
    which is cheaper than a power over every pixel.
    """
    if gammas is None:
        return tf.cast(images, tf.float32) / 127.5 - 1.0
    levels = tf.linspace(0.0, 1.0, 256)
    tables = tf.pow(levels[None, :], gammas[:, None]) * 2.0 - 1.0  # (B, 256)
    offsets = 256 * tf.range(tf.shape(images)[0])[:, None, None, None]
    return tf.gather(tf.reshape(tables, [-1]), tf.cast(images, tf.int32) + offsets)


def augment_images(images: tf.Tensor, transforms: Transforms) -> tf.Tensor:
    """float32 (B, H, W, C) in [-1, 1] -> transformed images with gamma alteration."""
    warped = _warp(images, transforms, "BILINEAR", -1.0)
    unit = tf.clip_by_value((warped + 1.0) / 2.0, 0.0, 1.0)
    return unit ** transforms.gammas[:, None, None, None] * 2.0 - 1.0


def augment_masks(masks: tf.Tensor, transforms: Transforms) -> tf.Tensor:
    """(B, H, W, K) masks (any dtype) -> nearest-neighbour transformed masks."""
    return _warp(masks, transforms, "NEAREST", 0.0)


def augment_label_maps(
    label_maps: tf.Tensor, transforms: Transforms, num_classes: int
) -> tf.Tensor:
    """uint8 (B, H, W) label maps -> transformed maps, left/right classes swapped where flipped.

    Warped as int32 (TF's transform kernel is faster on it than on uint8).
    """
    as_int = tf.cast(label_maps, tf.int32)[..., None]
    warped = tf.cast(_warp(as_int, transforms, "NEAREST", 0)[..., 0], label_maps.dtype)
    if num_classes in FLIP_ORDERS:
        order = tf.constant(FLIP_ORDERS[num_classes], label_maps.dtype)
        warped = tf.where(
            transforms.flips[:, None, None], tf.gather(order, tf.cast(warped, tf.int32)), warped
        )
    return warped
