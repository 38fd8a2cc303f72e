"""from_dict: unknown keys, type checks, Literal, Optional and tuple handling."""

from __future__ import annotations

import pytest

from tfface.config import ConfigError, ExperimentConfig, TrainConfig, from_dict


def test_empty_mapping_and_none_give_defaults(toy_class):
    assert from_dict(toy_class, {}) == toy_class()
    assert from_dict(toy_class, None) == toy_class()


def test_nested_values_are_built(toy_class, model_class):
    config = from_dict(toy_class, {"count": 3, "model": {"norm": "batch", "kernel_sizes": [5]}})
    assert config.count == 3
    assert config.model == model_class(norm="batch", kernel_sizes=(5,))


def test_unknown_top_level_key_names_key_and_allowed():
    with pytest.raises(ConfigError) as error:
        from_dict(ExperimentConfig, {"trian": {}})
    message = str(error.value)
    assert "'trian'" in message
    for allowed in ("system", "preset", "data", "train"):
        assert allowed in message


def test_unknown_nested_key_names_dotted_key_and_allowed():
    with pytest.raises(ConfigError) as error:
        from_dict(ExperimentConfig, {"train": {"stepz": 5}})
    message = str(error.value)
    assert "train.stepz" in message
    assert "steps, batch_size, learning_rate" in message
    assert "did you mean 'train.steps'" in message


def test_config_error_is_value_error():
    assert issubclass(ConfigError, ValueError)


@pytest.mark.parametrize(
    ("data", "key", "expected"),
    [
        ({"steps": "many"}, "steps", "int"),
        ({"steps": 2.5}, "steps", "int"),
        ({"steps": True}, "steps", "int"),
        ({"jit_compile": 1}, "jit_compile", "bool"),
        ({"jit_compile": "true"}, "jit_compile", "bool"),
        ({"learning_rate": "fast"}, "learning_rate", "float"),
        ({"learning_rate": False}, "learning_rate", "float"),
    ],
)
def test_type_errors_name_key_type_and_value(data, key, expected):
    with pytest.raises(ConfigError) as error:
        from_dict(TrainConfig, data)
    message = str(error.value)
    assert key in message
    assert f"expected {expected}" in message
    assert repr(next(iter(data.values()))) in message


def test_nested_type_error_uses_dotted_key():
    with pytest.raises(ConfigError, match=r"data\.image_size: expected int, got str 'big'"):
        from_dict(ExperimentConfig, {"data": {"image_size": "big"}})


def test_int_accepted_for_float_and_converted():
    config = from_dict(TrainConfig, {"learning_rate": 1})
    assert config.learning_rate == 1.0
    assert isinstance(config.learning_rate, float)


def test_numeric_string_accepted_for_float():
    # PyYAML (YAML 1.1) reads "1e-4" as a string.
    assert from_dict(TrainConfig, {"learning_rate": "1e-4"}).learning_rate == 1e-4


def test_str_field_rejects_numbers(toy_class):
    with pytest.raises(ConfigError, match="name: expected str"):
        from_dict(toy_class, {"name": 3})


def test_literal_accepts_member_and_lists_options(toy_class):
    assert from_dict(toy_class, {"model": {"norm": "batch"}}).model.norm == "batch"
    with pytest.raises(ConfigError) as error:
        from_dict(toy_class, {"model": {"norm": "layer"}})
    message = str(error.value)
    assert "model.norm" in message
    assert "'instance', 'batch'" in message
    assert "'layer'" in message


def test_optional_accepts_none_and_value(toy_class):
    assert from_dict(toy_class, {"model": {"dropout": None}}).model.dropout is None
    assert from_dict(toy_class, {"model": {"dropout": 0.1}}).model.dropout == 0.1
    with pytest.raises(ConfigError, match=r"model\.dropout: expected float \| None"):
        from_dict(toy_class, {"model": {"dropout": "lots"}})


def test_tuples_from_lists_are_checked_per_item(toy_class):
    config = from_dict(toy_class, {"model": {"kernel_sizes": [1, 3, 5], "names": ["a", "b"]}})
    assert config.model.kernel_sizes == (1, 3, 5)
    assert config.model.names == ("a", "b")
    with pytest.raises(ConfigError, match=r"model\.kernel_sizes\[1\]: expected int"):
        from_dict(toy_class, {"model": {"kernel_sizes": [1, 2.5]}})
    with pytest.raises(ConfigError, match=r"model\.names: expected a list"):
        from_dict(toy_class, {"model": {"names": "a"}})


def test_fixed_length_tuple(toy_class):
    assert from_dict(toy_class, {"model": {"pair": [2, "b"]}}).model.pair == (2, "b")
    with pytest.raises(ConfigError, match="expected 2 items"):
        from_dict(toy_class, {"model": {"pair": [2]}})


def test_section_must_be_mapping():
    with pytest.raises(ConfigError, match=r"train: expected TrainConfig \(mapping\)"):
        from_dict(ExperimentConfig, {"train": [1, 2]})


def test_missing_required_key(required_class):
    with pytest.raises(ConfigError, match="missing required config key 'size'"):
        from_dict(required_class, {})
    assert from_dict(required_class, {"size": 2}).size == 2


def test_validation_errors_are_prefixed_with_section():
    with pytest.raises(ConfigError, match=r"train: steps must be positive"):
        from_dict(ExperimentConfig, {"train": {"steps": 0}})


def test_from_dict_needs_dataclass_type():
    with pytest.raises(TypeError):
        from_dict(dict, {})
