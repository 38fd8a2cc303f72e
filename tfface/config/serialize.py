"""Turn configs into plain data and YAML, and read them back.

Round trip guarantee: ``from_dict(cls, yaml.safe_load(to_yaml(config))) == config``.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml

from tfface.config.coercion import from_dict
from tfface.config.errors import ConfigError

ConfigT = TypeVar("ConfigT")

RESOLVED_CONFIG_NAME = "config.yaml"


class _ConfigDumper(yaml.SafeDumper):
    """Safe YAML dumper writing mappings as blocks and lists inline (``yaws: [0.0, 30.0]``)."""


def _represent_inline_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_ConfigDumper.add_representer(list, _represent_inline_list)


def _is_config_instance(value: Any) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


def _plain(value: Any) -> Any:
    if _is_config_instance(value):
        return to_dict(value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    return value


def to_dict(instance: Any) -> dict[str, Any]:
    """Return a config as nested plain dicts (tuples become lists), in field order."""
    if not _is_config_instance(instance):
        raise TypeError(f"to_dict needs a dataclass instance, got {instance!r}")
    return {
        field.name: _plain(getattr(instance, field.name))
        for field in dataclasses.fields(instance)
        if field.init
    }


def to_yaml(instance: Any) -> str:
    """Return a config as a YAML document (block mappings, lists inline)."""
    return yaml.dump(
        to_dict(instance),
        Dumper=_ConfigDumper,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )


def dump_yaml(instance: Any, path: str | Path) -> Path:
    """Write a config to ``path`` as YAML (creating parent folders); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_yaml(instance), encoding="utf-8")
    return path


def load_yaml(path: str | Path, cls: type[ConfigT]) -> ConfigT:
    """Read a YAML file into config class ``cls``; errors name the file and the key.

    An empty file gives the defaults of ``cls``.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: invalid YAML: {error}") from error
    try:
        return from_dict(cls, data)
    except ConfigError as error:
        raise ConfigError(f"{path}: {error}") from error


def _tfface_version() -> str:
    try:
        return str(getattr(importlib.import_module("tfface"), "__version__", "unknown"))
    except ImportError:
        return "unknown"


def save_resolved(instance: Any, run_dir: str | Path) -> Path:
    """Write the fully resolved config to ``<run_dir>/config.yaml``; return that path.

    The file starts with a comment naming the config class and the tfface version,
    and loads back with ``load_yaml(path, type(instance))``.
    """
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / RESOLVED_CONFIG_NAME
    header = (
        f"# Resolved {type(instance).__name__} config written by tfface {_tfface_version()}"
        " (defaults, preset and overrides applied).\n"
    )
    path.write_text(header + to_yaml(instance), encoding="utf-8")
    return path
