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

With `--torch eager compile`, the same GAN step written in PyTorch
(`benchmarks/torch_mask_guided.py`: the same networks built from the same config object,
the same losses, Adam settings, batches, batch and image size; channels_last;
`torch.set_num_threads` = TensorFlow's intra-op threads) runs beside the one-device TF
rows, eagerly and with `torch.compile`, each in its own subprocess and timed the same way
(warm-up steps, then the median step). The report gains `torch` rows and a `comparison`:
images/s of tfface (graph, XLA) over the best PyTorch mode, per preset. PyTorch is NOT a
dependency of tfface; install it for the benchmark only (CPU wheel):

    .venv/bin/pip install torch --index-url https://download.pytorch.org/whl/cpu
    (where only PyPI is reachable: `.venv/bin/pip install torch`; its Linux wheel pulls CUDA
    libraries; the CPU wheel is ~190 MB)

Without torch, `--torch` stops with a message saying so.

    python benchmarks/train_mask_guided.py [--presets tiny paper] [--steps tiny=20,paper=4]
        [--xla off on] [--devices 1 2] [--paper-devices 1] [--batch paper=2]
        [--torch eager compile] [--threads N]
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


def benchmark_config(preset: str, data_dir: str, steps: int, batch: int | None, xla: bool = False):
    """The preset's config as the benchmark trains it (one parser step, warm-up, timed steps)."""
    from tfface.config import apply_overrides, get_preset

    overrides = [
        f"data.data_dir={data_dir}",
        "model.parser_pretrain_steps=1",
        f"train.steps={1 + WARMUP_STEPS + steps}",
        f"train.jit_compile={str(xla).lower()}",
    ]
    if batch is not None:
        overrides.append(f"train.batch_size={batch}")
    return apply_overrides(get_preset("mask_guided", preset), overrides)


def fixed_batches(config, data_dir: str) -> list:
    """The two reader batches every configuration trains on (in turn)."""
    from tfface.systems import registry

    return list(registry.system_class("mask_guided").DATA(config, data_dir).take(2))


def measure(
    preset: str, data_dir: str, xla: bool, devices: int, steps: int, batch: int | None, threads: int
) -> dict:
    """One configuration, in this process (called in a fresh subprocess)."""
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)

    if devices > 1:
        (cpu,) = tf.config.list_physical_devices("CPU")
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(devices)]
        )
    from tfface.systems import registry

    system_class = registry.system_class("mask_guided")
    config = benchmark_config(preset, data_dir, steps, batch, xla)
    batches = fixed_batches(config, data_dir)
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
        "intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads(),
        **timing,
    }


def measure_torch(
    preset: str, data_dir: str, mode: str, steps: int, batch: int | None, threads: int
) -> dict:
    """The PyTorch twin's GAN step on the same batches (called in a fresh subprocess)."""
    import statistics

    import torch
    from peak_memory import peak_rss_mib
    from torch_mask_guided import MaskGuidedStep, torch_batch

    torch.set_num_threads(threads)
    config = benchmark_config(preset, data_dir, steps, batch)
    batches = [
        torch_batch({key: value.numpy() for key, value in batch.items()})
        for batch in fixed_batches(config, data_dir)
    ]
    start = time.perf_counter()
    step = MaskGuidedStep(config, compile=mode == "compile")
    times = []
    for index in range(WARMUP_STEPS + steps):
        begin = time.perf_counter()
        losses = step.train_step(batches[index % len(batches)])
        times.append(time.perf_counter() - begin)
    if not all(torch.isfinite(loss) for loss in losses):
        raise FloatingPointError(f"PyTorch losses are not finite: {losses}")
    timed = times[WARMUP_STEPS:]
    step_seconds = statistics.median(timed)
    return {
        "preset": preset,
        "image_size": config.data.image_size,
        "global_batch": config.train.batch_size,
        "framework": f"torch {torch.__version__}",
        "torch_mode": mode,
        "adam": step.adam_kind,
        "threads": torch.get_num_threads(),
        "channels_last": True,
        "devices": 1,
        "timed_steps": steps,
        "median_step_seconds": round(step_seconds, 4),
        "images_per_second": round(config.train.batch_size / step_seconds, 3),
        "warmup_seconds": round(time.perf_counter() - start - sum(timed), 1),
        "peak_rss_mib": peak_rss_mib(),
    }


def run_configuration(
    preset: str,
    data_dir: Path,
    xla: bool,
    devices: int,
    steps: int,
    batch: int | None,
    threads: int,
) -> dict:
    command = [sys.executable, __file__, "--child", preset, str(data_dir), str(int(xla))]
    command += [str(devices), str(steps), str(batch or 0), str(threads)]
    return run_child(command, {"preset": preset, "xla": xla, "devices": devices}, ROOT)


def run_torch(
    preset: str, data_dir: Path, mode: str, steps: int, batch: int | None, threads: int
) -> dict:
    command = [sys.executable, __file__, "--torch-child", preset, str(data_dir), mode]
    command += [str(steps), str(batch or 0), str(threads)]
    return run_child(command, {"preset": preset, "torch_mode": mode}, ROOT)


def torch_available() -> str | None:
    """The installed torch version, or None (checked without importing it)."""
    from importlib import metadata

    try:
        return metadata.version("torch")
    except metadata.PackageNotFoundError:
        return None


