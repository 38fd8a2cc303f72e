"""Warp systems' training speed: images/s with the forward vs the backward sampler.

Issue "Learned image deformations". The `paper` presets (Sevastopolskiy 2019 architectures)
of `warp_rotation` at 128 px and `warp_inpainting` at 256 px, each with `model.sampler`
forward and backward (same networks, the thesis's comparison), one subprocess per
configuration:

* builds a small SynthFaces dataset with the Beam job (pose pairs for rotation, single
  images for inpainting, free-form holes drawn per batch), materialises a few batches in
  memory so the input pipeline is out of the measurement;
* warp_inpainting's VGG16 content / style losses run with random weights (the same
  compute; the ImageNet weights cannot be downloaded here);
* trains with `fit`: the first steps (tracing) are warm-up, images/s = global batch / the
  median of the following step times; peak RSS of the process.

The batch is smaller than the presets' 8 (default 2) so the paper-size networks finish in
minutes on 2 CPU cores; images/s is per image either way. Results go to
benchmarks/results/train_warp.json.

    python benchmarks/train_warp.py [--batch 2] [--steps 3] [--systems warp_rotation ...]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from step_times import run_child, timed_fit  # noqa: E402  (benchmarks/ is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "train_warp.json"
SIZES = {"warp_rotation": 128, "warp_inpainting": 256}
SAMPLERS = ("forward", "backward")
WARMUP_STEPS = 2
PERCEPTUAL_OVERRIDES = {"warp_inpainting": ["model.perceptual_weights=random"]}
"""No ImageNet VGG16 weights offline: random weights, the same compute."""


def build_data(folder: Path, system: str) -> Path:
    """8 identities at the system's size; frontal pairs for rotation."""
    from pipelines import synthfaces

    output = folder / system
    arguments = ["--output", str(output), "--identities", "8", "--size", str(SIZES[system])]
    arguments += ["--uv-size", "32", "--splits", "train=1,validation=0,test=0"]
    if system == "warp_rotation":
        arguments += ["--yaws", "0", "30", "--pair-with-frontal"]
    else:
        arguments += ["--yaws", "0", "20"]
    synthfaces.main(arguments)
    return output


def measure(system_name: str, data_dir: str, sampler: str, batch: int, steps: int) -> dict:
    """One configuration, in this process (called in a fresh subprocess)."""
    import tensorflow as tf

    from tfface.config import apply_overrides, get_preset
    from tfface.systems import registry

    spec = registry.get(system_name)
    config = apply_overrides(
        get_preset(system_name, "paper"),
        [
            f"data.data_dir={data_dir}",
            f"model.sampler={sampler}",
            f"train.batch_size={batch}",
            f"train.steps={WARMUP_STEPS + steps}",
            *PERCEPTUAL_OVERRIDES.get(system_name, []),
        ],
    )
    batches = list(spec.dataset(config, data_dir).take(2))
    stacked = {key: tf.stack([item[key] for item in batches]) for key in batches[0]}
    dataset = tf.data.Dataset.from_tensor_slices(stacked).repeat()
    system = spec.build(config)
    spec.compile(system, config)
    return {
        "system": system_name,
        "preset": "paper",
        "image_size": config.data.image_size,
        "sampler": sampler,
        "global_batch": batch,
        **timed_fit(system, dataset, batch, WARMUP_STEPS, steps),
    }


def run_configuration(system: str, data_dir: Path, sampler: str, batch: int, steps: int) -> dict:
    command = [sys.executable, __file__, "--child", system, str(data_dir), sampler]
    command += [str(batch), str(steps)]
    return run_child(command, {"system": system, "sampler": sampler}, ROOT)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        system, data_dir, sampler, batch, steps = sys.argv[2:7]
        sys.path.insert(0, str(ROOT))
        print(json.dumps(measure(system, data_dir, sampler, int(batch), int(steps))))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", nargs="+", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--batch", type=int, default=2, help="global batch (default 2)")
    parser.add_argument("--steps", type=int, default=3, help="timed steps after warm-up")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    if args.batch < 1 or args.steps < 1:
        raise SystemExit("--batch and --steps must be >= 1")
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for system in args.systems:
            data_dir = build_data(Path(folder), system)
            for sampler in SAMPLERS:
                results.append(run_configuration(system, data_dir, sampler, args.batch, args.steps))
    ratios = {}
    for system in args.systems:
        speeds = {
            entry["sampler"]: entry["images_per_second"]
            for entry in results
            if entry["system"] == system and "images_per_second" in entry
        }
        if len(speeds) == 2:
            ratios[system] = round(speeds["forward"] / speeds["backward"], 3)
    report = {
        "benchmark": "train_warp",
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "load_average_at_end": list(os.getloadavg()),
        "note": "paper presets, images/s = global batch / median step time (after warm-up)",
        "forward_over_backward_images_per_second": ratios,
        "configurations": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
