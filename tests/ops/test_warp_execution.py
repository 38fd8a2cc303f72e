"""The warps give the same values and gradients (up to float32 rounding: the formulations
differ per mode) eagerly, in graph mode, under XLA
(jit_compile=True, and compile_kernels=True) and under a 2-replica MirroredStrategy."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tfface.ops import backward_warp, forward_warp, grid_sample, grids
from tfface.training.strategy import mirrored_strategy


def value_and_gradients(
    operation: str,
    image: tf.Tensor,
    flow: tf.Tensor,
    weights: tf.Tensor,
    compile_kernels: bool = False,
):
    """Loss sum(weights * output), the output(s) and d loss / d (image, flow)."""
    with tf.GradientTape() as tape:
        tape.watch([image, flow])
        if operation == "forward_warp":
            warped, mask = forward_warp(image, flow, compile_kernels=compile_kernels)
            outputs = (warped, mask)
        elif operation == "backward_warp":
            warped = backward_warp(image, flow, "border", compile_kernels=compile_kernels)
            outputs = (warped,)
        else:
            warped = grid_sample(image, grids.flow_to_grid(flow), compile_kernels=compile_kernels)
            outputs = (warped,)
        loss = tf.reduce_sum(warped * weights)
    return outputs, tape.gradient(loss, [image, flow])


def random_inputs(batch: int, height: int = 6, width: int = 9, channels: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    image = tf.constant(rng.normal(size=(batch, height, width, channels)), tf.float32)
    flow = tf.constant(rng.normal(size=(batch, height, width, 2)) * 2.5, tf.float32)
    weights = tf.constant(rng.normal(size=(batch, height, width, channels)), tf.float32)
    return image, flow, weights


OPERATIONS = ["forward_warp", "backward_warp", "grid_sample"]


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize(
    "mode", ["graph", "xla", "graph_compiled_kernels", "eager_compiled_kernels"]
)
def test_modes_agree_with_eager(operation: str, mode: str) -> None:
    image, flow, weights = random_inputs(batch=3)
    expected_outputs, expected_gradients = value_and_gradients(operation, image, flow, weights)
    compile_kernels = mode.endswith("compiled_kernels")
    function = lambda i, f, w: value_and_gradients(operation, i, f, w, compile_kernels)  # noqa: E731
    if mode != "eager_compiled_kernels":
        function = tf.function(function, jit_compile=mode == "xla")
    outputs, gradients = function(image, flow, weights)
    for actual, expected in zip(
        [*outputs, *gradients], [*expected_outputs, *expected_gradients], strict=True
    ):
        np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("jit_compile", [False, True])
def test_dynamic_batch_and_size(operation: str, jit_compile: bool) -> None:
    spec = tf.TensorSpec([None, None, None, None], tf.float32)
    flow_spec = tf.TensorSpec([None, None, None, 2], tf.float32)
    function = tf.function(
        lambda i, f, w: value_and_gradients(operation, i, f, w),
        input_signature=[spec, flow_spec, spec],
        jit_compile=jit_compile,
    )
    for batch, height, width in [(1, 5, 8), (4, 7, 3)]:
        image, flow, weights = random_inputs(batch, height, width, seed=batch)
        expected_outputs, expected_gradients = value_and_gradients(operation, image, flow, weights)
        outputs, gradients = function(image, flow, weights)
        for actual, expected in zip(
            [*outputs, *gradients], [*expected_outputs, *expected_gradients], strict=True
        ):
            np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize(
    ("operation", "mode"),
    [(operation, mode) for operation in OPERATIONS for mode in ("graph", "xla")]
    + [("forward_warp", "graph_compiled_kernels")],
)
def test_mirrored_strategy_two_replicas_equals_one_device(
    operation: str, mode: str, two_cpus: list[str]
) -> None:
    image, flow, weights = random_inputs(batch=4, seed=3)
    expected_outputs, expected_gradients = value_and_gradients(operation, image, flow, weights)
    strategy = mirrored_strategy(two_cpus)
    assert strategy.num_replicas_in_sync == 2
    dataset = tf.data.Dataset.from_tensor_slices((image, flow, weights)).batch(4)
    batch = next(iter(strategy.experimental_distribute_dataset(dataset)))

    @tf.function(jit_compile=mode == "xla")
    def replica_step(i, f, w):
        return value_and_gradients(operation, i, f, w, mode == "graph_compiled_kernels")

    @tf.function
    def step(inputs):
        return strategy.run(replica_step, args=inputs)

    outputs, gradients = step(batch)
    gathered = [
        tf.concat(strategy.experimental_local_results(tensor), axis=0)
        for tensor in [*outputs, *gradients]
    ]
    for actual, expected in zip(gathered, [*expected_outputs, *expected_gradients], strict=True):
        np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_xla_formulation_matches_eager_in_float64(operation: str) -> None:
    # Under XLA the kernels use different (fused) formulations; in float64 they must agree
    # with the eager ones (checked against finite differences elsewhere) to rounding.
    image, flow, weights = (tf.cast(t, tf.float64) for t in random_inputs(batch=2, seed=9))
    expected_outputs, expected_gradients = value_and_gradients(operation, image, flow, weights)
    function = tf.function(
        lambda i, f, w: value_and_gradients(operation, i, f, w), jit_compile=True
    )
    outputs, gradients = function(image, flow, weights)
    for actual, expected in zip(
        [*outputs, *gradients], [*expected_outputs, *expected_gradients], strict=True
    ):
        np.testing.assert_allclose(actual, expected, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("jit_compile", [False, True])
def test_non_finite_flow_counts_as_outside(operation: str, jit_compile: bool) -> None:
    image, flow, weights = random_inputs(batch=2, seed=4)
    flow = tf.tensor_scatter_nd_update(
        flow, [[0, 1, 1, 0], [0, 2, 2, 1], [1, 3, 3, 0]], [np.nan, np.inf, -np.inf]
    )
    function = tf.function(
        lambda i, f, w: value_and_gradients(operation, i, f, w), jit_compile=jit_compile
    )
    outputs, (image_gradient, _) = function(image, flow, weights)
    assert all(np.all(np.isfinite(output)) for output in outputs)
    assert np.all(np.isfinite(image_gradient))
