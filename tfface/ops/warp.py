"""Forward warping (bilinear splatting) and backward warping (bilinear sampling).

Sevastopolskiy 2019, "Learning image deformations via deep learning", section 3.1.1.
With a flow (dx, dy) in pixels, x (the column) first (`tfface/ops/grids.py`; the thesis writes its
(u, v) offsets row first):

* backward warping (eqs. 3.1-3.3): out[p, q] = image(p + dy[p, q], q + dx[p, q]);
* forward warping (eqs. 3.4-3.7): out(p + dy[p, q], q + dx[p, q]) ~ image[p, q],

both bilinear, with the analytic gradients of appendix A (signs corrected, see
`tfface/ops/splatting.py`).

Every function here is pure TensorFlow with `tf.custom_gradient` (no autodiff through
scatters), runs eagerly, in graph mode, under `tf.function(jit_compile=True)` and under
`tf.distribute` strategies, for any batch size and non-square images. float16 and
bfloat16 inputs are computed in float32 and returned in the input dtype; float64 stays
float64. Positions are NaN-safe (a NaN flow counts as outside the image).

Speed: the kernels are written for XLA. Inside `jit_compile=True` (e.g. Keras
`model.compile(jit_compile=True)` or `train.jit_compile`) they are about 5x faster on CPU
than in plain graph mode. `compile_kernels=True` gives the same speed inside a graph that
is not compiled as a whole, by running the kernels as XLA clusters; leave it False for
models exported to TensorFlow Serving, which rejects XLA clusters unless the server runs
with --xla_cpu_compilation_enabled. Inside a `jit_compile=True` function it changes
nothing. See benchmarks/warp.py for the numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, get_args

import tensorflow as tf

from tfface.ops import grids, sampling, splatting
from tfface.ops.bilinear import PADDINGS

Sampler = Literal["forward", "backward"]
"""The two warps of this module, as systems name them: `forward_warp` (eqs. 3.4-3.7) or
`backward_warp` (eqs. 3.1-3.3)."""
SAMPLERS: tuple[str, ...] = get_args(Sampler)


def _check_rank4(name: str, tensor: tf.Tensor, last: int | None = None) -> None:
    """Raises ValueError unless `tensor` is (B, H, W, last) with a float dtype."""
    if tensor.shape.rank is not None and tensor.shape.rank != 4:
        raise ValueError(
            f"{name} must have rank 4 (batch, height, width, channels), got shape {tensor.shape}"
        )
    if last is not None and tensor.shape.rank == 4 and tensor.shape[-1] not in (None, last):
        raise ValueError(
            f"{name} must have {last} channels (x, y) in its last axis, got shape {tensor.shape}"
        )
    if not tensor.dtype.is_floating:
        raise ValueError(f"{name} must be a float tensor, got dtype {tensor.dtype.name}")


def _check_same_pixels(
    image: tf.Tensor, flow: tf.Tensor, name: str = "flow", axes: tuple[int, ...] = (0, 1, 2)
) -> None:
    """Raises ValueError when the static sizes of image and flow differ along `axes`."""
    if image.shape.rank != 4 or flow.shape.rank != 4:
        return
    labels = {0: "batch size", 1: "height", 2: "width"}
    for axis in axes:
        label = labels[axis]
        left, right = image.shape[axis], flow.shape[axis]
        if left is not None and right is not None and left != right:
            raise ValueError(
                f"image and {name} must have the same {label}: image {image.shape}, "
                f"{name} {flow.shape}"
            )


def _check_padding(padding: str) -> None:
    """Raises ValueError unless padding is "zeros" or "border"."""
    if padding not in PADDINGS:
        raise ValueError(f"padding must be one of {PADDINGS}, got {padding!r}")


def _compute_dtype(*tensors: tf.Tensor) -> tf.DType:
    """float64 if any input is float64, else float32 (float16/bfloat16 accumulate in float32)."""
    return tf.float64 if any(t.dtype == tf.float64 for t in tensors) else tf.float32


def _maybe_compiled(function: Callable, compile_kernels: bool) -> Callable:
    """The kernel itself, or its `tf.function(jit_compile=True)` version."""
    return _COMPILED[function] if compile_kernels else function


def _forward_warp_kernel(
    image: tf.Tensor, flow: tf.Tensor, eps: float, compile_kernels: bool
) -> tuple[tf.Tensor, tf.Tensor]:
    """Splatting with the custom gradient of appendix A; inputs in the compute dtype."""
    forward = _maybe_compiled(splatting.splat_forward, compile_kernels)
    backward = _maybe_compiled(splatting.splat_backward, compile_kernels)

    @tf.custom_gradient
    def kernel(image: tf.Tensor, flow: tf.Tensor):
        warped, sums = forward(image, flow, eps)  # (B, H, W, C), (B, H, W, C + 1)
        mask = tf.cast(sums[..., -1:] > 0.0, image.dtype)  # (B, H, W, 1) in {0, 1}: w > 0

        def gradient(upstream_warped: tf.Tensor, upstream_mask: tf.Tensor):
            del upstream_mask  # the mask is piecewise constant: no gradient
            return backward(image, flow, sums, upstream_warped, eps)

        return (warped, mask), gradient

    return kernel(image, flow)


def _sample_kernel(
    image: tf.Tensor, coordinates: tf.Tensor, padding: str, compile_kernels: bool
) -> tf.Tensor:
    """Bilinear sampling with its custom gradient; inputs in the compute dtype."""
    forward = _maybe_compiled(sampling.sample_forward, compile_kernels)
    backward = _maybe_compiled(sampling.sample_backward, compile_kernels)

    @tf.custom_gradient
    def kernel(image: tf.Tensor, coordinates: tf.Tensor):
        sampled = forward(image, coordinates, padding)  # (B, H', W', C)

        def gradient(upstream: tf.Tensor):
            return backward(image, coordinates, upstream, padding)

        return sampled, gradient

    return kernel(image, coordinates)


_COMPILED = {
    function: tf.function(function, jit_compile=True, reduce_retracing=True)
    for function in (
        splatting.splat_forward,
        splatting.splat_backward,
        sampling.sample_forward,
        sampling.sample_backward,
    )
}


def forward_warp(
    image: tf.Tensor, flow: tf.Tensor, eps: float = 1e-6, compile_kernels: bool = False
) -> tuple[tf.Tensor, tf.Tensor]:
    """Forward warping by bilinear splatting (Sevastopolskiy 2019, eqs. 3.4-3.7, appendix A).

    Source pixel (row p, column q) moves to (q + flow_x, p + flow_y) and adds its value
    with the bilinear weights K = max(0, 1 - |dx|) max(0, 1 - |dy|) to the four target
    pixels around it; targets outside the image are dropped. The sums are divided by the
    summed weights plus eps (eq. 3.7).

    Args:
        image: (B, H, W, C) float source image.
        flow: (B, H, W, 2) float pixel offsets of every source pixel, x (column) first.
        eps: positive constant of eq. 3.7.
        compile_kernels: run the kernels as XLA clusters (see the module docstring).

    Returns:
        warped: (B, H, W, C) in image.dtype; 0 in holes.
        mask: (B, H, W, 1) in image.dtype, 1 where the accumulated weight is > 0 (not a
            hole), else 0. It has no gradient.

    Raises:
        ValueError: wrong ranks, a flow without 2 channels, mismatched batch/height/width,
            non-float inputs, or eps <= 0.
    """
    image = tf.convert_to_tensor(image)
    flow = tf.convert_to_tensor(flow)
    _check_rank4("image", image)
    _check_rank4("flow", flow, last=2)
    _check_same_pixels(image, flow)
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps}")
    dtype = _compute_dtype(image, flow)
    warped, mask = _forward_warp_kernel(
        tf.cast(image, dtype), tf.cast(flow, dtype), float(eps), compile_kernels
    )
    return tf.cast(warped, image.dtype), tf.cast(mask, image.dtype)


def sample_pixels(
    image: tf.Tensor, coordinates: tf.Tensor, padding: str = "zeros", compile_kernels: bool = False
) -> tf.Tensor:
    """Bilinear sampling at absolute pixel coordinates (Sevastopolskiy 2019, eqs. 3.2-3.3).

    Args:
        image: (B, H, W, C) float image.
        coordinates: (B, H', W', 2) float pixel coordinates (x, y); pixel centres are integers.
        padding: "zeros" (outside pixels are 0) or "border" (edge pixels repeat).
        compile_kernels: run the kernels as XLA clusters (see the module docstring).

    Returns:
        (B, H', W', C) in image.dtype.
    """
    image = tf.convert_to_tensor(image)
    coordinates = tf.convert_to_tensor(coordinates)
    _check_rank4("image", image)
    _check_rank4("coordinates", coordinates, last=2)
    _check_same_pixels(image, coordinates, "coordinates", axes=(0,))
    _check_padding(padding)
    dtype = _compute_dtype(image, coordinates)
    sampled = _sample_kernel(
        tf.cast(image, dtype), tf.cast(coordinates, dtype), padding, compile_kernels
    )
    return tf.cast(sampled, image.dtype)


def backward_warp(
    image: tf.Tensor, flow: tf.Tensor, padding: str = "zeros", compile_kernels: bool = False
) -> tf.Tensor:
    """Backward warping: out[p, q] = image at (q + flow_x, p + flow_y), bilinear (eqs. 3.1-3.3).

    Args:
        image: (B, H, W, C) float image.
        flow: (B, H, W, 2) float pixel offsets, x (column) first.
        padding: "zeros" or "border" (see `sample_pixels`).
        compile_kernels: run the kernels as XLA clusters (see the module docstring).

    Returns:
        (B, H, W, C) in image.dtype.
    """
    image = tf.convert_to_tensor(image)
    flow = tf.convert_to_tensor(flow)
    _check_rank4("image", image)
    _check_rank4("flow", flow, last=2)
    _check_same_pixels(image, flow)
    _check_padding(padding)
    # absolute coordinates in float32/64: in half precision x + dx would round to ~0.03 px
    flow = tf.cast(flow, _compute_dtype(image, flow))
    coordinates = grids.offsets_to_coordinates(flow)  # (B, H, W, 2) pixels
    return sample_pixels(image, coordinates, padding, compile_kernels)


def grid_sample(
    image: tf.Tensor, grid: tf.Tensor, padding: str = "zeros", compile_kernels: bool = False
) -> tf.Tensor:
    """Bilinear sampling at a normalised grid, align-corners semantics (like PyTorch's).

    Used by pixel attention sampling and UV texture sampling (Yin 2022, ch. 3-4).

    Args:
        image: (B, H, W, C) float image.
        grid: (B, H', W', 2) float (x, y) in [-1, 1]: -1 is the centre of pixel 0 and +1
            the centre of pixel W - 1 (H - 1 for y).
        padding: "zeros" or "border".
        compile_kernels: run the kernels as XLA clusters (see the module docstring).

    Returns:
        (B, H', W', C) in image.dtype. Gradients flow to the image and to the grid.
    """
    image = tf.convert_to_tensor(image)
    grid = tf.convert_to_tensor(grid)
    _check_rank4("image", image)
    _check_rank4("grid", grid, last=2)
    _check_same_pixels(image, grid, "grid", axes=(0,))
    _check_padding(padding)
    shape = tf.shape(image)
    grid = tf.cast(grid, _compute_dtype(image, grid))  # denormalise in float32/64
    coordinates = grids.denormalize_coordinates(grid, shape[1], shape[2])  # (B, H', W', 2)
    return sample_pixels(image, coordinates, padding, compile_kernels)


__all__ = ["backward_warp", "forward_warp", "grid_sample", "sample_pixels"]