def comparison(results: list[dict]) -> list[dict]:
    """Per preset: images/s of tfface graph / XLA (1 device) over the best PyTorch mode."""
    rows = []
    for preset in dict.fromkeys(result["preset"] for result in results):
        here = [r for r in results if r["preset"] == preset and "images_per_second" in r]
        torch_rows = [r for r in here if "torch_mode" in r]
        if not torch_rows:
            continue
        best = max(torch_rows, key=lambda r: r["images_per_second"])
        row = {
            "preset": preset,
            "global_batch": best["global_batch"],
            "torch_best_mode": best["torch_mode"],
            "torch_images_per_second": best["images_per_second"],
            **{
                f"torch_{r['torch_mode']}_images_per_second": r["images_per_second"]
                for r in torch_rows
            },
        }
        for r in here:
            if "torch_mode" not in r and r.get("devices") == 1:
                name = "xla" if r["xla"] else "graph"
                row[f"tfface_{name}_images_per_second"] = r["images_per_second"]
                row[f"tfface_{name}_over_torch"] = round(
                    r["images_per_second"] / best["images_per_second"], 3
                )
        rows.append(row)
    return rows


def table_cell(row: dict, key: str, width: int) -> str:
    value = row.get(key)
    return f"{value:>{width}}" if value is not None else f"{'-':>{width}}"


def print_table(rows: list[dict]) -> None:
    """images/s per preset: tfface graph / XLA, PyTorch eager / compile, and the ratios."""
    columns = [
        ("tf graph", "tfface_graph_images_per_second"),
        ("tf XLA", "tfface_xla_images_per_second"),
        ("pt eager", "torch_eager_images_per_second"),
        ("pt compile", "torch_compile_images_per_second"),
        ("graph/pt", "tfface_graph_over_torch"),
        ("XLA/pt", "tfface_xla_over_torch"),
    ]
    print(f"{'preset':8} {'batch':>5} " + " ".join(f"{title:>10}" for title, _ in columns))
    for row in rows:
        cells = " ".join(table_cell(row, key, 10) for _, key in columns)
        print(f"{row['preset']:8} {row['global_batch']:>5} {cells}")


def parse_steps(text: str) -> dict[str, int]:
    steps = dict(DEFAULT_STEPS)
    for item in filter(None, text.split(",")):
        name, _, value = item.partition("=")
        if name not in DEFAULT_STEPS or not value.isdigit() or int(value) < 1:
            raise SystemExit(f"--steps: use tiny=N,paper=N with N >= 1, got {item!r}")
        steps[name] = int(value)
    return steps


def parse_batches(text: str) -> dict[str, int]:
    batches = {}
    for item in filter(None, text.split(",")):
        name, _, value = item.partition("=")
        if name not in DEFAULT_STEPS or not value.isdigit() or int(value) < 1:
            raise SystemExit(f"--batch: use tiny=N,paper=N with N >= 1, got {item!r}")
        batches[name] = int(value)
    return batches


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        preset, data_dir, xla, devices, steps, batch, threads = sys.argv[2:9]
        sys.path.insert(0, str(ROOT))
        measured = measure(
            preset, data_dir, xla == "1", int(devices), int(steps), int(batch) or None, int(threads)
        )
        print(json.dumps(measured))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--torch-child":
        preset, data_dir, mode, steps, batch, threads = sys.argv[2:8]
        sys.path.insert(0, str(ROOT))
        measured = measure_torch(
            preset, data_dir, mode, int(steps), int(batch) or None, int(threads)
        )
        print(json.dumps(measured))
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
    parser.add_argument(
        "--batch", default="", help="global batch per preset, e.g. paper=2 (default: the preset's)"
    )
    parser.add_argument(
        "--torch",
        nargs="*",
        default=[],
        choices=["eager", "compile"],
        help="also time the PyTorch twin (benchmarks/torch_mask_guided.py) in these modes",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=len(os.sched_getaffinity(0)),
        help="TF intra-op threads = torch.set_num_threads (default: the usable cores)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    steps = parse_steps(args.steps)
    batches = parse_batches(args.batch)
    if args.torch and torch_available() is None:
        raise SystemExit(
            "--torch: PyTorch is not installed in this environment (it is not a tfface "
            "dependency). Install the CPU wheel for the benchmark: .venv/bin/pip install torch "
            "--index-url https://download.pytorch.org/whl/cpu"
        )
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for preset in args.presets:
            data_dir = build_data(Path(folder), SIZES[preset])
            for xla in (mode == "on" for mode in args.xla):
                for devices in args.paper_devices if preset == "paper" else args.devices:
                    results.append(
                        run_configuration(
                            preset,
                            data_dir,
                            xla,
                            devices,
                            steps[preset],
                            batches.get(preset),
                            args.threads,
                        )
                    )
            for mode in args.torch:
                results.append(
                    run_torch(
                        preset, data_dir, mode, steps[preset], batches.get(preset), args.threads
                    )
                )
    report = {
        "benchmark": "train_mask_guided",
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "load_average_at_end": list(os.getloadavg()),
        "note": "images/s = global batch / median GAN step time (paired and unpaired steps "
        "alternate); 2 devices = 2 logical CPU devices on the same 2 cores",
        "threads": args.threads,
        "configurations": results,
    }
    if args.torch:
        report["torch"] = {
            "version": torch_available(),
            "twin": "benchmarks/torch_mask_guided.py (differences in its docstring)",
            "modes": args.torch,
        }
        report["comparison"] = comparison(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))
    if args.torch:
        print_table(report["comparison"])


if __name__ == "__main__":
    main()
