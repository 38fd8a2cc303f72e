"""Mask-guided training speed: images/s and peak RSS, paper vs tiny, XLA on/off, 1 vs 2 devices.

Issue "Training framework ... and the complete mask-guided portrait editing system".
For each of the `paper` preset (256 px, batch 12, 9 residual blocks) and the `tiny`
preset (64 px, batch 4), with `jit_compile` off and on, on one device and under a
2-replica MirroredStrategy over two logical CPU devices (same global batch), one
subprocess per configuration:

* builds the system and its optimizers, feeds a few fixed batches of SynthFaces (built once
  by the Beam job at each size, crops and append regions by the reader) from memory, so
  the input pipeline is out of the measurement;
* runs one parser step (the parser pre-training) and then GAN steps (paired and unpaired
  alternate, as in training) with `fit`; the first GAN steps (tracing, XLA compilation)
  are warm-up, the median of the following step times gives images/s = global batch /
  step time;
* reports the process's peak RSS (VmHWM) and the warm-up time.

On 2 cores, "2 logical devices" splits the same two cores between two replicas: it shows
the cost of the distribution machinery, not a speed-up (that needs GPUs or workers).

    python benchmarks/train_mask_guided.py [--presets tiny paper] [--steps tiny=20,paper=4]
        [--xla off on] [--devices 1 2] [--paper-devices 1]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from step_times import run_child, timed_fit  # noqa: E402  (benchmarks/ is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "train_mask_guided.json"
WARMUP_STEPS = 2
"""GAN steps not timed: one paired and one unpaired step trace (and compile) their graphs."""
DEFAULT_STEPS = {"tiny": 20, "paper": 4}
SIZES = {"tiny": 64, "paper": 256}


def build_data(folder: Path, size: int) -> Path:
    """A small SynthFaces dataset at `size` px (16 identities x 2 yaws)."""
    from pipelines import synthfaces

    output = folder / f"synthfaces_{size}"
    synthfaces.main(
        ["--output", str(output), "--identities", "16", "--size", str(size)]
        + ["--uv-size", "32", "--yaws", "0", "20", "--splits", "train=1,validation=0,test=0"]
    )
    return output


def measure(preset: str, data_dir: str, xla: bool, devices: int, steps: int) -> dict:
    """One configuration, in this process (called in a fresh subprocess)."""
    import tensorflow as tf

    if devices > 1:
        (cpu,) = tf.config.list_physical_devices("CPU")
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(devices)]
        )
    from tfface.config import apply_overrides, get_preset
    from tfface.systems import registry

    system_class = registry.system_class("mask_guided")
    config = apply_overrides(
        get_preset("mask_guided", preset),
        [
            f"data.data_dir={data_dir}",
            "model.parser_pretrain_steps=1",
            f"train.steps={1 + WARMUP_STEPS + steps}",
            f"train.jit_compile={str(xla).lower()}",
        ],
    )
    batches = list(system_class.DATA(config, data_dir).take(2))
    stacked = {key: tf.stack([batch[key] for batch in batches]) for key in batches[0]}
    dataset = tf.data.Dataset.from_tensor_slices(stacked).repeat()
    strategy = (
        tf.distribute.MirroredStrategy([f"/cpu:{index}" for index in range(devices)])
        if devices > 1
        else tf.distribute.get_strategy()
    )
    with strategy.scope():
        system = system_class.create(config)
        system.compile_for_training(config)
    start = time.perf_counter()
    system.fit(dataset, steps_per_epoch=1, epochs=1, verbose=0)  # the parser step
    parser_seconds = time.perf_counter() - start
    timing = timed_fit(system, dataset, config.train.batch_size, WARMUP_STEPS, steps)
    timing["warmup_seconds"] = round(timing["warmup_seconds"] + parser_seconds, 1)
    return {
        "preset": preset,
        "image_size": config.data.image_size,
        "global_batch": config.train.batch_size,
        "xla": xla,
        "devices": devices,
        **timing,
    }


def run_configuration(preset: str, data_dir: Path, xla: bool, devices: int, steps: int) -> dict:
    command = [sys.executable, __file__, "--child", preset, str(data_dir), str(int(xla))]
    command += [str(devices), str(steps)]
    return run_child(command, {"preset": preset, "xla": xla, "devices": devices}, ROOT)


def parse_steps(text: str) -> dict[str, int]:
    steps = dict(DEFAULT_STEPS)
    for item in filter(None, text.split(",")):
        name, _, value = item.partition("=")
        if name not in DEFAULT_STEPS or not value.isdigit() or int(value) < 1:
            raise SystemExit(f"--steps: use tiny=N,paper=N with N >= 1, got {item!r}")
        steps[name] = int(value)
    return steps


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        preset, data_dir, xla, devices, steps = sys.argv[2:7]
        sys.path.insert(0, str(ROOT))
        print(json.dumps(measure(preset, data_dir, xla == "1", int(devices), int(steps))))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", nargs="+", default=["tiny", "paper"], choices=list(SIZES))
    parser.add_argument("--steps", default="", help="timed GAN steps, e.g. tiny=20,paper=4")
    parser.add_argument(
        "--xla", nargs="+", default=["off", "on"], choices=["off", "on"], help="jit_compile"
    )
    parser.add_argument(
        "--devices", nargs="+", type=int, default=[1, 2], choices=[1, 2], help="replicas"
    )
    parser.add_argument(
        "--paper-devices",
        nargs="+",
        type=int,
        default=[1],
        choices=[1, 2],
        help="replicas for the paper preset (default 1: one 256 px step takes minutes and "
        "~20 GiB on 2 cores)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    steps = parse_steps(args.steps)
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for preset in args.presets:
            data_dir = build_data(Path(folder), SIZES[preset])
            for xla in (mode == "on" for mode in args.xla):
                for devices in args.paper_devices if preset == "paper" else args.devices:
                    results.append(run_configuration(preset, data_dir, xla, devices, steps[preset]))
    report = {
        "benchmark": "train_mask_guided",
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "load_average_at_end": list(os.getloadavg()),
        "note": "images/s = global batch / median GAN step time (paired and unpaired steps "
        "alternate); 2 devices = 2 logical CPU devices on the same 2 cores",
        "configurations": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
