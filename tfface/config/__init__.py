"""Typed, frozen-dataclass configuration: YAML files, presets and ``--set`` overrides.

Typical use::

    config = get_preset("synthfaces", "tiny")
    config = apply_overrides(config, ["identities=8", "yaws=0,30,60"])
    save_resolved(config, run_dir)
"""

from tfface.config.coercion import coerce_value, from_dict
from tfface.config.common import (
    DOMAINS,
    EXPRESSIONS,
    OCCLUDERS,
    DataConfig,
    ExperimentConfig,
    SynthConfig,
    TrainConfig,
)
from tfface.config.errors import ConfigError
from tfface.config.model_config import (
    AdamConfig,
    ModelConfig,
    SystemConfig,
    fraction,
    non_negative,
    open_unit_interval,
    positive,
    unit_interval,
)
from tfface.config.overrides import apply_overrides, split_override
from tfface.config.presets import get_preset, list_presets
from tfface.config.serialize import dump_yaml, load_yaml, save_resolved, to_dict, to_yaml

__all__ = [
    "AdamConfig",
    "ModelConfig",
    "SystemConfig",
    "fraction",
    "non_negative",
    "open_unit_interval",
    "positive",
    "unit_interval",
    "DOMAINS",
    "EXPRESSIONS",
    "OCCLUDERS",
    "ConfigError",
    "DataConfig",
    "ExperimentConfig",
    "SynthConfig",
    "TrainConfig",
    "apply_overrides",
    "coerce_value",
    "dump_yaml",
    "from_dict",
    "get_preset",
    "list_presets",
    "load_yaml",
    "save_resolved",
    "split_override",
    "to_dict",
    "to_yaml",
]
