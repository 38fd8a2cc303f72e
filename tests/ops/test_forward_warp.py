"""forward_warp (Sevastopolskiy 2019, eqs. 3.4-3.7, appendix A) against independent references."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tfface.ops import forward_warp

EPS = 1e-6


def reference_forward_warp(image: np.ndarray, flow: np.ndarray, eps: float = EPS):
    """Plain NumPy loop over source pixels and their four target corners (float64)."""
    batch, height, width, channels = image.shape
    values = np.zeros((batch, height, width, channels))
    weights = np.zeros((batch, height, width, 1))
    for b, p, q in np.ndindex(batch, height, width):
        x = q + flow[b, p, q, 0]
        y = p + flow[b, p, q, 1]
        for row in (int(np.floor(y)), int(np.floor(y)) + 1):
            for column in (int(np.floor(x)), int(np.floor(x)) + 1):
                kernel = max(0.0, 1 - abs(column - x)) * max(0.0, 1 - abs(row - y))
                if 0 <= row < height and 0 <= column < width:
                    values[b, row, column] += kernel * image[b, p, q]
                    weights[b, row, column] += kernel
    return values / (weights + eps), (weights > 0).astype(np.float64)


def fractional_flow(rng: np.random.Generator, shape: tuple, low: float = 0.1, high: float = 0.9):
    """Flow whose targets sit at integer + a fraction in [low, high] (away from the kinks)."""
    whole = rng.integers(-2, 3, size=shape)
    return whole + rng.uniform(low, high, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def loss_function(image, flow, weights):
    """A scalar loss sum(weights * warped) and its analytic gradients (float64)."""
    image = tf.constant(image)
    flow = tf.constant(flow)
    with tf.GradientTape() as tape:
        tape.watch([image, flow])
        loss = tf.reduce_sum(forward_warp(image, flow)[0] * weights)
    image_gradient, flow_gradient = tape.gradient(loss, [image, flow])
    return image_gradient.numpy(), flow_gradient.numpy()


@pytest.mark.parametrize("shape", [(2, 5, 7, 3), (1, 6, 3, 1), (3, 4, 4, 2)])
def test_matches_numpy_loop(shape: tuple) -> None:
    rng = np.random.default_rng(sum(shape))
    image = rng.normal(size=shape)
    flow = rng.normal(size=(*shape[:3], 2)) * 2.5  # some targets leave the image
    warped, mask = forward_warp(image, flow)
    expected_warped, expected_mask = reference_forward_warp(image, flow)
    np.testing.assert_allclose(warped, expected_warped, atol=1e-12)
    np.testing.assert_array_equal(mask, expected_mask)
    assert warped.dtype == tf.float64 and mask.shape == (*shape[:3], 1)


def test_zero_flow_is_identity() -> None:
    image = np.random.default_rng(0).normal(size=(2, 4, 6, 3)).astype(np.float32)
    warped, mask = forward_warp(image, np.zeros((2, 4, 6, 2), np.float32))
    np.testing.assert_allclose(warped, image / (1 + EPS), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(warped, image, rtol=2e-6, atol=1e-6)
    np.testing.assert_array_equal(mask, np.ones((2, 4, 6, 1)))


def test_integer_shift_is_exact_shift() -> None:
    image = np.random.default_rng(1).normal(size=(1, 5, 8, 2))
    flow = np.zeros((1, 5, 8, 2))
    flow[..., 0], flow[..., 1] = 3.0, -1.0  # 3 columns right, 1 row up
    warped, mask = forward_warp(image, flow, eps=1e-12)
    expected = np.zeros_like(image)
    expected[:, :4, 3:] = image[:, 1:, :5]
    expected_mask = np.zeros((1, 5, 8, 1))
    expected_mask[:, :4, 3:] = 1.0
    np.testing.assert_allclose(warped, expected, atol=1e-11)
    np.testing.assert_array_equal(mask, expected_mask)


def test_splat_accumulates_and_normalises() -> None:
    # Two source pixels land halfway between the same two targets: each target averages them.
    image = np.array([[[[1.0], [3.0]]]])  # (1, 1, 2, 1)
    flow = np.array([[[[0.5, 0.0], [-0.5, 0.0]]]])
    warped, mask = forward_warp(image, flow)
    np.testing.assert_allclose(warped[0, 0, :, 0], [2.0 / (1 + EPS)] * 2)
    np.testing.assert_array_equal(mask[0, 0, :, 0], [1.0, 1.0])


@pytest.mark.parametrize(
    "case", ["interior", "near_integer", "borders", "non_square_batch3", "small_eps"]
)
def test_gradients_match_central_differences(case: str, numerical_gradient) -> None:
    rng = np.random.default_rng(len(case))
    shape = (3, 3, 5, 2) if case == "non_square_batch3" else (2, 4, 5, 3)
    flow_shape = (*shape[:3], 2)
    if case == "near_integer":
        # fractional parts 1e-3 from an integer, on both sides (finite-difference step 1e-6)
        flow = rng.integers(-1, 2, size=flow_shape) + rng.choice([1e-3, -1e-3], size=flow_shape)
    elif case == "borders":
        # targets straddle the image edges: x in (-1, 0) or (W - 1, W), y likewise, or outside
        height, width = shape[1], shape[2]
        rows, columns = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
        x = rng.choice([-0.7, -0.3, width - 0.6, width - 0.2, -1.4], size=flow_shape[:3])
        y = rng.choice([-0.6, -0.2, height - 0.7, height - 0.3, 1.5], size=flow_shape[:3])
        flow = np.stack([x - columns, y - rows], axis=-1)
    else:
        flow = fractional_flow(rng, flow_shape)
    image = rng.normal(size=shape)
    weights = rng.normal(size=shape)
    eps = 1e-3 if case == "small_eps" else EPS

    @tf.function
    def graph_loss(image_value: tf.Tensor, flow_value: tf.Tensor) -> tf.Tensor:
        return tf.reduce_sum(forward_warp(image_value, flow_value, eps=eps)[0] * weights)

    def loss(image_value: np.ndarray, flow_value: np.ndarray) -> float:
        return float(graph_loss(tf.constant(image_value), tf.constant(flow_value)))

    image_tensor, flow_tensor = tf.constant(image), tf.constant(flow)
    with tf.GradientTape() as tape:
        tape.watch([image_tensor, flow_tensor])
        total = tf.reduce_sum(forward_warp(image_tensor, flow_tensor, eps=eps)[0] * weights)
    image_gradient, flow_gradient = tape.gradient(total, [image_tensor, flow_tensor])
    expected_image = numerical_gradient(lambda value: loss(value, flow), image)
    expected_flow = numerical_gradient(lambda value: loss(image, value), flow)
    np.testing.assert_allclose(image_gradient, expected_image, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(flow_gradient, expected_flow, rtol=1e-5, atol=1e-5)
    assert np.abs(flow_gradient).max() > 0.1  # the check is not vacuous


def test_gradient_at_integer_positions_is_right_sided() -> None:
    # An integer shift: every target keeps weight ~1, so the right-sided difference is smooth.
    rng = np.random.default_rng(5)
    image = rng.normal(size=(1, 4, 5, 2))
    flow = np.zeros((1, 4, 5, 2))
    flow[..., 0] = 1.0
    weights = rng.normal(size=image.shape)
    _, flow_gradient = loss_function(image, flow, weights)
    step = 1e-7
    for index in [(0, 1, 1, 0), (0, 2, 0, 1), (0, 3, 2, 1), (0, 0, 2, 0)]:
        moved = flow.copy()
        moved[index] += step
        plus = np.sum(forward_warp(image, moved)[0].numpy() * weights)
        here = np.sum(forward_warp(image, flow)[0].numpy() * weights)
        np.testing.assert_allclose(flow_gradient[index], (plus - here) / step, rtol=1e-4, atol=1e-4)


def test_flow_gradient_formula_of_seeds_md() -> None:
    # One source pixel splats onto targets that also hold other pixels: check
    # dy[p,l]/du = -sign(u - p) [|u - p| < 1] max(0, 1 - |v - l|) (x - y[p,l]) / (w[p,l] + eps)
    # summed over the targets, for dL/dy = 1 at one target only.
    rng = np.random.default_rng(7)
    image = rng.normal(size=(1, 3, 3, 1))
    flow = fractional_flow(rng, (1, 3, 3, 2), 0.2, 0.8) * 0.5
    warped, _ = reference_forward_warp(image, flow)
    weights = np.zeros((1, 3, 3, 1))
    for b, p, q in np.ndindex(1, 3, 3):  # recompute w of eq. 3.6
        x, y = q + flow[b, p, q, 0], p + flow[b, p, q, 1]
        for row, column in np.ndindex(3, 3):
            weights[b, row, column] += max(0, 1 - abs(column - x)) * max(0, 1 - abs(row - y))
    target = (1, 1)
    upstream = np.zeros((1, 3, 3, 1))
    upstream[0, target[0], target[1], 0] = 1.0
    _, flow_gradient = loss_function(image, flow, upstream)
    for p, q in np.ndindex(3, 3):
        u, v = q + flow[0, p, q, 0], p + flow[0, p, q, 1]  # x (column) and y (row) targets
        row, column = target
        common = (image[0, p, q, 0] - warped[0, row, column, 0]) / (
            weights[0, row, column, 0] + EPS
        )
        inside_x = abs(u - column) < 1
        inside_y = abs(v - row) < 1
        expected_x = -np.sign(u - column) * inside_x * max(0, 1 - abs(v - row)) * common
        expected_y = -np.sign(v - row) * inside_y * max(0, 1 - abs(u - column)) * common
        np.testing.assert_allclose(flow_gradient[0, p, q], [expected_x, expected_y], atol=1e-10)


def test_mask_has_no_gradient() -> None:
    flow = tf.constant(np.random.default_rng(2).normal(size=(1, 4, 4, 2)))
    image = tf.ones((1, 4, 4, 1), tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(flow)
        _, mask = forward_warp(image, flow)
        total = tf.reduce_sum(mask)
    gradient = tape.gradient(total, flow)
    assert gradient is None or not np.any(gradient.numpy())


@pytest.mark.parametrize("dtype", [tf.float16, tf.bfloat16])
def test_half_precision_accumulates_in_float32(dtype: tf.DType) -> None:
    rng = np.random.default_rng(3)
    image = rng.uniform(-1, 1, size=(2, 6, 9, 3)).astype(np.float32)
    flow = (rng.normal(size=(2, 6, 9, 2)) * 2).astype(np.float32)
    image_low, flow_low = tf.cast(image, dtype), tf.cast(flow, dtype)
    with tf.GradientTape() as tape:
        tape.watch([image_low, flow_low])
        warped, mask = forward_warp(image_low, flow_low)
        total = tf.reduce_sum(tf.cast(warped, tf.float32))
    image_gradient, flow_gradient = tape.gradient(total, [image_low, flow_low])
    assert warped.dtype == dtype and mask.dtype == dtype
    assert image_gradient.dtype == dtype and flow_gradient.dtype == dtype
    expected, expected_mask = reference_forward_warp(
        tf.cast(image_low, tf.float64).numpy(), tf.cast(flow_low, tf.float64).numpy()
    )
    tolerance = 1e-2 if dtype == tf.float16 else 3e-2
    np.testing.assert_allclose(tf.cast(warped, tf.float64), expected, atol=tolerance)
    np.testing.assert_array_equal(tf.cast(mask, tf.float64), expected_mask)


@pytest.mark.parametrize(
    ("image_shape", "flow_shape", "message"),
    [
        ((4, 4, 3), (1, 4, 4, 2), "image must have rank 4"),
        ((1, 4, 4, 3), (4, 4, 2), "flow must have rank 4"),
        ((1, 4, 4, 3), (1, 4, 4, 3), "2 channels"),
        ((1, 4, 4, 3), (1, 4, 5, 2), "same width"),
        ((1, 4, 4, 3), (1, 3, 4, 2), "same height"),
        ((2, 4, 4, 3), (1, 4, 4, 2), "same batch size"),
    ],
)
def test_bad_inputs_raise_value_error(image_shape, flow_shape, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        forward_warp(tf.zeros(image_shape), tf.zeros(flow_shape))


def test_bad_eps_and_dtype_raise_value_error() -> None:
    with pytest.raises(ValueError, match="eps must be positive"):
        forward_warp(tf.zeros((1, 2, 2, 1)), tf.zeros((1, 2, 2, 2)), eps=0.0)
    with pytest.raises(ValueError, match="image must be a float tensor"):
        forward_warp(tf.zeros((1, 2, 2, 1), tf.int32), tf.zeros((1, 2, 2, 2)))
