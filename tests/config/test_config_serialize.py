"""to_dict / YAML round trips, load_yaml and save_resolved."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tfface.config import (
    DOMAINS,
    EXPRESSIONS,
    OCCLUDERS,
    ConfigError,
    DataConfig,
    ExperimentConfig,
    SynthConfig,
    TrainConfig,
    dump_yaml,
    from_dict,
    get_preset,
    load_yaml,
    save_resolved,
    to_dict,
    to_yaml,
)

CONFIGS_DIR = Path(__file__).resolve().parents[2] / "configs"


def round_trip(config):
    return from_dict(type(config), yaml.safe_load(to_yaml(config)))


def test_to_dict_turns_tuples_into_lists():
    plain = to_dict(get_preset("synthfaces", "tiny"))
    assert plain["yaws"] == [0.0, 30.0]
    assert plain["occluders"] == []


def test_to_dict_nests_sections():
    plain = to_dict(ExperimentConfig())
    assert plain["train"]["batch_size"] == 12
    assert plain["data"]["image_size"] == 256


@pytest.mark.parametrize("name", ["default", "demo", "tiny"])
def test_presets_round_trip(name):
    config = get_preset("synthfaces", name)
    assert round_trip(config) == config


def test_toy_round_trip(toy_class, model_class):
    config = toy_class(
        name="true", flag=True, rate=1e-20, model=model_class(dropout=0.3, names=("1", "null"))
    )
    assert round_trip(config) == config


@pytest.mark.parametrize(
    "text", ["\x85", "\u2028", "é/ü", "null", "~", "0x1F", "2001-01-01", " x "]
)
def test_awkward_strings_round_trip(text):
    config = ExperimentConfig(system=text, data=DataConfig(data_dir=text))
    assert round_trip(config) == config


finite_floats = st.floats(allow_nan=False, allow_infinity=False)
angles = st.floats(min_value=-60, max_value=60, allow_nan=False)


@settings(max_examples=50, deadline=None)
@given(
    identities=st.integers(min_value=1, max_value=10**6),
    image_size=st.integers(min_value=16, max_value=2048),
    seed=st.integers(min_value=0, max_value=2**63),
    yaws=st.lists(angles, min_size=1, max_size=5).map(tuple),
    domains=st.lists(st.sampled_from(DOMAINS), min_size=1).map(tuple),
    occluders=st.lists(st.sampled_from(OCCLUDERS)).map(tuple),
    expressions=st.lists(st.sampled_from(EXPRESSIONS), min_size=1).map(tuple),
    scene_per_pose=st.booleans(),
)
def test_synth_config_round_trip(
    identities, image_size, seed, yaws, domains, occluders, expressions, scene_per_pose
):
    config = SynthConfig(
        identities=identities,
        image_size=image_size,
        seed=seed,
        yaws=yaws,
        pitches=yaws,
        domains=domains,
        occluders=occluders,
        expressions=expressions,
        scene_per_pose=scene_per_pose,
    )
    assert round_trip(config) == config


@settings(max_examples=50, deadline=None)
@given(
    data_dir=st.text(),
    system=st.text(),
    learning_rate=finite_floats.filter(lambda value: value > 0),
    jit_compile=st.booleans(),
    steps=st.integers(min_value=1),
)
def test_experiment_config_round_trip(data_dir, system, learning_rate, jit_compile, steps):
    config = ExperimentConfig(
        system=system,
        data=DataConfig(data_dir=data_dir),
        train=TrainConfig(steps=steps, learning_rate=learning_rate, jit_compile=jit_compile),
    )
    assert round_trip(config) == config


def test_dump_and_load_yaml(tmp_path):
    config = get_preset("synthfaces", "demo")
    path = dump_yaml(config, tmp_path / "nested" / "synth.yaml")
    assert path.exists()
    assert load_yaml(path, SynthConfig) == config


def test_load_yaml_empty_file_gives_defaults(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_text("", encoding="utf-8")
    assert load_yaml(path, ExperimentConfig) == ExperimentConfig()


def test_load_yaml_errors_name_file_and_key(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("train:\n  stepz: 3\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_yaml(path, ExperimentConfig)
    assert str(path) in str(error.value)
    assert "train.stepz" in str(error.value)


def test_load_yaml_invalid_yaml(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("train: [1, 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid YAML"):
        load_yaml(path, ExperimentConfig)


def test_example_synthfaces_yaml_loads():
    config = load_yaml(CONFIGS_DIR / "synthfaces.yaml", SynthConfig)
    assert config.yaws == (-60.0, -30.0, 0.0, 30.0, 60.0)
    text = (CONFIGS_DIR / "synthfaces.yaml").read_text(encoding="utf-8")
    for key in to_dict(SynthConfig()):
        assert f"\n{key}:" in text


def test_save_resolved_writes_loadable_file_with_header(tmp_path):
    config = ExperimentConfig(system="pix2pixhd", preset="tiny", train=TrainConfig(steps=5))
    path = save_resolved(config, tmp_path / "run" / "one")
    assert path == tmp_path / "run" / "one" / "config.yaml"
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    assert first_line.startswith("# Resolved ExperimentConfig config written by tfface ")
    assert load_yaml(path, ExperimentConfig) == config
