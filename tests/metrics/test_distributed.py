"""ReplicaRunner: 2 replicas (conftest splits the CPU) give the one-device results, in order."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfface.metrics.distributed import ReplicaRunner
from tfface.training.strategy import mirrored_strategy


def run(strategy: tf.distribute.Strategy, count: int, batch_size: int) -> dict[str, np.ndarray]:
    with strategy.scope():
        convolution = keras.layers.Conv2D(2, 3, kernel_initializer="ones", bias_initializer="zeros")
        convolution.build((None, 6, 6, 1))

    def step(batch: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        features = convolution(batch["image"])  # a convolution: empty shares would fail
        return {
            "index": batch["index"],
            "sum": tf.reduce_sum(features, axis=[1, 2, 3]),
            "positive": tf.reduce_sum(features, axis=[1, 2, 3]) > 200.0,  # bool output
            "level": tf.cast(batch["index"] * 3, tf.uint8),  # uint8 output
        }

    images = np.arange(count * 36, dtype=np.float32).reshape(count, 6, 6, 1) / 36.0
    dataset = tf.data.Dataset.from_tensor_slices({"image": images, "index": np.arange(count)})
    outputs = list(ReplicaRunner(step, strategy)(dataset.batch(batch_size)))
    return {name: np.concatenate([output[name] for output in outputs]) for name in outputs[0]}


@pytest.mark.parametrize(("count", "batch_size"), [(7, 4), (5, 4), (3, 2)])
def test_two_replicas_equal_one_device_with_uneven_batches(count: int, batch_size: int) -> None:
    single = run(tf.distribute.get_strategy(), count, batch_size)
    mirrored = run(mirrored_strategy(["/cpu:0", "/cpu:1"]), count, batch_size)
    np.testing.assert_array_equal(single["index"], np.arange(count))
    for name in single:
        assert mirrored[name].dtype == single[name].dtype, name
        np.testing.assert_allclose(mirrored[name], single[name], rtol=1e-6, err_msg=name)
    assert single["positive"].dtype == bool and single["level"].dtype == np.uint8
