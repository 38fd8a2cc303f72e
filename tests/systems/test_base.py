"""GANSystem: reduction by the global batch size, 2 replicas == 1 device, checkpoints, fit."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from toy_system import ToySystem, tiny_networks, toy_batches

from tfface.training.strategy import make_strategy


def make_system(strategy: tf.distribute.Strategy, ema: bool = False) -> ToySystem:
    with strategy.scope():
        system = ToySystem(
            tiny_networks(),
            ema_networks=("generator",) if ema else (),
            ema_decay=0.9 if ema else None,
        )
        system.compile(
            optimizers={
                "generator": keras.optimizers.Adam(1e-2, beta_1=0.5),
                "discriminator": keras.optimizers.Adam(1e-2, beta_1=0.5),
            }
        )
        system.enable_ema()
    return system


def weights(system: ToySystem) -> list[np.ndarray]:
    return [variable.numpy() for variable in system.variables_of("generator", "discriminator")]


def two_replicas() -> tf.distribute.MirroredStrategy:
    devices = tf.config.list_logical_devices("CPU")
    if len(devices) < 2:
        pytest.fail("needs 2 logical CPU devices (tests/conftest.py)")
    return make_strategy("mirrored")


def test_two_replicas_make_the_update_of_one_device() -> None:
    data = toy_batches(3, batch_size=4)
    single = make_system(tf.distribute.get_strategy())
    single_history = single.fit(data, epochs=1, verbose=0)
    strategy = two_replicas()
    mirrored = make_system(strategy)
    mirrored_history = mirrored.fit(data, epochs=1, verbose=0)
    for a, b in zip(weights(single), weights(mirrored), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-5)
    for key in ("generator_loss", "discriminator_loss", "l1"):
        np.testing.assert_allclose(
            single_history.history[key], mirrored_history.history[key], rtol=1e-5
        )
    assert int(mirrored.step_counter.numpy()) == int(single.step_counter.numpy()) == 3


def test_a_plain_mean_would_fail_that_test() -> None:
    """Guard: per-replica means under 2 replicas double the gradient, so the weights differ."""

    class PlainMean(ToySystem):
        def reduce(self, per_example_loss):
            return tf.reduce_mean(per_example_loss)

    data = toy_batches(1, batch_size=4)
    with tf.distribute.get_strategy().scope():
        single = PlainMean(tiny_networks())
        single.compile(
            optimizers={
                "generator": keras.optimizers.SGD(0.1),
                "discriminator": keras.optimizers.SGD(0.1),
            }
        )
    strategy = two_replicas()
    with strategy.scope():
        mirrored = PlainMean(tiny_networks())
        mirrored.compile(
            optimizers={
                "generator": keras.optimizers.SGD(0.1),
                "discriminator": keras.optimizers.SGD(0.1),
            }
        )
    single.fit(data, verbose=0)
    mirrored.fit(data, verbose=0)
    differences = [
        np.abs(a - b).max() for a, b in zip(weights(single), weights(mirrored), strict=True)
    ]
    assert max(differences) > 1e-4


def test_checkpoint_round_trip_and_exact_resume(tmp_path) -> None:
    data = toy_batches(4, batch_size=2)
    straight = make_system(tf.distribute.get_strategy(), ema=True)
    straight.fit(data, epochs=1, verbose=0)

    first = make_system(tf.distribute.get_strategy(), ema=True)
    first.fit(data.take(2), epochs=1, verbose=0)
    path = first.checkpoint().save(str(tmp_path / "ckpt"))

    resumed = make_system(tf.distribute.get_strategy(), ema=True)
    resumed.checkpoint().restore(path).assert_existing_objects_matched()
    assert int(resumed.step_counter.numpy()) == 2
    resumed.fit(data.skip(2), epochs=1, verbose=0)
    for a, b in zip(weights(straight), weights(resumed), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-6)
    for a, b in zip(straight.ema.shadow_variables, resumed.ema.shadow_variables, strict=True):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-6)


def test_compile_and_reduce_reject_bad_input() -> None:
    system = ToySystem(tiny_networks())
    with pytest.raises(ValueError, match="missing"):
        system.compile(optimizers={"generator": keras.optimizers.Adam()})
    with pytest.raises(ValueError, match="per example"):
        system.reduce(tf.zeros([2, 2]))
    with pytest.raises(ValueError, match="ema_networks"):
        ToySystem(tiny_networks(), ema_networks=("nope",), ema_decay=0.9)
