"""A Keras callback timing every training batch (benchmarks/train_*.py)."""

from __future__ import annotations

import time

import keras


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
