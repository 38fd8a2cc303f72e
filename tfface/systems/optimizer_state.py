"""`OptimizerState`: what a checkpoint keeps of an optimizer, whatever its learning-rate form.

A Keras 3 optimizer keeps its step count, a `learning_rate` variable when it was created
with a float rate (none with a `LearningRateSchedule`), then its slot variables (Adam's
momentums and velocities), all in one list. Checkpointing the optimizer object saves that
list by position, so a checkpoint written with a schedule (the `tfface train` optimizers
of mask_guided) did not restore into an optimizer created with a float rate (a fine-tuning
session): every slot was one position off ("incompatible tensor ... adam/learning_rate").
This object keeps the step count and the slot variables only: the learning rate is what
the restoring code asks for (a float, a schedule, the `tfface train` config's), not state.
"""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

LEARNING_RATE_VARIABLE = "learning_rate"
"""The name Keras 3 gives the variable of a float learning rate (base_optimizer.py)."""


def slot_variables(optimizer: keras.optimizers.Optimizer) -> list[Any]:
    """The optimizer's variables other than its step count and its learning rate, in order.

    Raises:
        ValueError: the optimizer is not built yet (it has no slots to save).
    """
    if not optimizer.built:
        raise ValueError(
            f"optimizer {optimizer.name!r} is not built: compile the system before checkpointing"
        )
    return [
        variable
        for variable in optimizer.variables
        if variable is not optimizer.iterations and variable.name != LEARNING_RATE_VARIABLE
    ]


class OptimizerState(tf.Module):
    """The checkpointed state of one optimizer: `iterations` and the list `slots`.

    Args:
        optimizer: a built Keras optimizer (the system's `compile` builds them).
    """

    def __init__(self, optimizer: keras.optimizers.Optimizer) -> None:
        super().__init__()
        self.slots = slot_variables(optimizer)
        self.iterations = optimizer.iterations
