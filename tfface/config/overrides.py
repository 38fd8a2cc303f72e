"""Apply ``--set dotted.key=value`` overrides to a frozen config, returning a new one."""

from __future__ import annotations

import argparse
import dataclasses
import types
from collections.abc import Iterable
from typing import Any, TypeVar, Union, get_args, get_origin

import yaml

from tfface.config.coercion import coerce_value, config_field_types, is_config_class
from tfface.config.errors import ConfigError, join_key, unknown_key_error

ConfigT = TypeVar("ConfigT")


def add_override_argument(
    parser: argparse.ArgumentParser, help: str = "override a config key"
) -> None:
    """Adds the repeatable `--set KEY=VALUE` option (into `overrides`, for `apply_overrides`)."""
    parser.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE", help=help
    )


def split_override(override: str) -> tuple[list[str], str]:
    """Split ``"train.steps=100"`` into ``(["train", "steps"], "100")``.

    Raises:
        ConfigError: no ``=``, an empty key or an empty key part (``a..b``).
    """
    key, separator, raw_value = override.partition("=")
    key = key.strip()
    if not separator:
        raise ConfigError(f"malformed override {override!r}: expected dotted.key=value")
    parts = key.split(".")
    if not key or any(not part.strip() for part in parts):
        raise ConfigError(f"malformed override {override!r}: empty key or key part")
    return [part.strip() for part in parts], raw_value.strip()


def _without_none(annotation: Any) -> Any:
    """``X | None`` -> ``X``; anything else unchanged."""
    if get_origin(annotation) in (Union, types.UnionType):
        members = [member for member in get_args(annotation) if member is not type(None)]
        if len(members) == 1:
            return members[0]
    return annotation


def _parse_yaml_text(text: str, key: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError(f"{key}: cannot parse value {text!r}: {error}") from error


def parse_override_value(raw_value: str, annotation: Any, key: str) -> Any:
    """Turn the text after ``=`` into plain data for ``annotation`` (not yet type-checked).

    YAML syntax is used (``1e-4``, ``true``, ``[0, 30]``); for tuple fields a
    comma-separated ``0,30,60``, a single value or an empty value also work; for
    ``str`` fields the raw text is kept when YAML would read something else.
    """
    target = _without_none(annotation)
    if target is str:
        try:
            parsed = yaml.safe_load(raw_value)
        except yaml.YAMLError:
            return raw_value
        return parsed if parsed is None or isinstance(parsed, str) else raw_value
    if get_origin(target) is tuple:
        if raw_value == "":
            return []
        parsed = _parse_yaml_text(raw_value, key)
        if isinstance(parsed, str) and "," in parsed:
            arguments = get_args(target)
            item_is_str = bool(arguments) and arguments[0] is str
            pieces = [piece.strip() for piece in raw_value.split(",")]
            return [piece if item_is_str else _parse_yaml_text(piece, key) for piece in pieces]
        if parsed is None or isinstance(parsed, list | dict):
            return parsed
        return [parsed]
    return _parse_yaml_text(raw_value, key)


def _replace_path(instance: Any, parts: list[str], raw_value: str, prefix: str) -> Any:
    field_types = config_field_types(type(instance))
    name = parts[0]
    if name not in field_types:
        raise unknown_key_error(name, prefix, list(field_types))
    key = join_key(prefix, name)
    if len(parts) == 1:
        annotation = field_types[name]
        new_value = coerce_value(parse_override_value(raw_value, annotation, key), annotation, key)
    else:
        child = getattr(instance, name)
        if not is_config_class(type(child)):
            raise ConfigError(
                f"cannot set '{join_key(key, '.'.join(parts[1:]))}': "
                f"'{key}' is a value, not a config section"
            )
        new_value = _replace_path(child, parts[1:], raw_value, key)
    try:
        return dataclasses.replace(instance, **{name: new_value})
    except ValueError as error:  # __post_init__ validation, ConfigError included
        if not prefix:
            raise ConfigError(str(error)) from error
        raise ConfigError(f"{prefix}: {error}") from error


def apply_overrides(instance: ConfigT, overrides: Iterable[str]) -> ConfigT:
    """Return a copy of ``instance`` with each ``dotted.key=value`` override applied in order.

    Values are parsed by ``parse_override_value`` and type-checked like ``from_dict``;
    the ``__post_init__`` validation of every touched config runs again. The input
    is not modified.

    Raises:
        ConfigError: malformed override, unknown key (message lists the allowed
            keys at that level), wrong type or a value rejected by validation.
    """
    if isinstance(overrides, str):
        raise TypeError("apply_overrides takes a list of 'key=value' strings, not one string")
    for override in overrides:
        parts, raw_value = split_override(override)
        try:
            instance = _replace_path(instance, parts, raw_value, "")
        except ConfigError as error:
            raise ConfigError(f"override {override!r}: {error}") from error
    return instance
