"""Backward warping (bilinear sampling) as a Keras layer."""

from __future__ import annotations

from typing import Any

import keras

from tfface.layers._validation import check_choice, check_rank, split_input_shapes
from tfface.ops.bilinear import PADDINGS
from tfface.ops.warp import backward_warp


@keras.saving.register_keras_serializable(package="tfface")
class BackwardWarp(keras.layers.Layer):
    """Samples the image bilinearly at every pixel plus its flow vector.

    Sevastopolskiy 2019, section 3.1.1, eqs. 3.1-3.3 (the backward sampler of Spatial
    Transformer Networks): out[p, q] = image at (q + dx, p + dy), with analytic gradients
    for the image and the flow (see `tfface.ops.backward_warp`).

    Args:
        padding: "zeros" (outside the image is 0) or "border" (edge pixels repeat).
        compile_kernels: run the sampling kernels as XLA clusters inside a graph that is
            not compiled as a whole; keep False for models exported to TensorFlow Serving.
        **kwargs: keras.layers.Layer arguments.

    Inputs: [image (B, H, W, C), flow (B, H, W, 2) pixel offsets, x first].
    Output: (B, H, W, C).
    """

    def __init__(
        self, padding: str = "zeros", compile_kernels: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        check_choice(padding, PADDINGS, "BackwardWarp padding")
        self.padding = padding
        self.compile_kernels = bool(compile_kernels)

    def build(self, input_shape: Any) -> None:
        image_shape, flow_shape = split_input_shapes(input_shape, (2,), "BackwardWarp")
        check_rank(image_shape, 4, "BackwardWarp", "image", "(B, H, W, C)")
        check_rank(flow_shape, 4, "BackwardWarp", "flow", "(B, H, W, 2)")

    def call(self, inputs: list):
        image, flow = inputs
        return backward_warp(image, flow, self.padding, self.compile_kernels)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        image_shape, _ = split_input_shapes(input_shape, (2,), "BackwardWarp")
        return tuple(image_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "padding": self.padding,
            "compile_kernels": self.compile_kernels,
        }
