"""Every use of a private Keras or TensorFlow API in tfface, in one place.

Checked against keras 3.15.1 (TensorFlow backend) and tensorflow 2.21. Each has no public
equivalent in those versions; each wrapper says what breaks if the private name changes,
and the tests that exercise it (tests/systems/test_system_contract.py two-replica checks,
tests/training/test_training_phases.py, tests/ops/test_bilinear*.py) fail loudly then.

- `SkipSymbolicBuild._maybe_symbolic_build`: `keras.Model.fit` builds a model by tracing
  one batch, reducing it with `strategy.reduce`, which fails on dict batches under
  MultiWorkerMirroredStrategy (keras 3.15). tfface systems arrive built.
- `make_step_function`: `TensorFlowTrainer._make_function`, the function Keras makes from a
  step (`strategy.run`, the per-replica reduction of the logs, `steps_per_execution`),
  for systems that train in stages with different optimizers per stage.
- `set_collective_key_base`: `MirroredStrategy._collective_key_base`, the first collective
  key of a strategy; each strategy of a process needs its own (see
  `tfface.training.strategy.mirrored_strategy`).
- `nested_layers`: `Layer._flatten_layers`, every layer inside a network (Keras 3 has no
  public recursive listing), to find the synchronised batch normalisations
  (`GANSystem.compile`, tests/systems/test_base.py).
- `in_xla_context`: `tensorflow.python.ops.control_flow_util.GraphOrParentsInXlaContext`,
  whether the op being traced is compiled by XLA (`tfface.ops.bilinear`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tensorflow as tf

try:  # TensorFlow's own helper to tell whether a graph is being compiled by XLA
    from tensorflow.python.ops import control_flow_util as _control_flow_util
except ImportError:  # pragma: no cover - internal API moved
    _control_flow_util = None


class SkipSymbolicBuild:
    """Mixed into `keras.Model` subclasses whose networks arrive built (tfface's systems)."""

    def _maybe_symbolic_build(self, iterator=None, data_batch=None) -> None:
        """Skips Keras' symbolic build in `fit` (keras 3.15: `Trainer._maybe_symbolic_build`).

        The networks arrive built and `compile` builds the optimizers, so there is nothing
        to build; and Keras' version reduces a distributed batch with `strategy.reduce`,
        which fails on dict batches under MultiWorkerMirroredStrategy.
        """


def make_step_function(model: Any, step: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Keras' train function of `step` (keras 3.15: `TensorFlowTrainer._make_function`).

    Args:
        model: a compiled `keras.Model` (its strategy, `jit_compile`, `run_eagerly` and
            `steps_per_execution` are used).
        step: batch -> logs, run once per replica.

    Returns:
        iterator -> logs, as `model.make_train_function()` makes from `model.train_step`.
    """
    return model._make_function(step)


def set_collective_key_base(value: int) -> None:
    """Sets the first collective key of MirroredStrategies created next (tensorflow 2.21)."""
    tf.distribute.MirroredStrategy._collective_key_base = value


def in_xla_context() -> bool:
    """True while tracing inside `tf.function(jit_compile=True)`.

    If TensorFlow's helper ever disappears, True: callers then use their XLA formulation,
    which is correct everywhere, only slower outside XLA.
    """
    if _control_flow_util is None:  # pragma: no cover - internal API moved
        return True
    graph = tf.compat.v1.get_default_graph()
    return bool(_control_flow_util.GraphOrParentsInXlaContext(graph))


def nested_layers(network: Any) -> list[Any]:
    """Every layer of `network`, itself and nested ones included (keras 3.15:
    `Layer._flatten_layers`)."""
    return list(network._flatten_layers(include_self=True, recursive=True))
