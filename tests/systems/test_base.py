"""GANSystem: reduction by the global batch size, 2 replicas == 1 device, checkpoints, fit,
the declarations it checks and the updates it runs."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from toy_system import ToySystem, make_toy, tiny_networks, toy_batches, toy_model_config
from two_replicas import assert_two_replicas_make_the_update_of_one_device

from tfface.systems.updates import Update


def make_system(strategy: tf.distribute.Strategy, ema: bool = False) -> ToySystem:
    with strategy.scope():
        system = make_toy(ema_decay=0.9 if ema else None)
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
        lambda: make_toy(), toy_batches(3, batch_size=4), learning_rate=0.1
    )


@pytest.mark.isolated
def test_two_replicas_with_xla_make_the_update_of_one_device() -> None:
    """train.jit_compile under MirroredStrategy: XLA per replica (keras-team/keras#19005)."""
    assert_two_replicas_make_the_update_of_one_device(
        lambda: make_toy(), toy_batches(3, batch_size=4), learning_rate=0.1, jit_compile=True
    )


def test_xla_on_cpu_replicas_refuses_synchronised_batch_norm() -> None:
    """The clear error, not TensorFlow's merge_call failure inside the first step."""

    class SynchronisedToy(ToySystem):
        @classmethod
        def build_networks(cls, model_config, seed=0):
            networks = tiny_networks(model_config.image_size, seed)
            generator = networks["generator"]
            networks["generator"] = keras.Sequential(
                [generator, keras.layers.BatchNormalization(synchronized=True)],
                name="generator",
            )
            return networks

    one_device = make_toy(SynchronisedToy)
    one_device.compile(
        optimizers={name: keras.optimizers.SGD(0.1) for name in one_device.optimizer_groups},
        jit_compile=True,
    )
    assert not one_device.xla_per_replica  # one device: Keras compiles the whole step
    with make_strategy_with_two_cpus().scope():
        system = SynchronisedToy(
            SynchronisedToy.build_networks(toy_model_config()), toy_model_config()
        )
        with pytest.raises(ValueError, match="synchronises batch-norm .*networks generator"):
            system.compile(
                optimizers={name: keras.optimizers.SGD(0.1) for name in system.optimizer_groups},
                jit_compile=True,
            )


def make_strategy_with_two_cpus() -> tf.distribute.Strategy:
    from tfface.training.strategy import make_strategy

    strategy = make_strategy("mirrored")
    if strategy.num_replicas_in_sync != 2:
        pytest.fail("needs 2 logical CPU devices (tests/conftest.py)")
    return strategy


@pytest.mark.isolated
def test_a_plain_mean_would_fail_that_test() -> None:
    """Guard: per-replica means under 2 replicas double the gradient, which the shared
    tolerance (2 % of each variable's update) reports."""

    class PlainMean(ToySystem):
        def reduce(self, per_example_loss):
            return tf.reduce_mean(per_example_loss)

    with pytest.raises(AssertionError):
        assert_two_replicas_make_the_update_of_one_device(
            lambda: make_toy(PlainMean), toy_batches(1, batch_size=4), learning_rate=0.1
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
    system = make_toy()
    with pytest.raises(ValueError, match="missing"):
        system.compile(optimizers={"generator": keras.optimizers.Adam()})
    with pytest.raises(ValueError, match="per example"):
        system.reduce(tf.zeros([2, 2]))
    networks = tiny_networks()
    with pytest.raises(ValueError, match=r"missing \['discriminator'\]"):
        ToySystem({"generator": networks["generator"]}, toy_model_config())
    with pytest.raises(ValueError, match="needs model_config.image_size"):
        ToySystem(networks, toy_model_config(size=None))


def test_a_class_with_inconsistent_declarations_is_refused() -> None:
    with pytest.raises(TypeError, match=r"OPTIMIZER_GROUPS\['generator'\] names unknown networks"):

        class WrongGroup(ToySystem):
            NAME = "wrong_group"
            CONFIG = ToySystem.CONFIG
            OPTIMIZER_GROUPS = {"generator": ("decoder",), "discriminator": ("discriminator",)}

    with pytest.raises(TypeError, match="minimises 'l2', not in LOSS_NAMES"):

        class WrongLoss(ToySystem):
            NAME = "wrong_loss"
            CONFIG = ToySystem.CONFIG
            UPDATES = (Update("generator", "generator_objective", "l2"),)


def test_the_train_step_is_the_declared_updates_in_order() -> None:
    """One step equals the objectives' own arithmetic: G first, then D on G's (stopped) output."""
    batch = next(iter(toy_batches(1, batch_size=2)))
    system = make_toy()
    system.compile(optimizers={name: keras.optimizers.SGD(0.1) for name in system.optimizer_groups})
    reference = make_toy()  # the same initial weights (seeded)
    generator_before = [v.numpy() for v in reference.variables_of("generator")]
    logs = system.train_step(batch)
    with tf.GradientTape() as tape:
        terms = reference.generator_objective(batch, {}, training=True)
        total = tf.reduce_mean(terms["generator_loss"])
    gradients = tape.gradient(total, reference.variables_of("generator"))
    for after, before, gradient in zip(
        system.variables_of("generator"), generator_before, gradients, strict=True
    ):
        np.testing.assert_allclose(after.numpy(), before - 0.1 * gradient.numpy(), atol=1e-6)
    assert float(logs["loss"]) == pytest.approx(float(total), rel=1e-5)
    assert int(system.step_counter.numpy()) == 1
    held_out = system.held_out_losses(batch)
    assert set(held_out) == {"generator_loss", "discriminator_loss", "l1"}


def test_an_update_group_its_loss_does_not_reach_is_refused() -> None:
    """One tape stepping several groups: each group must be reached (a wiring error is not
    silently skipped because another group was)."""
    system = make_toy()
    system.compile(optimizers={name: keras.optimizers.SGD(0.1) for name in system.optimizer_groups})
    update = Update(("generator", "discriminator"), "generator_objective", "generator_loss")
    reached = [tf.zeros_like(variable) for variable in system.variables_of("generator")]
    unreached = [None] * len(system.variables_of("discriminator"))
    with pytest.raises(ValueError, match=r"generator_loss is not connected .*\['discriminator'\]"):
        system.apply_update(update, {"generator": reached, "discriminator": unreached})
    before = [variable.numpy() for variable in system.variables_of("generator")]
    system.apply_update(update, {"generator": reached})
    for variable, value in zip(system.variables_of("generator"), before, strict=True):
        np.testing.assert_allclose(variable.numpy(), value)  # zero gradients: no move
