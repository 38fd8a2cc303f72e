"""Trainer: `tfface train` on the Dataset artifact; the run directory is the Model artifact.

A warm start copies the checkpoints of an earlier run (a Model artifact's folder, or any
`tfface train` run directory) and continues from them for the configured `train.steps`
more steps (weights, optimizer states, EMA shadows and step count come from the earlier run).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipelines.kubeflow.failures import StageFailure


def copy_warm_start(warm_start_from: str, run_dir: Path) -> int:
    """Copies the earlier run's checkpoints into `run_dir`; returns its step count.

    Raises:
        StageFailure: the earlier run has no checkpoints or no run.json.
    """
    source = Path(warm_start_from)
    run_file, checkpoints = source / "run.json", source / "checkpoints"
    if not run_file.is_file() or not checkpoints.is_dir():
        raise StageFailure(
            f"cannot warm start from {source}: not a training run (needs run.json and "
            "checkpoints/, as a trainer's Model artifact has)"
        )
    shutil.copytree(checkpoints, run_dir / "checkpoints")
    return int(json.loads(run_file.read_text()).get("steps", 0))


def train_model(
    system: str,
    preset: str,
    overrides: Sequence[str],
    strategy: str,
    data_dir: str,
    run_dir: str,
    warm_start_from: str = "",
) -> dict[str, Any]:
    """Trains into `run_dir`; returns the Model artifact metadata (system, steps, checkpoint).

    Raises:
        ValueError: unknown system, preset or override (from `tfface train`).
        StageFailure: a warm start from something that is not a run.
    """
    from tfface.runs.train import TrainRequest, resolve_config, train

    request = TrainRequest(
        system=system,
        run_dir=run_dir,
        data_dir=data_dir,
        preset=preset,
        overrides=tuple(overrides),
        strategy=strategy,
    )
    warm_steps = 0
    if warm_start_from:
        steps = resolve_config(request).train.steps
        warm_steps = copy_warm_start(warm_start_from, Path(run_dir))
        request = dataclasses.replace(
            request,
            overrides=(*request.overrides, f"train.steps={warm_steps + steps}"),
            resume=True,
        )
    summary = train(request)
    return {
        "system": system,
        "preset": preset,
        "steps": summary["steps"],
        "warm_start_steps": warm_steps,
        "checkpoint": summary["latest_checkpoint"],
        "framework": "tensorflow",
    }
