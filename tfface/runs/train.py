"""`tfface train`: config -> strategy -> system -> fit with checkpoints, logs and exact resume.

Run directory layout:

    RUN_DIR/config.yaml       the resolved config (preset + YAML + --set overrides)
    RUN_DIR/run.json          system name, preset, strategy, steps done, tfface version
    RUN_DIR/checkpoints/      tf.train.CheckpointManager: networks, optimizers, EMA, seed, step
    RUN_DIR/logs/             TensorBoard scalars and image grids

Resuming (`--resume`) restores the latest checkpoint and skips the batches
already consumed, so "train 2 + resume 2" equals "train 4" for deterministic
data. Starting a new run in a folder that has checkpoints is refused.
"""

from __future__ import annotations

import dataclasses
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import tensorflow as tf

from tfface import __version__
from tfface.config import apply_overrides, get_preset, load_yaml, save_resolved
from tfface.systems import registry
from tfface.training.callbacks import CheckpointEvery, ImageGrids, StepProgress
from tfface.training.phases import check_phases
from tfface.training.strategy import is_chief, make_strategy, use_cpu_replicas


@dataclass(frozen=True)
class TrainRequest:
    """What `tfface train` was asked to do."""

    system: str
    run_dir: str
    data_dir: str = ""
    preset: str = "tiny"
    config_file: str | None = None
    overrides: tuple[str, ...] = ()
    strategy: str = "default"
    cpu_replicas: int = 0
    resume: bool = False
    verbose: int = 1


def resolve_config(request: TrainRequest) -> Any:
    """Preset (or YAML file), then --set overrides, then the data directory."""
    spec = registry.get(request.system)
    config = (
        load_yaml(request.config_file, spec.config_class)
        if request.config_file
        else get_preset(request.system, request.preset)
    )
    if not config.system:  # a config file may leave the name to the command line
        config = dataclasses.replace(config, system=request.system)
    if config.system != request.system:
        raise ValueError(
            f"{request.config_file} is a config of system {config.system!r}, not {request.system!r}"
        )
    overrides = list(request.overrides)
    if request.data_dir:
        overrides.append(f"data.data_dir={request.data_dir}")
    return apply_overrides(config, overrides)


def train(request: TrainRequest) -> dict[str, Any]:
    """Runs (or resumes) training; returns the run summary written to run.json.

    `request.cpu_replicas` > 0 splits the CPU into that many devices for `mirrored` first
    (before anything initialises TensorFlow's runtime).
    """
    if request.cpu_replicas:
        use_cpu_replicas(request.strategy, request.cpu_replicas)
    spec = registry.get(request.system)
    config = resolve_config(request)
    run_dir = Path(request.run_dir)
    checkpoint_dir = run_dir / "checkpoints"
    if (
        not request.resume
        and checkpoint_dir.exists()
        and tf.train.latest_checkpoint(str(checkpoint_dir))
    ):
        raise ValueError(
            f"{run_dir} already has checkpoints: pass --resume to continue it, or choose a new --out"
        )
    if request.resume and not tf.train.latest_checkpoint(str(checkpoint_dir)):
        raise ValueError(f"--resume: no checkpoint in {checkpoint_dir}")
    strategy = make_strategy(request.strategy)
    with strategy.scope():
        system = spec.build(config)
        registry.compile_system(system, config)  # the optimizers and EMA users get too
    checkpoint = system.checkpoint()
    manager = tf.train.CheckpointManager(checkpoint, str(checkpoint_dir), max_to_keep=3)
    if request.resume:
        checkpoint.restore(manager.latest_checkpoint).assert_existing_objects_matched()
    chief = is_chief()
    if chief:
        save_resolved(config, run_dir)
    done = int(system.step_counter.numpy())
    total = config.train.steps
    phases = system.phases(config)
    check_phases(phases, total, system.LOSS_NAMES)
    remaining = total - done
    summary = {
        "system": request.system,
        "preset": request.preset,
        "strategy": request.strategy,
        "replicas": strategy.num_replicas_in_sync,
        "tfface_version": __version__,
    }
    if remaining <= 0:
        print(f"{run_dir}: already trained {done}/{total} steps", file=sys.stderr)
    else:
        # Skip what earlier runs consumed; stop after exactly `remaining` steps (Keras ends the
        # last epoch when the data runs out).
        dataset = spec.dataset(config, config.data.data_dir).skip(done).take(remaining)
        log_every = min(config.train.log_every, remaining)
        callbacks: list[keras.callbacks.Callback] = [
            StepProgress(total, config.train.batch_size, log_every, system.step_counter, phases),
        ]
        if chief:
            callbacks.append(
                CheckpointEvery(manager, config.train.checkpoint_every, system.step_counter)
            )
            if spec.preview is not None:
                preview_batch = next(iter(spec.dataset(config, config.data.data_dir)))
                callbacks.append(
                    ImageGrids(
                        run_dir / "logs",
                        lambda model: spec.preview(model, preview_batch),
                        log_every,
                        system.step_counter,
                        phases,
                    )
                )
        epochs = math.ceil(remaining / log_every)
        system.fit(
            dataset, steps_per_epoch=log_every, epochs=epochs, callbacks=callbacks, verbose=0
        )
    summary["steps"] = int(system.step_counter.numpy())
    summary["latest_checkpoint"] = manager.latest_checkpoint
    if chief:
        (run_dir / "run.json").write_text(json.dumps(summary, indent=1))
    return summary
