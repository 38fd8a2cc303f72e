"""Restore a trained system from a `tfface train` run directory (for export).

RUN_DIR/run.json names the system, RUN_DIR/config.yaml is its resolved config and
RUN_DIR/checkpoints/ holds the tf.train.CheckpointManager checkpoints over
`system.checkpoint()` (networks, optimizers, EMA shadows, seed, step).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tensorflow as tf

from tfface.config import load_yaml
from tfface.systems import registry


@dataclass
class TrainedRun:
    """A system restored from its latest checkpoint.

    Attributes:
        system: the GANSystem with the checkpoint's weights (raw, not EMA).
        system_name: registry name (from run.json).
        config: the resolved config.
        run_info: run.json contents.
        checkpoint_path: the checkpoint that was restored.
        run_dir: the run directory.
    """

    system: Any
    system_name: str
    config: Any
    run_info: dict
    checkpoint_path: str
    run_dir: Path


def read_run_info(run_dir: Path) -> dict:
    """run.json of a run directory, with a clear error when it is not one."""
    run_file = run_dir / "run.json"
    if not run_file.is_file():
        raise FileNotFoundError(
            f"{run_dir} is not a tfface run directory: no run.json (written by `tfface train`)"
        )
    info = json.loads(run_file.read_text())
    if "system" not in info:
        raise ValueError(f"{run_file} does not name the system ('system' key)")
    return info


def load_trained_system(run_dir: str | Path) -> TrainedRun:
    """Builds the run's system from its config and restores the latest checkpoint."""
    run_dir = Path(run_dir)
    info = read_run_info(run_dir)
    spec = registry.get(info["system"])
    config_file = run_dir / "config.yaml"
    if not config_file.is_file():
        raise FileNotFoundError(f"{run_dir}: no config.yaml")
    config = load_yaml(str(config_file), spec.config_class)
    checkpoint_path = tf.train.latest_checkpoint(str(run_dir / "checkpoints"))
    if not checkpoint_path:
        raise FileNotFoundError(f"{run_dir}: no checkpoint in {run_dir / 'checkpoints'}")
    system = spec.build(config)
    system.enable_ema()
    status = system.checkpoint().restore(checkpoint_path)
    # Every network (and EMA shadow) must come from the checkpoint; the optimizers'
    # slots are in it too but are not needed here.
    status.assert_existing_objects_matched().expect_partial()
    return TrainedRun(system, info["system"], config, info, checkpoint_path, run_dir)
