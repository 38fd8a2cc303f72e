"""Learning-rate schedules of the seeds (serialisable Keras schedules).

- `ConstantThenLinearDecay`: constant, then linear decay to zero at the last
  step (pix2pix / pix2pixHD / the S1408 thesis: "decreases to zero by the end").
- `StepDecay`: multiplied by `factor` every `step_size` steps.
"""

from __future__ import annotations

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="tfface")
class ConstantThenLinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """lr(t) = initial for t < decay_start, then linearly down to 0 at total_steps.

    Args:
        initial_learning_rate: the constant rate.
        total_steps: step at which the rate reaches zero.
        decay_start: first step of the decay (default: half of total_steps).
    """

    def __init__(
        self, initial_learning_rate: float, total_steps: int, decay_start: int | None = None
    ) -> None:
        if total_steps <= 0:
            raise ValueError(f"total_steps must be positive, got {total_steps}")
        decay_start = total_steps // 2 if decay_start is None else decay_start
        if not 0 <= decay_start < total_steps:
            raise ValueError(f"decay_start must be in [0, total_steps), got {decay_start}")
        self.initial_learning_rate = float(initial_learning_rate)
        self.total_steps = int(total_steps)
        self.decay_start = int(decay_start)

    def __call__(self, step):
        step = tf.cast(step, tf.float32)
        fraction = (step - self.decay_start) / float(self.total_steps - self.decay_start)
        return self.initial_learning_rate * (1.0 - tf.clip_by_value(fraction, 0.0, 1.0))

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "total_steps": self.total_steps,
            "decay_start": self.decay_start,
        }


@keras.saving.register_keras_serializable(package="tfface")
class StepDecay(keras.optimizers.schedules.LearningRateSchedule):
    """lr(t) = initial * factor ** floor(t / step_size).

    Args:
        initial_learning_rate: rate at step 0.
        step_size: steps between two decays.
        factor: multiplier at each decay.
    """

    def __init__(self, initial_learning_rate: float, step_size: int, factor: float = 0.5) -> None:
        if step_size <= 0:
            raise ValueError(f"step_size must be positive, got {step_size}")
        self.initial_learning_rate = float(initial_learning_rate)
        self.step_size = int(step_size)
        self.factor = float(factor)

    def __call__(self, step):
        exponent = tf.floor(tf.cast(step, tf.float32) / self.step_size)
        return self.initial_learning_rate * tf.pow(self.factor, exponent)

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "step_size": self.step_size,
            "factor": self.factor,
        }
