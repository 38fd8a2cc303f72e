"""Warping speed: forward_warp vs backward_warp vs a naive scatter baseline, value + gradients.

Issue "Core ops: forward and backward warping with analytic gradients under XLA".
Batch 8, 256 x 256 x 3, float32; one step = the warp, a loss sum(warped * g) and the
gradients wrt the image AND the flow. Variants, all measured in this one process:

* naive_graph / naive_xla: forward warp as four `tf.tensor_scatter_nd_add` calls
  (one per bilinear corner, values and weight packed) with automatic differentiation.
* gather_backward_graph / gather_backward_xla: backward warp as four `tf.gather_nd`
  with automatic differentiation (the usual baseline for bilinear sampling).
* forward_warp_* / backward_warp_*: ours (`tfface.ops`, custom gradients), in plain graph
  mode, in graph mode with `compile_kernels=True`, and inside `jit_compile=True`.

Targets: forward_warp <= 1.0x our backward_warp time, and >= 8x faster than naive_graph.
Each variant is warmed up, then the variants run round-robin (so load from other
processes hits all of them alike) and the median is reported. Results go to
benchmarks/results/warp.json.

    python benchmarks/warp.py [--rounds 30] [--flow smooth|noise]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import tensorflow as tf

from tfface.ops import backward_warp, forward_warp, grids

BATCH, HEIGHT, WIDTH, CHANNELS = 8, 256, 256, 3
TARGET_FORWARD_OVER_BACKWARD = 1.0
TARGET_NAIVE_OVER_FORWARD = 8.0
# Measured by hand on a quiet machine of the same type (issue text), for context only.
REFERENCE_QUIET_MACHINE_MS = {
    "naive_graph": 204,
    "naive_xla": 50,
    "gather_backward_graph": 123,
    "gather_backward_xla": 41,
    "pytorch_2.13_cpu_grid_sample": 13,
    "pytorch_2.13_cpu_index_add_splat": 90,
}


def make_inputs(flow_kind: str, seed: int = 0) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """image (B, H, W, C) in [-1, 1], flow (B, H, W, 2) pixels, upstream gradient g."""
    rng = np.random.default_rng(seed)
    image = rng.uniform(-1, 1, (BATCH, HEIGHT, WIDTH, CHANNELS)).astype(np.float32)
    if flow_kind == "smooth":
        # a smooth random field (bicubic upsampling of an 8 x 8 grid), |flow| up to ~20 px,
        # like the rotation / frontalisation warps of the thesis
        coarse = tf.constant(rng.normal(0, 8, (BATCH, 8, 8, 2)).astype(np.float32))
        flow = tf.image.resize(coarse, (HEIGHT, WIDTH), method="bicubic")
    else:
        flow = tf.constant(rng.normal(0, 3, (BATCH, HEIGHT, WIDTH, 2)).astype(np.float32))
    upstream = rng.normal(size=image.shape).astype(np.float32)
    return tf.constant(image), tf.convert_to_tensor(flow), tf.constant(upstream)


def naive_forward_warp(image: tf.Tensor, flow: tf.Tensor, eps: float = 1e-6) -> tf.Tensor:
    """Four tensor_scatter_nd_add calls (one per corner) of [K x, K]; autodiff gradients."""
    batch, height, width, channels = image.shape
    mesh = grids.mesh_grid(height, width)  # (H, W, 2)
    target = flow + mesh  # (B, H, W, 2)
    low = tf.floor(target)
    fraction = target - low
    batch_index = tf.broadcast_to(tf.range(batch)[:, None, None], (batch, height, width))
    sums = tf.zeros((batch, height, width, channels + 1))
    packed = tf.concat([image, tf.ones_like(image[..., :1])], axis=-1)  # (B, H, W, C + 1)
    for row_offset in (0, 1):
        for column_offset in (0, 1):
            x = tf.cast(low[..., 0], tf.int32) + column_offset
            y = tf.cast(low[..., 1], tf.int32) + row_offset
            weight_x = fraction[..., 0] if column_offset else 1.0 - fraction[..., 0]
            weight_y = fraction[..., 1] if row_offset else 1.0 - fraction[..., 1]
            inside = (x >= 0) & (x < width) & (y >= 0) & (y < height)
            weight = tf.where(inside, weight_x * weight_y, 0.0)[..., None]  # (B, H, W, 1)
            indices = tf.stack(
                [
                    batch_index,
                    tf.clip_by_value(y, 0, height - 1),
                    tf.clip_by_value(x, 0, width - 1),
                ],
                axis=-1,
            )
            sums = tf.tensor_scatter_nd_add(sums, indices, packed * weight)
    return sums[..., :channels] / (sums[..., channels:] + eps)


def gather_backward_warp(image: tf.Tensor, flow: tf.Tensor) -> tf.Tensor:
    """Bilinear sampling with four gather_nd (zeros padding); autodiff gradients."""
    batch, height, width, _ = image.shape
    target = flow + grids.mesh_grid(height, width)
    low = tf.floor(target)
    fraction = target - low
    batch_index = tf.broadcast_to(tf.range(batch)[:, None, None], (batch, height, width))
    result = 0.0
    for row_offset in (0, 1):
        for column_offset in (0, 1):
            x = tf.cast(low[..., 0], tf.int32) + column_offset
            y = tf.cast(low[..., 1], tf.int32) + row_offset
            weight_x = fraction[..., 0] if column_offset else 1.0 - fraction[..., 0]
            weight_y = fraction[..., 1] if row_offset else 1.0 - fraction[..., 1]
            inside = (x >= 0) & (x < width) & (y >= 0) & (y < height)
            weight = tf.where(inside, weight_x * weight_y, 0.0)[..., None]
            indices = tf.stack(
                [
                    batch_index,
                    tf.clip_by_value(y, 0, height - 1),
                    tf.clip_by_value(x, 0, width - 1),
                ],
                axis=-1,
            )
            result += tf.gather_nd(image, indices) * weight
    return result


def make_step(warp: Callable, upstream: tf.Tensor, jit_compile: bool) -> Callable:
    """A tf.function returning (loss, d loss / d image, d loss / d flow)."""

    @tf.function(jit_compile=jit_compile)
    def step(image: tf.Tensor, flow: tf.Tensor):
        with tf.GradientTape() as tape:
            tape.watch([image, flow])
            loss = tf.reduce_sum(warp(image, flow) * upstream)
        image_gradient, flow_gradient = tape.gradient(loss, [image, flow])
        return loss, image_gradient, flow_gradient

    return step


def variants(upstream: tf.Tensor) -> dict[str, Callable]:
    def ours_forward(compile_kernels: bool) -> Callable:
        return lambda image, flow: forward_warp(image, flow, compile_kernels=compile_kernels)[0]

    def ours_backward(compile_kernels: bool) -> Callable:
        return lambda image, flow: backward_warp(image, flow, compile_kernels=compile_kernels)

    return {
        "naive_graph": make_step(naive_forward_warp, upstream, False),
        "naive_xla": make_step(naive_forward_warp, upstream, True),
        "gather_backward_graph": make_step(gather_backward_warp, upstream, False),
        "gather_backward_xla": make_step(gather_backward_warp, upstream, True),
        "forward_warp_graph": make_step(ours_forward(False), upstream, False),
        "forward_warp_graph_compiled_kernels": make_step(ours_forward(True), upstream, False),
        "forward_warp_xla": make_step(ours_forward(False), upstream, True),
        "backward_warp_graph": make_step(ours_backward(False), upstream, False),
        "backward_warp_graph_compiled_kernels": make_step(ours_backward(True), upstream, False),
        "backward_warp_xla": make_step(ours_backward(False), upstream, True),
    }


def run_once(step: Callable, image: tf.Tensor, flow: tf.Tensor) -> tuple[float, float]:
    """(wall ms, process CPU ms) of one step, waiting for its results."""
    start, start_cpu = time.perf_counter(), time.process_time()
    outputs = step(image, flow)
    for tensor in outputs:
        tensor.numpy()  # wait for the result
    return (time.perf_counter() - start) * 1e3, (time.process_time() - start_cpu) * 1e3


def measure(
    rounds: int, flow_kind: str, only: list[str] | None
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall and CPU times per variant; variants run round-robin after a warm-up."""
    image, flow, upstream = make_inputs(flow_kind)
    steps = variants(upstream)
    if only:
        steps = {name: step for name, step in steps.items() if name in only}
    for step in steps.values():  # compile and warm up
        for _ in range(3):
            run_once(step, image, flow)
    wall: dict[str, list[float]] = {name: [] for name in steps}
    cpu: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(rounds):
        for name, step in steps.items():
            wall_ms, cpu_ms = run_once(step, image, flow)
            wall[name].append(wall_ms)
            cpu[name].append(cpu_ms)
    return wall, cpu


