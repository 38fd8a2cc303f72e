"""PacGAN packing of discriminator inputs."""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf
from keras import ops

from tfface.layers._validation import check_positive_int, check_rank


@keras.saving.register_keras_serializable(package="tfface")
class PacGANPacking(keras.layers.Layer):
    """Concatenates groups of `num_packed` consecutive samples along the channels.

    Liu 2019, Sec. 3.2.4 "PackingGANs" (Lin et al. 2018, PacGAN): the discriminator
    sees m samples of the same source (all real or all generated) jointly; only its input
    channels grow by a factor m (m = 2 in the thesis). Packed example k holds samples
    k*m, ..., k*m + m - 1 in that order on the channel axis:
        out[k, h, w, i*C + c] = x[k*m + i, h, w, c].

    Args:
        num_packed: m, the number of samples per packed input (>= 1; 1 is the identity).
        **kwargs: keras.layers.Layer arguments.

    Input (B, H, W, C) with B divisible by m (ValueError when the batch is static,
    InvalidArgumentError at run time otherwise); output (B/m, H, W, m*C).
    """

    def __init__(self, num_packed: int = 2, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.num_packed = check_positive_int(num_packed, "PacGANPacking num_packed")

    def _check_batch(self, batch: Any) -> None:
        if batch is not None and batch % self.num_packed != 0:
            raise ValueError(
                f"PacGANPacking: the batch size {batch} is not divisible by num_packed="
                f"{self.num_packed}; feed batches of a multiple of {self.num_packed}."
            )

    def build(self, input_shape: tuple) -> None:
        check_rank(input_shape, 4, "PacGANPacking", "input", "(B, H, W, C)")
        self._check_batch(input_shape[0])

    def call(self, inputs):
        m = self.num_packed
        self._check_batch(inputs.shape[0])
        batch, height, width, channels = ops.shape(inputs)
        if not isinstance(batch, int):  # dynamic batch: check at run time, before the reshape
            check = tf.debugging.assert_equal(
                batch % m,
                0,
                message=f"PacGANPacking: the batch size is not divisible by num_packed={m}",
            )
            with tf.control_dependencies([check]):
                inputs = tf.identity(inputs)
        grouped = ops.reshape(inputs, (batch // m, m, height, width, channels))  # (B/m, m, ...)
        grouped = ops.transpose(grouped, (0, 2, 3, 1, 4))  # (B/m, H, W, m, C)
        return ops.reshape(grouped, (batch // m, height, width, m * channels))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        batch, height, width, channels = input_shape
        batch = None if batch is None else batch // self.num_packed
        channels = None if channels is None else channels * self.num_packed
        return (batch, height, width, channels)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "num_packed": self.num_packed}
