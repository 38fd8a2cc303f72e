"""Forward warping (bilinear splatting) as a Keras layer."""

from __future__ import annotations

from typing import Any

import keras

from tfface.layers._validation import check_positive_float, check_rank, split_input_shapes
from tfface.ops.warp import forward_warp


@keras.saving.register_keras_serializable(package="tfface")
class ForwardWarp(keras.layers.Layer):
    """Moves every source pixel by its flow vector and splats it bilinearly.

    Sevastopolskiy 2019, section 3.1.1, eqs. 3.4-3.7 (forward sampler), with the analytic
    gradients of appendix A (see `tfface.ops.forward_warp`). Pixel (row p, column q) with
    flow (dx, dy) lands at (q + dx, p + dy); target pixels that receive no weight are
    holes (mask 0), to be filled by an inpainting network (section 3.2).

    Args:
        eps: positive constant of eq. 3.7, y = a / (w + eps).
        compile_kernels: run the splatting kernels as XLA clusters inside a graph that is
            not compiled as a whole (faster training on CPU); keep False for models
            exported to TensorFlow Serving.
        **kwargs: keras.layers.Layer arguments.

    Inputs: [image (B, H, W, C), flow (B, H, W, 2) pixel offsets, x first].
    Outputs: [warped (B, H, W, C), mask (B, H, W, 1) in {0, 1}, 1 where not a hole].
    """

    def __init__(self, eps: float = 1e-6, compile_kernels: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.eps = check_positive_float(eps, "ForwardWarp eps")
        self.compile_kernels = bool(compile_kernels)

    def build(self, input_shape: Any) -> None:
        image_shape, flow_shape = split_input_shapes(input_shape, (2,), "ForwardWarp")
        check_rank(image_shape, 4, "ForwardWarp", "image", "(B, H, W, C)")
        check_rank(flow_shape, 4, "ForwardWarp", "flow", "(B, H, W, 2)")

    def call(self, inputs: list) -> list:
        image, flow = inputs
        warped, mask = forward_warp(image, flow, self.eps, self.compile_kernels)
        return [warped, mask]

    def compute_output_shape(self, input_shape: Any) -> list[tuple]:
        image_shape, _ = split_input_shapes(input_shape, (2,), "ForwardWarp")
        return [tuple(image_shape), (*image_shape[:3], 1)]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "eps": self.eps, "compile_kernels": self.compile_kernels}
