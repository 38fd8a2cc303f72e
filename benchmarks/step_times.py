"""Timing training steps (benchmarks/train_*.py): a per-batch timer, one timed `fit`, and
running one measurement in a fresh process."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import keras
from peak_memory import peak_rss_mib


class StepTimes(keras.callbacks.Callback):
    """Wall time of every training batch, in seconds, in `times`."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []
        self._start = 0.0

    def on_train_batch_begin(self, batch, logs=None) -> None:
        self._start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None) -> None:
        self.times.append(time.perf_counter() - self._start)


def timed_fit(system: Any, dataset: Any, global_batch: int, warmup: int, steps: int) -> dict:
    """`fit` for `warmup + steps` steps; the timing of the `steps` after the warm-up.

    Returns {"timed_steps", "median_step_seconds", "images_per_second" (global batch /
    median step time), "warmup_seconds" (everything else of the fit: tracing, the first
    steps), "peak_rss_mib" (of this process)}.
    """
    timer = StepTimes()
    start = time.perf_counter()
    system.fit(dataset, steps_per_epoch=warmup + steps, epochs=1, verbose=0, callbacks=[timer])
    timed = timer.times[warmup:]
    step_seconds = statistics.median(timed)
    return {
        "timed_steps": steps,
        "median_step_seconds": round(step_seconds, 4),
        "images_per_second": round(global_batch / step_seconds, 3),
        "warmup_seconds": round(time.perf_counter() - start - sum(timed), 1),
        "peak_rss_mib": peak_rss_mib(),
    }


def run_child(command: list[str], label: dict[str, Any], cwd: Path) -> dict:
    """Runs one measurement in a fresh process (its own peak RSS) and returns the JSON of
    its last stdout line; on failure `label` with the error lines of its stderr."""
    print(" ".join(f"{key}={value}" for key, value in label.items()), "...", file=sys.stderr)
    result = subprocess.run(command, capture_output=True, text=True, cwd=cwd)
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        error = [line for line in lines if "Error" in line][-3:] or lines[-3:]
        print(f"  failed: {error}", file=sys.stderr)
        return {**label, "error": error}
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    print(
        f"  {measured['images_per_second']} images/s, peak RSS {measured['peak_rss_mib']} MiB",
        file=sys.stderr,
    )
    return measured
