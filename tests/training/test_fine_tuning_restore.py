"""A `tfface train` run's checkpoint restores into a fine-tuning session.

The run trains with a learning-rate schedule (as mask_guided does); the fine-tuning session
compiles either with `registry.compile_system` (the command's optimizers) or with its own
float-rate optimizers. Both restore every saved value.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf
from toy_system import ToyConfig, ToySystem

from tfface.config import AdamConfig, ExperimentConfig, TrainConfig, get_preset, load_yaml
from tfface.runs.train import TrainRequest, train
from tfface.systems import registry

SYSTEM = "toy_scheduled"


def scheduled_config() -> ToyConfig:
    return ToyConfig(
        system=SYSTEM,
        preset="tiny",
        data=dataclasses.replace(ToyConfig().data, image_size=8),
        train=TrainConfig(steps=2, batch_size=4, log_every=2, checkpoint_every=2),
    )


class ScheduledToySystem(ToySystem):
    """The toy system with Adam whose rate decays over the run, like mask_guided's."""

    NAME = SYSTEM
    CONFIG = ToyConfig
    PRESETS = {"tiny": scheduled_config}

    @classmethod
    def optimizer_configs(cls, config: ToyConfig) -> dict[str, AdamConfig]:
        adam = AdamConfig(config.model.learning_rate, beta_1=0.5, decay_steps=10)
        return {"generator": adam, "discriminator": adam}


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    """A 2-step `tfface train` run of the scheduled toy system."""
    registry.register(ScheduledToySystem)
    folder = tmp_path_factory.mktemp("fine_tuning") / "run"
    assert train(TrainRequest(SYSTEM, str(folder), preset="tiny", verbose=0))["steps"] == 2
    return folder


def saved_values(path: str) -> dict[str, np.ndarray]:
    reader = tf.train.load_checkpoint(path)
    return {
        name: reader.get_tensor(name)
        for name in reader.get_variable_to_shape_map()
        if name.endswith("VARIABLE_VALUE") and not name.startswith("save_counter")
    }


def assert_restores_every_value(system: ToySystem, run_dir: Path, tmp_path: Path) -> None:
    latest = tf.train.latest_checkpoint(str(run_dir / "checkpoints"))
    system.checkpoint().restore(latest).assert_existing_objects_matched()
    assert int(system.step_counter.numpy()) == 2
    assert [int(o.iterations.numpy()) for o in system.system_optimizers.values()] == [2, 2]
    expected = saved_values(latest)
    restored = saved_values(system.checkpoint().save(str(tmp_path / "restored")))
    assert any(name.startswith("optimizer_generator/slots/") for name in expected)
    assert expected.keys() <= restored.keys()
    for name, value in expected.items():
        np.testing.assert_array_equal(restored[name], value, err_msg=name)


def test_compile_system_gives_the_commands_optimizers(run_dir: Path, tmp_path: Path) -> None:
    config = load_yaml(run_dir / "config.yaml", ToyConfig)
    system = registry.build(SYSTEM, config)
    registry.compile_system(system, config)
    rates = [
        optimizer.get_config()["learning_rate"] for optimizer in system.system_optimizers.values()
    ]
    assert all(rate["class_name"] == "ConstantThenLinearDecay" for rate in rates)
    assert_restores_every_value(system, run_dir, tmp_path)


def test_float_rate_optimizers_restore_a_scheduled_run(run_dir: Path, tmp_path: Path) -> None:
    config = get_preset(SYSTEM, "tiny")
    system = registry.build(SYSTEM, config)
    system.compile(
        optimizers={
            name: keras.optimizers.Adam(1e-4, beta_1=0.5) for name in system.optimizer_groups
        }
    )
    assert_restores_every_value(system, run_dir, tmp_path)
    # The session's own rate stays: the learning rate is not checkpoint state.
    assert float(system.system_optimizers["generator"].learning_rate) == pytest.approx(1e-4)


def test_compile_system_rejects_what_is_not_a_system_config(run_dir: Path) -> None:
    config = get_preset(SYSTEM, "tiny")
    system = registry.build(SYSTEM, config)
    with pytest.raises(ValueError, match="needs a system config"):
        registry.compile_system(system, dataclasses.replace(config, system=""))
    with pytest.raises(ValueError, match="must be a ToyConfig"):
        registry.compile_system(system, ExperimentConfig(system=SYSTEM))
    with pytest.raises(ValueError, match="unknown system 'nope'"):
        registry.compile_system(system, dataclasses.replace(config, system="nope"))
    with pytest.raises(ValueError, match="needs a ScheduledToySystem"):
        registry.compile_system(keras.Sequential(), config)
