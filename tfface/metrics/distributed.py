"""Running metric computations per replica under a tf.distribute strategy.

The evaluation loop streams a ``tf.data`` dataset through
``strategy.experimental_distribute_dataset``; a per-replica step (model call, feature
extraction, per-example metrics) runs with ``strategy.run`` inside one
``tf.function``, and its per-example outputs come to the host as NumPy arrays in
global batch order (one worker: the replicas' local results concatenated;
MultiWorkerMirroredStrategy: ``strategy.gather`` inside the graph, all workers),
where only features and statistics accumulate. Partial last batches are
kept (``drop_remainder=False``). With several replicas a batch is padded (its last
example repeated) to a multiple of the replica count, so no replica gets an empty
share (convolutions on empty batches fail on CPU), and the padded rows are dropped
after gathering: the step's outputs must be per-example (leading batch axis). Build
the networks the step uses inside ``strategy.scope()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import tensorflow as tf

VALID_KEY = "_replica_runner_valid"
GATHERABLE = (tf.float16, tf.float32, tf.float64, tf.int32, tf.int64)

Step = Callable[[dict[str, tf.Tensor]], dict[str, tf.Tensor]]
"""batch (replica share) -> {name: (b, ...) per-example tensor} (a flat dict)."""


def _widen(value: tf.Tensor) -> tf.Tensor:
    """All-gather takes float and int32/64 only: carry bool / uint8 / int8 / int16 as int64."""
    return value if value.dtype in GATHERABLE else tf.cast(value, tf.int64)


class ReplicaRunner:
    """Applies ``step`` to every batch of a dataset, per replica, and yields host results.

    Args:
        step: per-replica function of a batch dict returning a dict of per-example tensors.
        strategy: the distribution strategy (default: the current one, usually no-op).
    """

    def __init__(self, step: Step, strategy: tf.distribute.Strategy | None = None) -> None:
        self.strategy = strategy or tf.distribute.get_strategy()
        self.step = step

    def _compiled_step(self, element_spec: Any) -> Callable[[Any], tuple[dict, np.ndarray]]:
        """One graph for every batch (the last, smaller one included): traced once from the
        distributed dataset's element spec. No autograph: steps use Python control flow on
        static facts only, and converting Keras-heavy code costs seconds."""

        dtypes: dict[str, Any] = {}

        def replica_step(batch: dict[str, tf.Tensor]) -> tuple[Any, tf.Tensor]:
            batch = dict(batch)
            valid = batch.pop(VALID_KEY)
            outputs = self.step(batch)
            dtypes.update({name: value.dtype for name, value in outputs.items()})
            return {name: _widen(value) for name, value in outputs.items()}, valid

        multi_worker = isinstance(self.strategy, tf.distribute.MultiWorkerMirroredStrategy)

        @tf.function(input_signature=[element_spec], autograph=False)
        def distributed_step(batch: dict[str, tf.Tensor]) -> Any:
            per_replica = self.strategy.run(replica_step, args=(batch,))
            if not multi_worker:
                return per_replica
            # Other workers' shares: an all-gather inside the graph, in global batch order.
            return tf.nest.map_structure(
                lambda value: self.strategy.gather(value, axis=0), per_replica
            )

        def to_host(value: Any) -> np.ndarray:
            if multi_worker:
                return np.asarray(value)
            # One worker: this host holds every replica's share, in replica (= batch) order.
            # No collective op: they also misbehave when strategies are re-created in one process.
            parts = self.strategy.experimental_local_results(value)
            return np.concatenate([np.asarray(part) for part in parts], axis=0)

        def run_step(batch: Any) -> tuple[dict[str, np.ndarray], np.ndarray]:
            outputs, valid = distributed_step(batch)
            host = {
                name: to_host(value).astype(dtypes[name].as_numpy_dtype)
                for name, value in outputs.items()
            }
            return host, to_host(valid).astype(bool)

        return run_step

    def _padded(self, dataset: tf.data.Dataset) -> tf.data.Dataset:
        """Adds a validity vector; with several replicas pads batches to a multiple of them."""
        replicas = self.strategy.num_replicas_in_sync

        def pad(batch: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
            count = tf.shape(tf.nest.flatten(batch)[0])[0]
            missing = tf.math.floormod(-count, replicas) if replicas > 1 else 0
            repeat = tf.fill([missing], count - 1)
            indices = tf.concat([tf.range(count), repeat], axis=0)
            padded = tf.nest.map_structure(lambda value: tf.gather(value, indices), batch)
            padded[VALID_KEY] = tf.cast(tf.range(count + missing) < count, tf.int32)
            return padded

        return dataset.map(pad)  # sequential: order kept

    def __call__(self, dataset: tf.data.Dataset) -> Iterator[dict[str, np.ndarray]]:
        """Yields one dict of (B, ...) NumPy arrays per global batch, in dataset order."""
        distributed = self.strategy.experimental_distribute_dataset(self._padded(dataset))
        step = self._compiled_step(distributed.element_spec)
        for batch in distributed:
            outputs, valid = step(batch)
            yield {name: value[valid] for name, value in outputs.items()}
