"""Keras callbacks of tfface training: checkpoints every N steps, TensorBoard image grids and
the progress line of the active training phase."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

import keras
import tensorflow as tf

from tfface.training.durations import format_duration
from tfface.training.phases import TrainingPhase, phase_of_step


def phase_logs(logs: dict | None, phase: TrainingPhase | None) -> dict:
    """The logged values the phase trains (all logs without a phase), in the phase's order."""
    logs = logs or {}
    if phase is None:
        return dict(logs)
    return {name: logs[name] for name in phase.loss_names if name in logs}


class CheckpointEvery(keras.callbacks.Callback):
    """Saves the system's `tf.train.CheckpointManager` every `every` steps and at the end.

    Args:
        manager: a CheckpointManager over `system.checkpoint()`.
        every: steps between checkpoints.
        step: the system's step variable (checkpoint numbers follow it).
    """

    def __init__(self, manager: tf.train.CheckpointManager, every: int, step: tf.Variable) -> None:
        super().__init__()
        self.manager = manager
        self.every = every
        self.step = step

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        step = int(self.step.numpy())
        if step % self.every == 0:
            self.manager.save(checkpoint_number=step)

    def on_train_end(self, logs: dict | None = None) -> None:
        step = int(self.step.numpy())
        if self.manager.latest_checkpoint is None or not self.manager.latest_checkpoint.endswith(
            f"-{step}"
        ):
            self.manager.save(checkpoint_number=step)


class ImageGrids(keras.callbacks.Callback):
    """Writes image grids (from `make_images(system) -> {name: float images (B, H, W, C) in [-1, 1]}`)
    to TensorBoard every `every` steps, and scalars of the logs.

    Args:
        log_dir: TensorBoard directory.
        make_images: called with the system; returns named image batches.
        every: steps between writes.
        step: the system's step variable.
        phases: the system's training phases: scalars are written for the losses of the
            step's phase only (all logs if empty).
    """

    def __init__(
        self,
        log_dir: str | Path,
        make_images: Callable[[keras.Model], dict],
        every: int,
        step: tf.Variable,
        phases: Sequence[TrainingPhase] = (),
    ) -> None:
        super().__init__()
        self.writer = tf.summary.create_file_writer(str(log_dir))
        self.make_images = make_images
        self.every = every
        self.step = step
        self.phases = tuple(phases)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        step = int(self.step.numpy())
        if step % self.every:
            return
        phase = phase_of_step(self.phases, step - 1) if self.phases else None
        with self.writer.as_default(step=step):
            for name, value in phase_logs(logs, phase).items():
                tf.summary.scalar(f"train/{name}", float(value))
            for name, images in self.make_images(self.model).items():
                tf.summary.image(
                    name, (tf.clip_by_value(images, -1.0, 1.0) + 1.0) / 2.0, max_outputs=8
                )
        self.writer.flush()


class StepProgress(keras.callbacks.Callback):
    """One line per `every` steps (and at each phase's end) on stderr: the phase, its step
    count, images/s, ETA and the losses that phase trains, e.g.

        parser pre-training, step 150/1400 (run 150/2000), 41.0 images/s, ETA 1m20s, parser_loss=0.2154

    Args:
        total_steps: the run's `train.steps`.
        batch_size: the global batch size.
        every: steps between lines.
        step: the system's step variable (steps done).
        phases: the system's training phases (`GANSystem.phases(config)`).
        stream: where to write (stderr by default).
    """

    def __init__(
        self,
        total_steps: int,
        batch_size: int,
        every: int,
        step: tf.Variable,
        phases: Sequence[TrainingPhase],
        stream: TextIO | None = None,
    ) -> None:
        super().__init__()
        if every < 1:
            raise ValueError(f"every must be >= 1, got {every}")
        if not phases:
            raise ValueError("StepProgress needs the system's training phases")
        self.total_steps = total_steps
        self.batch_size = batch_size
        self.every = every
        self.step = step
        self.phases = tuple(phases)
        self.stream = stream
        self.start = time.monotonic()
        self.first_step: int | None = None

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.first_step = int(self.step.numpy())  # steps of earlier runs (resume)
        self.start = time.monotonic()

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        step = int(self.step.numpy())
        if self.first_step is None:
            self.on_train_begin()
            self.first_step = step - 1
        phase = phase_of_step(self.phases, step - 1)
        if step % self.every and step != self.total_steps and step != phase.end_step:
            return
        elapsed = max(time.monotonic() - self.start, 1e-9)
        done = step - self.first_step
        line = progress_line(
            phase,
            step,
            self.total_steps,
            images_per_second=done * self.batch_size / elapsed,
            remaining_seconds=(self.total_steps - step) * elapsed / max(done, 1),
            logs=logs,
            several_phases=len(self.phases) > 1,
        )
        stream = self.stream if self.stream is not None else sys.stderr
        stream.write(line + "\n")
        stream.flush()


def progress_line(
    phase: TrainingPhase,
    step: int,
    total_steps: int,
    images_per_second: float,
    remaining_seconds: float,
    logs: dict | None,
    several_phases: bool,
) -> str:
    """'GAN training, step 50/600 (run 1450/2000), 12.5 images/s, ETA 4m10s, local_loss=0.1234 ...'.

    Args:
        phase: the phase of the step just done.
        step: steps done in the run.
        total_steps: the run's steps.
        images_per_second / remaining_seconds: throughput and estimated time left.
        logs: the step's logs; only the phase's losses are printed.
        several_phases: add the run's step count after the phase's.
    """
    text = f"{phase.name}, step {step - phase.first_step}/{phase.steps}"
    if several_phases:
        text += f" (run {step}/{total_steps})"
    text += f", {images_per_second:.1f} images/s, ETA {format_duration(remaining_seconds)}"
    losses = " ".join(
        f"{name}={float(value):.4f}" for name, value in phase_logs(logs, phase).items()
    )
    return f"{text}, {losses}" if losses else text
