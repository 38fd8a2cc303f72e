"""GANSystem: reduction by the global batch size, 2 replicas == 1 device, checkpoints, fit."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from toy_system import ToySystem, tiny_networks, toy_batches
from two_replicas import assert_two_replicas_make_the_update_of_one_device


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


@pytest.mark.isolated
def test_two_replicas_make_the_update_of_one_device() -> None:
    assert_two_replicas_make_the_update_of_one_device(
        lambda: ToySystem(tiny_networks()), toy_batches(3, batch_size=4), learning_rate=0.1
    )


@pytest.mark.isolated
def test_a_plain_mean_would_fail_that_test() -> None:
    """Guard: per-replica means under 2 replicas double the gradient, which the shared
    tolerance (2 % of each variable's update) reports."""

    class PlainMean(ToySystem):
        def reduce(self, per_example_loss):
            return tf.reduce_mean(per_example_loss)

    with pytest.raises(AssertionError):
        assert_two_replicas_make_the_update_of_one_device(
            lambda: PlainMean(tiny_networks()), toy_batches(1, batch_size=4), learning_rate=0.1
        )


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