def ratios(median: dict[str, float]) -> dict:
    """Best configs, forward / backward and naive_graph / forward ratios, targets met."""
    forward = {k.removeprefix("forward_warp_"): v for k, v in median.items() if "forward_warp" in k}
    backward = {
        k.removeprefix("backward_warp_"): v for k, v in median.items() if "backward_warp" in k
    }
    if not forward or not backward:
        return {}
    best_forward = min(forward, key=forward.get)
    best_backward = min(backward, key=backward.get)
    forward_over_backward = {
        config: round(forward[config] / backward[config], 3)
        for config in forward
        if config in backward
    }
    forward_over_backward["best_vs_best"] = round(
        forward[best_forward] / backward[best_backward], 3
    )
    result: dict = {
        "best": {
            "forward_warp": {"config": best_forward, "ms": forward[best_forward]},
            "backward_warp": {"config": best_backward, "ms": backward[best_backward]},
        },
        "ratio_forward_over_backward": forward_over_backward,
        "targets": {
            "forward_over_backward_max": TARGET_FORWARD_OVER_BACKWARD,
            "forward_over_backward_met": forward_over_backward["best_vs_best"]
            <= TARGET_FORWARD_OVER_BACKWARD,
        },
    }
    if "naive_graph" in median:
        result["ratio_naive_graph_over_forward"] = {
            config: round(median["naive_graph"] / ms, 2) for config, ms in forward.items()
        }
        speedup = median["naive_graph"] / forward[best_forward]
        result["targets"]["naive_graph_over_forward_min"] = TARGET_NAIVE_OVER_FORWARD
        result["targets"]["naive_graph_over_forward_met"] = speedup >= TARGET_NAIVE_OVER_FORWARD
    return result


