"""Validation of DataConfig, TrainConfig and SynthConfig."""

from __future__ import annotations

import dataclasses

import pytest

from tfface.config import ConfigError, DataConfig, ExperimentConfig, SynthConfig, TrainConfig


def test_defaults():
    assert TrainConfig().batch_size == 12
    assert TrainConfig().learning_rate == 2e-4
    assert DataConfig().image_size == 256
    assert ExperimentConfig().train == TrainConfig()


def test_configs_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        TrainConfig().steps = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    "name", ["steps", "batch_size", "learning_rate", "log_every", "checkpoint_every"]
)
def test_train_config_requires_positive(name):
    with pytest.raises(ValueError, match=f"{name} must be positive"):
        TrainConfig(**{name: 0})


def test_data_config_validation():
    with pytest.raises(ConfigError, match="image_size must be positive"):
        DataConfig(image_size=0)
    with pytest.raises(ConfigError, match="shuffle_buffer must be >= 0"):
        DataConfig(shuffle_buffer=-1)


@pytest.mark.parametrize(
    ("changes", "pattern"),
    [
        ({"identities": 0}, "identities must be >= 1"),
        ({"image_size": 8}, r"image_size must lie within \[16, 2048\]"),
        ({"image_size": 4096}, r"image_size must lie within \[16, 2048\]"),
        ({"uv_size": 8}, "uv_size must be >= 16"),
        ({"seed": -1}, "seed must be >= 0"),
        ({"first_identity": -1}, "first_identity must be >= 0"),
        ({"yaws": (0.0, 91.0)}, r"yaws must lie within \[-90, 90\].*91\.0"),
        ({"pitches": (-61.0,)}, r"pitches must lie within \[-60, 60\]"),
        ({"rolls": (100.0,)}, r"rolls must lie within \[-90, 90\]"),
        ({"yaws": ()}, "yaws must not be empty"),
        ({"domains": ("rgb", "thermal")}, r"unknown domains \['thermal'\]; allowed: rgb, nir"),
        ({"occluders": ("cape",)}, r"unknown occluders \['cape'\]; allowed: sunglasses"),
        ({"expressions": ("frown",)}, r"unknown expressions \['frown'\]; allowed: neutral"),
        ({"scene_per_pose": "no"}, "scene_per_pose must be true or false, got 'no'"),
        ({"scene_per_pose": 0}, "scene_per_pose must be true or false, got 0"),
    ],
)
def test_synth_config_validation(changes, pattern):
    with pytest.raises(ConfigError, match=pattern):
        SynthConfig(**changes)


def test_synth_config_limits_are_inclusive():
    config = SynthConfig(
        image_size=2048, uv_size=16, yaws=(-90.0, 90.0), pitches=(-60.0, 60.0), rolls=(-90.0,)
    )
    assert config.yaws == (-90.0, 90.0)
