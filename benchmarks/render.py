"""3DMM renderer speed: faces/s at 256 px, batch 8, forward and forward + backward.

Issue 20 ("3D face toolkit"), deliverable 2. The mesh is SynthFaces' morphable head at
256 px (its 161-column grid, about 24k vertices and 48k triangles), rendered from random
coefficient vectors (random shape, texture, yaw in [-60, 60] degrees, SH light). Steps:

* forward: `FaceRenderer` in a tf.function (image, mask, depth, UV coordinates);
* forward_backward: the same plus a photometric loss and its gradient with respect to
  the whole coefficient vector (shape, texture, pose, light);
* forward_culled / forward_backward_culled: the same with back-face culling;
* baseline numpy_forward: `tfface.geometry.rasterizer` (the vectorised NumPy z-buffer) and
  its interpolation of colours, depth and UVs, one face at a time from the same screen
  vertices (what the thesis's pipeline would do without a TF renderer; no gradients).

Each variant is warmed up, then the variants run round-robin (load from other processes
hits all alike) and the median time per batch is reported. Results go to
benchmarks/results/render.json with the ratio of our forward speed to the baseline's.

    python benchmarks/render.py [--rounds 10]
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

from tfface.face3d import CoefficientLayout, FaceRenderer
from tfface.face3d.camera import project
from tfface.face3d.lighting import ambient_lighting
from tfface.geometry.rasterizer import interpolate, rasterize
from tfface.synth import SynthFaces

BATCH, SIZE = 8, 256


def random_coefficients(layout: CoefficientLayout, seed: int = 0) -> np.ndarray:
    """float32 (BATCH, C) plausible coefficient vectors."""
    rng = np.random.default_rng(seed)
    lighting = ambient_lighting(0.9) + rng.normal(0.0, 0.1, (BATCH, 27)).astype(np.float32)
    return layout.join(
        identity=rng.standard_normal((BATCH, layout.num_identity)),
        expression=0.5 * rng.standard_normal((BATCH, layout.num_expression)),
        texture=rng.standard_normal((BATCH, layout.num_texture)),
        angles=np.deg2rad(rng.uniform([-60, -20, -15], [60, 20, 15], (BATCH, 3))),
        lighting=lighting,
        translation=np.tile([0.0, 0.22, 0.0], (BATCH, 1)),
    )


def tf_steps(renderer: FaceRenderer, target: tf.Tensor) -> tuple[Callable, Callable]:
    """(forward, forward_backward) tf.functions of one renderer."""

    @tf.function
    def forward(values: tf.Tensor) -> tf.Tensor:
        render = renderer(values, SIZE)
        return render.image, render.mask, render.depth, render.uv_coords

    @tf.function
    def forward_backward(values: tf.Tensor) -> tf.Tensor:
        with tf.GradientTape() as tape:
            tape.watch(values)
            render = renderer(values, SIZE)
            loss = tf.reduce_sum(tf.abs(render.image - target) * render.mask)
        return tape.gradient(loss, values)

    return forward, forward_backward


def variants(renderer: FaceRenderer, coefficients: np.ndarray) -> dict[str, Callable[[], None]]:
    """The measured steps, each rendering one batch."""
    coefficients = tf.constant(coefficients)
    target = tf.random.stateless_uniform((BATCH, SIZE, SIZE, 3), seed=(0, 1))
    triangles = renderer.model.triangles
    uv = renderer.model.uv_coords
    forward, forward_backward = tf_steps(renderer, target)
    culled = FaceRenderer(renderer.model, cull_backfaces=True)
    forward_culled, forward_backward_culled = tf_steps(culled, target)

    # the baseline starts from the same screen vertices and lit vertex colours
    vertices = renderer.posed_vertices(coefficients)
    colours = renderer.vertex_colours(coefficients, vertices).numpy()
    screen = forward_screen(renderer, vertices).numpy()
    depth = vertices.numpy()[..., 2:] * renderer.model.camera_focal * SIZE

    def numpy_forward() -> None:
        for index in range(BATCH):
            fragments = rasterize(screen[index], triangles, SIZE, SIZE)
            attributes = np.concatenate([colours[index], depth[index], uv], axis=1)
            interpolate(fragments, triangles, attributes)

    return {
        "forward": lambda: [t.numpy() for t in forward(coefficients)],
        "forward_backward": lambda: forward_backward(coefficients).numpy(),
        "forward_culled": lambda: [t.numpy() for t in forward_culled(coefficients)],
        "forward_backward_culled": lambda: forward_backward_culled(coefficients).numpy(),
        "numpy_forward": numpy_forward,
    }


def forward_screen(renderer: FaceRenderer, vertices: tf.Tensor) -> tf.Tensor:
    """Screen vertices (B, V, 3) of posed vertices with the model's camera."""
    model = renderer.model
    return project(
        vertices, SIZE, model.camera_model, model.camera_focal, model.camera_distance
    ).screen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="timed rounds per variant")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "render.json"))
    args = parser.parse_args()

    model = SynthFaces(seed=0, image_size=SIZE, uv_size=64).morphable_model()
    renderer = FaceRenderer(model)
    steps = variants(renderer, random_coefficients(renderer.layout))
    for step in steps.values():  # warm up (tracing)
        step()
        step()
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(args.rounds):
        for name, step in steps.items():
            start = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - start)
    median = {name: statistics.median(values) for name, values in times.items()}
    faces_per_second = {name: round(BATCH / value, 2) for name, value in median.items()}
    results = {
        "benchmark": "render",
        "machine": platform.machine(),
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "cpu_count": os.cpu_count(),
        "batch": BATCH,
        "image_size": SIZE,
        "mesh": {"vertices": model.num_vertices, "triangles": int(len(model.triangles))},
        "rounds": args.rounds,
        "median_ms_per_batch": {name: round(1000 * value, 1) for name, value in median.items()},
        "min_max_ms_per_batch": {
            name: [round(1000 * min(values), 1), round(1000 * max(values), 1)]
            for name, values in times.items()
        },
        "faces_per_second": faces_per_second,
        "ratio_forward_over_numpy": round(
            faces_per_second["forward"] / faces_per_second["numpy_forward"], 2
        ),
    }
    for name, value in faces_per_second.items():
        print(f"{name:24s}: {value:8.2f} faces/s ({results['median_ms_per_batch'][name]} ms/batch)")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print("wrote", args.out)


if __name__ == "__main__":
    main()
