"""Training speed and memory of every system: one row per system and preset.

For each registered system (`tfface.systems.registry`) and preset (default `tiny` and
`paper`), in a fresh subprocess each:

* builds a small SynthFaces dataset with the Beam job at the preset's image size, with the
  job arguments the system declares (`GANSystem.SYNTHFACES`: pose pairs, coefficients,
  occluders, domains, ...), and materialises two batches in memory so the input pipeline
  is out of the measurement;
* pretrained feature extractors run with random weights (the same compute; nothing is
  downloaded here): every model-config field `*_weights` set to "imagenet" becomes "random";
* a system trained in stages is timed in its LAST stage (the step counter starts there: the
  main training, not a pre-training stage);
* trains with `fit`: the first steps (tracing) are warm-up, images/s = global batch / the
  median of the following step times; peak RSS of the process (includes TensorFlow itself).

The global batch is the same for every row (default 2, smaller than most presets so the
paper-size networks finish in minutes on 2 CPU cores); images/s is per image either way.
Rows are merged into benchmarks/results/train_systems.json by (system, preset), so one
system can be re-measured alone:

    python benchmarks/train_systems.py [--systems NAME ...] [--presets tiny paper]
        [--batch 2] [--steps 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from step_times import run_child, timed_fit  # noqa: E402  (benchmarks/ is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "train_systems.json"
WARMUP_STEPS = 2
IDENTITIES = 8
RANDOM_WEIGHTS = "random"


def offline_overrides(config) -> list[str]:
    """`model.<field>=random` for every pretrained-weights field that would download."""
    model = config.resolved_model() if hasattr(config, "resolved_model") else config.model
    return [
        f"model.{field.name}={RANDOM_WEIGHTS}"
        for field in dataclasses.fields(model)
        if field.name.endswith("_weights") and getattr(model, field.name) == "imagenet"
    ]


def preset_config(system_name: str, preset: str, data_dir: str, batch: int, steps: int):
    """The preset on `data_dir` with the benchmark's batch, steps and offline weights."""
    from tfface.config import apply_overrides, get_preset

    config = get_preset(system_name, preset)
    overrides = [f"data.data_dir={data_dir}", f"train.batch_size={batch}"]
    overrides += [f"train.steps={steps}", *offline_overrides(config)]
    return apply_overrides(config, overrides)


def image_size(system_name: str, preset: str) -> int:
    """The preset's image side (the data are rendered at it)."""
    from tfface.config import get_preset

    return int(get_preset(system_name, preset).data.image_size)


def build_data(folder: Path, system_name: str, size: int) -> Path:
    """SynthFaces at `size` px with the system's declared job arguments, all in train."""
    from pipelines import synthfaces
    from tfface.systems import registry

    output = folder / f"{system_name}_{size}"
    if output.exists():
        return output
    arguments = ["--output", str(output), "--identities", str(IDENTITIES), "--size", str(size)]
    arguments += ["--uv-size", str(min(size, 64)), "--splits", "train=1,validation=0,test=0"]
    arguments += list(registry.get(system_name).system_class.SYNTHFACES)
    synthfaces.main(arguments)
    return output


def measure(system_name: str, preset: str, data_dir: str, batch: int, steps: int) -> dict:
    """One system and preset, in this process (called in a fresh subprocess)."""
    import tensorflow as tf

    from tfface.systems import registry

    spec = registry.get(system_name)
    config = preset_config(system_name, preset, data_dir, batch, WARMUP_STEPS + steps)
    batches = list(spec.dataset(config, data_dir).take(2))
    stacked = {key: tf.stack([item[key] for item in batches]) for key in batches[0]}
    dataset = tf.data.Dataset.from_tensor_slices(stacked).repeat()
    system = spec.build(config)
    spec.compile(system, config)
    stages = system.stages()
    system.step_counter.assign(stages[-1][0])
    timing = timed_fit(system, dataset, batch, WARMUP_STEPS, steps)
    return {
        "system": system_name,
        "preset": preset,
        "image_size": config.data.image_size,
        "global_batch": batch,
        "timed_stage": f"{len(stages)} of {len(stages)}",
        **timing,
    }


def run_configuration(system: str, preset: str, data_dir: Path, batch: int, steps: int) -> dict:
    """`measure` in a fresh process (peak RSS per row); an error row if it fails."""
    command = [sys.executable, __file__, "--child", system, preset, str(data_dir)]
    command += [str(batch), str(steps)]
    return run_child(command, {"system": system, "preset": preset}, ROOT)


def merged_rows(path: Path, new_rows: list[dict]) -> list[dict]:
    """The rows of an earlier report with `new_rows` replacing theirs by (system, preset)."""
    rows = json.loads(path.read_text())["rows"] if path.exists() else []
    replaced = {(row["system"], row["preset"]) for row in new_rows}
    kept = [row for row in rows if (row["system"], row["preset"]) not in replaced]
    return sorted(kept + new_rows, key=lambda row: (row["system"], row["preset"]))


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    from tfface.systems import registry

    systems = registry.available()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", nargs="+", default=systems, choices=systems)
    parser.add_argument("--presets", nargs="+", default=["tiny", "paper"])
    parser.add_argument("--batch", type=int, default=2, help="global batch (default 2)")
    parser.add_argument("--steps", type=int, default=3, help="timed steps after warm-up")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.batch < 1 or args.steps < 1:
        parser.error("--batch and --steps must be >= 1")
    for system in args.systems:
        unknown = sorted(set(args.presets) - set(registry.get(system).presets))
        if unknown:
            parser.error(f"{system} has no preset {', '.join(unknown)}")
    return args


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        system, preset, data_dir, batch, steps = sys.argv[2:7]
        sys.path.insert(0, str(ROOT))
        print(json.dumps(measure(system, preset, data_dir, int(batch), int(steps))))
        return
    sys.path.insert(0, str(ROOT))
    args = parse_arguments()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for system in args.systems:
            for preset in args.presets:
                data_dir = build_data(Path(folder), system, image_size(system, preset))
                rows.append(run_configuration(system, preset, data_dir, args.batch, args.steps))
    report = {
        "benchmark": "train_systems",
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "load_average_at_end": list(os.getloadavg()),
        "note": (
            "images/s = global batch / median step time after warm-up, in the last training "
            "stage; peak RSS of the training process; pretrained extractors with random weights"
        ),
        "rows": merged_rows(args.out, rows),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
