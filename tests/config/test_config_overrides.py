"""apply_overrides: nested keys, list and comma values, errors, immutability."""

from __future__ import annotations

import pytest

from tfface.config import (
    ConfigError,
    ExperimentConfig,
    SynthConfig,
    apply_overrides,
    split_override,
)


def test_nested_scalar_overrides():
    config = apply_overrides(
        ExperimentConfig(),
        [
            "train.steps=100",
            "data.image_size=64",
            "train.learning_rate=1e-4",
            "train.jit_compile=true",
            "data.data_dir=/tmp/records",
            "system=pix2pixhd",
        ],
    )
    assert config.train.steps == 100
    assert config.data.image_size == 64
    assert config.train.learning_rate == 1e-4
    assert config.train.jit_compile is True
    assert config.data.data_dir == "/tmp/records"
    assert config.system == "pix2pixhd"


def test_original_instance_unchanged():
    original = ExperimentConfig()
    changed = apply_overrides(original, ["train.steps=7", "data.seed=3"])
    assert original == ExperimentConfig()
    assert changed.train.steps == 7
    assert changed.data == original.data.__class__(seed=3)


def test_later_overrides_win():
    assert apply_overrides(SynthConfig(), ["seed=1", "seed=2"]).seed == 2


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("yaws=[0,30,60]", (0.0, 30.0, 60.0)),
        ("yaws=0,30,60", (0.0, 30.0, 60.0)),
        ("yaws=-30, 30", (-30.0, 30.0)),
        ("yaws=45", (45.0,)),
    ],
)
def test_tuple_overrides(override, expected):
    assert apply_overrides(SynthConfig(), [override]).yaws == expected


def test_scene_per_pose_override_and_default():
    assert SynthConfig().scene_per_pose is True
    assert apply_overrides(SynthConfig(), ["scene_per_pose=false"]).scene_per_pose is False
    with pytest.raises(ConfigError, match="scene_per_pose: expected bool"):
        apply_overrides(SynthConfig(), ["scene_per_pose=2"])


def test_string_tuple_overrides():
    config = apply_overrides(SynthConfig(), ["domains=rgb,nir", "occluders=[hat]"])
    assert config.domains == ("rgb", "nir")
    assert config.occluders == ("hat",)
    assert apply_overrides(config, ["occluders="]).occluders == ()
    assert apply_overrides(config, ["occluders=[]"]).occluders == ()


def test_str_field_keeps_raw_text():
    config = apply_overrides(ExperimentConfig(), ["preset=2024", "data.data_dir=a: b"])
    assert config.preset == "2024"
    assert config.data.data_dir == "a: b"


def test_literal_and_optional_overrides(toy_class):
    config = apply_overrides(toy_class(), ["model.norm=batch", "model.dropout=0.25"])
    assert config.model.norm == "batch"
    assert config.model.dropout == 0.25
    assert apply_overrides(config, ["model.dropout=null"]).model.dropout is None
    with pytest.raises(ConfigError, match="'instance', 'batch'"):
        apply_overrides(toy_class(), ["model.norm=layer"])


def test_unknown_key_lists_allowed_keys_at_that_level():
    with pytest.raises(ConfigError) as error:
        apply_overrides(ExperimentConfig(), ["train.stepz=1"])
    message = str(error.value)
    assert "train.stepz" in message
    assert "steps, batch_size" in message
    assert "image_size" not in message
    with pytest.raises(ConfigError, match="allowed keys: system, preset, data, train"):
        apply_overrides(ExperimentConfig(), ["model.depth=1"])


@pytest.mark.parametrize(
    ("override", "pattern"),
    [
        ("train.steps=2.5", r"train\.steps: expected int, got float 2\.5"),
        ("train.steps=lots", r"train\.steps: expected int, got str 'lots'"),
        ("train.jit_compile=1", r"train\.jit_compile: expected bool"),
        ("yaws=0,abc", r"yaws\[1\]: expected float"),
        ("train.steps=0", r"steps must be positive"),
        ("identities=0", r"identities must be >= 1"),
        ("data.image_size.side=3", r"'data\.image_size' is a value"),
    ],
)
def test_bad_values(override, pattern):
    config = (
        SynthConfig() if override.split("=")[0] in ("yaws", "identities") else ExperimentConfig()
    )
    with pytest.raises(ConfigError, match=pattern) as error:
        apply_overrides(config, [override])
    assert repr(override) in str(error.value)


@pytest.mark.parametrize("override", ["train.steps", "=3", "train..steps=3", "train.=3"])
def test_malformed_overrides(override):
    with pytest.raises(ConfigError, match="malformed override"):
        apply_overrides(ExperimentConfig(), [override])


def test_split_override():
    assert split_override(" train.steps = 100 ") == (["train", "steps"], "100")
    assert split_override("data.data_dir=a=b") == (["data", "data_dir"], "a=b")


def test_single_string_is_rejected():
    with pytest.raises(TypeError):
        apply_overrides(ExperimentConfig(), "train.steps=1")
