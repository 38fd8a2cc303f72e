"""WeightEMA: update math against NumPy, swap / apply_to / restore / copy_to, checkpoints,
tf.function and MirroredStrategy."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfface.training import WeightEMA


def mirrored_strategy(devices: list[str]) -> tf.distribute.MirroredStrategy:
    """MirroredStrategy without collective ops: two MirroredStrategy objects over the same
    devices in one process reuse collective keys and abort each other's all-reduces
    ("Shape mismatch in the collective instance 100"), so tests that build their own
    strategy reduce on one device instead."""
    return tf.distribute.MirroredStrategy(
        devices, cross_device_ops=tf.distribute.ReductionToOneDevice()
    )


def tiny_model(seed: int = 0) -> keras.Model:
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(4), keras.layers.BatchNormalization()]
    )
    return model


def test_update_matches_numpy_recursion() -> None:
    rng = np.random.default_rng(0)
    variables = [tf.Variable(rng.normal(size=(2, 3))), tf.Variable(rng.normal(size=(4,)))]
    ema = WeightEMA(variables, decay=0.9)
    expected = [v.numpy().copy() for v in variables]
    for _ in range(5):
        for v, e in zip(variables, expected, strict=True):
            v.assign(rng.normal(size=v.shape))
            e *= 0.9
            e += 0.1 * v.numpy()
        ema.update()
    for shadow, e in zip(ema.shadow_variables, expected, strict=True):
        np.testing.assert_allclose(shadow.numpy(), e, rtol=1e-12)


def test_update_inside_tf_function() -> None:
    variable = tf.Variable([1.0, 2.0])
    ema = WeightEMA([variable], decay=0.5)

    @tf.function
    def step(value):
        variable.assign(value)
        ema.update()

    step(tf.constant([3.0, 6.0]))
    step(tf.constant([3.0, 6.0]))
    np.testing.assert_allclose(ema.shadow_variables[0].numpy(), [2.5, 5.0])


def test_model_swap_apply_restore_and_copy_to() -> None:
    model = tiny_model()
    ema = WeightEMA(model, decay=0.0)  # decay 0: the average is the latest weights
    assert len(ema.shadow_variables) == len(model.trainable_variables) == 4
    snapshot = [v.numpy().copy() for v in model.trainable_variables]
    ema.update()
    for v in model.trainable_variables:
        v.assign(v + 1.0)
    raw = [v.numpy().copy() for v in model.trainable_variables]
    with ema.swap():
        for v, s in zip(model.trainable_variables, snapshot, strict=True):
            np.testing.assert_allclose(v.numpy(), s)
        with pytest.raises(RuntimeError, match="applied"):
            ema.update()
    for v, r in zip(model.trainable_variables, raw, strict=True):
        np.testing.assert_allclose(v.numpy(), r)
    ema.apply_to()
    np.testing.assert_allclose(model.trainable_variables[0].numpy(), snapshot[0])
    ema.restore()
    np.testing.assert_allclose(model.trainable_variables[0].numpy(), raw[0])
    with pytest.raises(RuntimeError, match="without"):
        ema.restore()
    other = tiny_model(seed=1)
    ema.copy_to(other)
    for v, s in zip(other.trainable_variables, snapshot, strict=True):
        np.testing.assert_allclose(v.numpy(), s)


def test_non_trainable_weights_are_optional() -> None:
    model = tiny_model()
    assert len(WeightEMA(model, include_non_trainable=True).shadow_variables) == 6


def test_checkpoint_round_trip(tmp_path) -> None:
    model = tiny_model()
    ema = WeightEMA(model, decay=0.5)
    for v in model.trainable_variables:
        v.assign(v * 3.0)
    ema.update()
    path = tf.train.Checkpoint(ema=ema).write(str(tmp_path / "ema"))
    names = [name for name, _ in tf.train.list_variables(path)]
    assert sum("shadow_variables" in name for name in names) == 4

    fresh = WeightEMA(tiny_model(), decay=0.5)
    tf.train.Checkpoint(ema=fresh).read(path).assert_consumed()
    for a, b in zip(ema.shadow_variables, fresh.shadow_variables, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_mirrored_strategy_replica_and_cross_replica_updates() -> None:
    devices = [d.name for d in tf.config.list_logical_devices("CPU")][:2]
    strategy = mirrored_strategy(devices)
    with strategy.scope():
        model = tiny_model()
        optimizer = keras.optimizers.SGD(learning_rate=1.0)
        optimizer.build(model.trainable_variables)
        ema = WeightEMA(model, decay=0.5)
    start = [v.numpy().copy() for v in model.trainable_variables]

    @tf.function
    def train_step():
        def step():  # replica context, as in a Keras train_step under fit()
            variables = model.trainable_variables
            with tf.GradientTape() as tape:
                # gradient 1 / replicas per replica, all-reduced to 1: every weight -= 1
                loss = tf.add_n([tf.reduce_sum(v) for v in variables])
                loss /= strategy.num_replicas_in_sync
            gradients = tape.gradient(loss, variables)
            optimizer.apply_gradients(zip(gradients, variables, strict=True))
            ema.update()

        strategy.run(step)

    train_step()  # shadow = 0.5 s + 0.5 (s - 1) = s - 0.5
    ema.update()  # cross-replica context: 0.5 (s - 0.5) + 0.5 (s - 1) = s - 0.75
    for variable, shadow, s in zip(
        model.trainable_variables, ema.shadow_variables, start, strict=True
    ):
        np.testing.assert_allclose(variable.numpy(), s - 1.0, rtol=1e-6)
        for local in strategy.experimental_local_results(shadow):
            np.testing.assert_allclose(local.numpy(), s - 0.75, rtol=1e-6, atol=1e-6)
    with ema.swap():  # cross-replica context: every replica computes with the average
        for variable, s in zip(model.trainable_variables, start, strict=True):
            for local in strategy.experimental_local_results(variable.value):
                np.testing.assert_allclose(local.numpy(), s - 0.75, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(model.trainable_variables[0].numpy(), start[0] - 1.0, rtol=1e-6)


def test_distributed_variables_outside_the_scope_raise() -> None:
    strategy = mirrored_strategy([tf.config.list_logical_devices("CPU")[0].name])
    with strategy.scope():
        model = tiny_model()
    with pytest.raises(ValueError, match="strategy.scope"):
        WeightEMA(model)


def test_bad_arguments_raise() -> None:
    with pytest.raises(ValueError, match="decay"):
        WeightEMA([tf.Variable(1.0)], decay=1.5)
    with pytest.raises(ValueError, match="no floating-point"):
        WeightEMA([tf.Variable(1)])
    with pytest.raises(ValueError, match="build the model"):
        WeightEMA(keras.Sequential([keras.layers.Dense(2)]))


class EMARegressor(keras.Model):
    """The system pattern: the EMA lives on the model and is updated in train_step."""

    def __init__(self) -> None:
        super().__init__()
        self.dense = keras.layers.Dense(1)
        self.ema = None

    def call(self, inputs):
        return self.dense(inputs)

    def train_step(self, data):
        logs = super().train_step(data)
        self.ema.update()
        return logs


def test_fit_updates_the_ema_in_train_step_and_checkpoints_it(tmp_path) -> None:
    devices = [d.name for d in tf.config.list_logical_devices("CPU")][:2]
    strategy = mirrored_strategy(devices)
    with strategy.scope():
        model = EMARegressor()
        model(np.zeros((1, 2), "float32"))
        model.ema = WeightEMA(model, decay=0.5)
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", jit_compile=False)
    start = model.ema.shadow_variables[0].numpy().copy()
    x = np.ones((8, 2), "float32")
    model.fit(x, np.full((8, 1), 5.0, "float32"), batch_size=4, epochs=1, verbose=0)
    shadow = model.ema.shadow_variables[0].numpy()
    weight = model.dense.kernel.numpy()
    assert not np.allclose(shadow, start) and not np.allclose(shadow, weight)
    assert len(model.weights) == 2  # the shadows are not model weights
    path = tf.train.Checkpoint(model=model).write(str(tmp_path / "model"))
    assert any("ema/shadow_variables" in name for name, _ in tf.train.list_variables(path))