def summarise(wall: dict[str, list[float]], cpu: dict[str, list[float]]) -> dict:
    """Medians and ranges; ratios from median wall time (the headline), from the minimum
    wall time (closest to an idle machine when other processes share the cores) and from
    CPU time (process time of all threads: the work done, little disturbed by other
    processes, but blind to how well a variant uses both cores).
    """
    wall_median = {name: round(statistics.median(values), 2) for name, values in wall.items()}
    wall_min = {name: round(min(values), 2) for name, values in wall.items()}
    cpu_median = {name: round(statistics.median(values), 2) for name, values in cpu.items()}
    return {
        "median_ms": wall_median,
        "min_max_ms": {
            name: [round(min(values), 2), round(max(values), 2)] for name, values in wall.items()
        },
        **ratios(wall_median),
        "min_ms_ratios": ratios(wall_min),
        "cpu_median_ms": cpu_median,
        "cpu_time_ratios": ratios(cpu_median),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30, help="timed runs per variant")
    parser.add_argument("--flow", choices=["smooth", "noise"], default="smooth")
    parser.add_argument("--only", nargs="*", help="measure only these variants")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "warp.json"))
    arguments = parser.parse_args()
    load_before = os.getloadavg()
    wall, cpu = measure(arguments.rounds, arguments.flow, arguments.only)
    result = {
        "benchmark": "warp",
        "shape": [BATCH, HEIGHT, WIDTH, CHANNELS],
        "flow": arguments.flow,
        "rounds": arguments.rounds,
        "step": "warp + sum(warped * g) + gradients wrt image and flow",
        **summarise(wall, cpu),
        "reference_quiet_machine_ms": REFERENCE_QUIET_MACHINE_MS,
        "notes": (
            "All variants run round-robin in one process, so ratios compare like with like; "
            "absolute times grow with the load of other processes (see load_average_*). "
            "forward_warp / backward_warp: tfface.ops with custom gradients; *_xla: the whole "
            "step under jit_compile=True; *_graph_compiled_kernels: plain tf.function with "
            "compile_kernels=True; *_graph: plain tf.function."
        ),
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "tensorflow": tf.__version__,
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        },
    }
    print(json.dumps(result, indent=2))
    if not arguments.only:
        Path(arguments.out).parent.mkdir(parents=True, exist_ok=True)
        Path(arguments.out).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
