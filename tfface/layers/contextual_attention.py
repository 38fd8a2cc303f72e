"""Contextual attention: fill hole features with a soft copy of known background patches."""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from tfface.layers._validation import (
    check_positive_float,
    check_positive_int,
    check_rank,
    check_static_channels,
    split_input_shapes,
)

NORM_FLOOR = 1e-4
"""Background patches are divided by max(||patch||, 1e-4) (Yu et al.'s code)."""


def _patches(features: tf.Tensor, size: int, stride: int) -> tf.Tensor:
    """(B, h, w, C) -> (B, h / stride, w / stride, size * size * C) 'same' patches."""
    return tf.image.extract_patches(
        features,
        sizes=[1, size, size, 1],
        strides=[1, stride, stride, 1],
        rates=[1, 1, 1, 1],
        padding="SAME",
    )


def _diagonal_sum(scores: tf.Tensor) -> tf.Tensor:
    """s[p, l] + s[p - 1, l - 1] + s[p + 1, l + 1] over (B, P, L): Yu et al.'s 3 x 3 identity
    "fuse" convolution, which favours coherent neighbouring matches."""
    down = tf.pad(scores, [[0, 0], [1, 0], [1, 0]])[:, :-1, :-1]
    up = tf.pad(scores, [[0, 0], [0, 1], [0, 1]])[:, 1:, 1:]
    return scores + down + up


def _shift(image: tf.Tensor, rows: int, columns: int) -> tf.Tensor:
    """out[y, x] = image[y - rows, x - columns] with zeros outside; (B, H, W, C)."""
    height, width = tf.shape(image)[1], tf.shape(image)[2]
    pad = max(abs(rows), abs(columns))
    padded = tf.pad(image, [[0, 0], [pad, pad], [pad, pad], [0, 0]])
    return padded[:, pad - rows : pad - rows + height, pad - columns : pad - columns + width, :]


@keras.saving.register_keras_serializable(package="tfface")
class ContextualAttention(keras.layers.Layer):
    """Soft patch copying from known regions into holes (Yu et al., CVPR 2018, sec. 4.1).

    The attention branch of the DeepFill v2 refinement network (Yu et al. ICCV 2019), the
    GatedConvNet baseline of Sevastopolskiy 2019 (sec. 4.2.2). On features downsampled by
    `rate` (nearest), every 3 x 3 patch is compared with every known 3 x 3 patch by cosine
    similarity (background patches L2-normalised), the scores are "fused" along both
    diagonals (3 x 3 identity convolution, in the row-major and the column-major order),
    and a softmax with temperature `softmax_scale` over the known patches weights the
    2 rate x 2 rate full-resolution patches, which are pasted back with stride `rate` and
    averaged over their (2 x 2) overlaps (a transposed convolution, divided by 4).

    Args:
        rate: downsampling of the matching (Yu et al.: 2).
        softmax_scale: temperature of the softmax (Yu et al.: 10).
        fuse: apply the diagonal score fusion.
        **kwargs: keras.layers.Layer arguments.

    Inputs [features (B, h, w, C) (h, w divisible by rate), hole mask (B, h, w, 1),
    1 = unknown]. Output (B, h, w, C). No weights.
    """

    def __init__(
        self, rate: int = 2, softmax_scale: float = 10.0, fuse: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.rate = check_positive_int(rate, "ContextualAttention rate")
        self.softmax_scale = check_positive_float(softmax_scale, "ContextualAttention scale")
        self.fuse = bool(fuse)

    def build(self, input_shape: Any) -> None:
        features_shape, mask_shape = split_input_shapes(input_shape, (2,), "ContextualAttention")
        check_rank(features_shape, 4, "ContextualAttention", "features", "(B, h, w, C)")
        check_rank(mask_shape, 4, "ContextualAttention", "hole mask", "(B, h, w, 1)")
        check_static_channels(features_shape, "ContextualAttention", "features")
        if mask_shape[-1] not in (None, 1):
            raise ValueError(
                f"ContextualAttention: the hole mask needs 1 channel, got shape {mask_shape}."
            )
        for axis in (1, 2):
            if None not in (features_shape[axis], mask_shape[axis]) and (
                features_shape[axis] != mask_shape[axis]
            ):
                raise ValueError(
                    f"ContextualAttention: hole mask size {mask_shape[1:3]} must equal the "
                    f"feature size {features_shape[1:3]}."
                )
            if features_shape[axis] is not None and features_shape[axis] % self.rate:
                raise ValueError(
                    f"ContextualAttention: feature size {features_shape[1:3]} must be "
                    f"divisible by rate {self.rate}."
                )

    def call(self, inputs: list) -> tf.Tensor:
        features, hole = inputs
        rate = self.rate
        shape = tf.shape(features)
        batch, channels = shape[0], features.shape[-1]
        small = features[:, ::rate, ::rate, :]  # (B, h', w', C), nearest downsampling
        small_hole = tf.cast(hole[:, ::rate, ::rate, :] > 0.5, features.dtype)  # (B, h', w', 1)
        height, width = tf.shape(small)[1], tf.shape(small)[2]
        positions = height * width  # P = L = h' w'
        patches = tf.reshape(_patches(small, 3, 1), [batch, positions, 9 * channels])
        norms = tf.norm(patches, axis=-1, keepdims=True)
        background = patches / tf.maximum(norms, NORM_FLOOR)  # (B, L, 9C)
        scores = tf.einsum("bpk,blk->bpl", patches, background)  # (B, P, L) cosine-like
        if self.fuse:
            scores = _diagonal_sum(scores)
            grid = tf.stack([batch, height, width, height, width])
            transposed = tf.transpose(tf.reshape(scores, grid), [0, 2, 1, 4, 3])
            scores = _diagonal_sum(tf.reshape(transposed, [batch, positions, positions]))
            scores = tf.reshape(scores, tf.stack([batch, width, height, width, height]))
            scores = tf.reshape(
                tf.transpose(scores, [0, 2, 1, 4, 3]), [batch, positions, positions]
            )
        hole_patches = tf.reshape(_patches(small_hole, 3, 1), [batch, 1, positions, 9])
        known = tf.cast(tf.reduce_mean(hole_patches, axis=-1) == 0.0, features.dtype)  # (B,1,L)
        attention = tf.nn.softmax(scores * known * self.softmax_scale, axis=-1) * known
        size = 2 * rate
        raw = tf.reshape(_patches(features, size, rate), [batch, positions, size * size * channels])
        pasted = tf.einsum("bpl,blk->bpk", attention, raw) / 4.0  # (B, P, (2r)^2 C)
        pasted = tf.reshape(pasted, tf.stack([batch, height, width, size, size, channels]))
        output = tf.zeros_like(features)
        for row_half in range(2):  # overlap-add of the 2r x 2r patches with stride r
            for column_half in range(2):
                quarter = pasted[
                    :,
                    :,
                    :,
                    row_half * rate : (row_half + 1) * rate,
                    column_half * rate : (column_half + 1) * rate,
                    :,
                ]  # (B, h', w', r, r, C)
                quarter = tf.reshape(
                    tf.transpose(quarter, [0, 1, 3, 2, 4, 5]), tf.shape(features)
                )  # (B, h, w, C)
                output += _shift(
                    quarter, row_half * rate - rate // 2, column_half * rate - rate // 2
                )
        return output

    def compute_output_shape(self, input_shape: Any) -> tuple:
        features_shape, _ = split_input_shapes(input_shape, (2,), "ContextualAttention")
        return tuple(features_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "rate": self.rate,
            "softmax_scale": self.softmax_scale,
            "fuse": self.fuse,
        }
