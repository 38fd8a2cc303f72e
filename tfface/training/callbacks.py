"""Keras callbacks of tfface training: checkpoints every N steps and TensorBoard image grids."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import keras
import tensorflow as tf


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
    """

    def __init__(
        self,
        log_dir: str | Path,
        make_images: Callable[[keras.Model], dict],
        every: int,
        step: tf.Variable,
    ) -> None:
        super().__init__()
        self.writer = tf.summary.create_file_writer(str(log_dir))
        self.make_images = make_images
        self.every = every
        self.step = step

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        step = int(self.step.numpy())
        if step % self.every:
            return
        with self.writer.as_default(step=step):
            for name, value in (logs or {}).items():
                tf.summary.scalar(f"train/{name}", float(value))
            for name, images in self.make_images(self.model).items():
                tf.summary.image(
                    name, (tf.clip_by_value(images, -1.0, 1.0) + 1.0) / 2.0, max_outputs=8
                )
        self.writer.flush()
