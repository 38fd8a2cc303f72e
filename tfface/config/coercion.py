"""Build (nested) frozen dataclass configs from plain data, checking every value.

Supported field annotations: ``int``, ``float`` (ints are converted; numeric
strings such as ``"1e-4"`` are accepted because YAML 1.1 reads them as strings),
``bool`` (real booleans only), ``str``, ``tuple[X, ...]`` and fixed
``tuple[X, Y]`` (from lists), ``dict[str, X]``, ``X | None``, ``Literal[...]``,
``typing.Any`` and nested dataclasses (from mappings).
"""

from __future__ import annotations

import dataclasses
import functools
import re
import types
from collections.abc import Mapping
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

from tfface.config.errors import ConfigError, join_key, unknown_key_error

ConfigT = TypeVar("ConfigT")

_NONE_TYPE = type(None)
_FLOAT_TEXT = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


@functools.cache
def config_field_types(cls: type) -> dict[str, Any]:
    """Return ``{field name: resolved annotation}`` for a dataclass's init fields, in order."""
    hints = get_type_hints(cls)
    return {field.name: hints[field.name] for field in dataclasses.fields(cls) if field.init}


def is_config_class(annotation: Any) -> bool:
    """True when ``annotation`` is a dataclass type (not an instance)."""
    return isinstance(annotation, type) and dataclasses.is_dataclass(annotation)


def describe_annotation(annotation: Any) -> str:
    """Readable name of a type annotation for error messages, e.g. ``tuple[float, ...]``."""
    origin, arguments = get_origin(annotation), get_args(annotation)
    if annotation is _NONE_TYPE:
        return "None"
    if annotation is Any:
        return "any value"
    if is_config_class(annotation):
        return f"{annotation.__name__} (mapping)"
    if origin is Literal:
        return f"Literal[{', '.join(repr(option) for option in arguments)}]"
    if origin in (Union, types.UnionType):
        return " | ".join(describe_annotation(member) for member in arguments)
    if origin is tuple:
        if len(arguments) == 2 and arguments[1] is Ellipsis:
            return f"tuple[{describe_annotation(arguments[0])}, ...]"
        return f"tuple[{', '.join(describe_annotation(member) for member in arguments)}]"
    if origin in (dict, Mapping) and arguments:
        return f"dict[str, {describe_annotation(arguments[1])}]"
    return getattr(annotation, "__name__", repr(annotation))


def _key_label(key: str) -> str:
    return key if key else "<config>"


def _mismatch(value: Any, expected: str, key: str) -> ConfigError:
    return ConfigError(
        f"{_key_label(key)}: expected {expected}, got {type(value).__name__} {value!r}"
    )


def _coerce_scalar(value: Any, annotation: type, key: str) -> Any:
    if annotation is bool:
        if isinstance(value, bool):
            return value
    elif annotation is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif annotation is float:
        if isinstance(value, float):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str) and _FLOAT_TEXT.match(value.strip()):
            return float(value)
    elif annotation is str:
        if isinstance(value, str):
            return value
    else:
        raise TypeError(f"{_key_label(key)}: unsupported config annotation {annotation!r}")
    raise _mismatch(value, annotation.__name__, key)


def _coerce_tuple(value: Any, arguments: tuple[Any, ...], annotation: Any, key: str) -> tuple:
    if not isinstance(value, list | tuple):
        raise _mismatch(value, f"a list for {describe_annotation(annotation)}", key)
    if not arguments:
        return tuple(value)
    if len(arguments) == 2 and arguments[1] is Ellipsis:
        member_types = [arguments[0]] * len(value)
    else:
        if len(value) != len(arguments):
            raise ConfigError(
                f"{_key_label(key)}: expected {len(arguments)} items for "
                f"{describe_annotation(annotation)}, got {len(value)}: {list(value)!r}"
            )
        member_types = list(arguments)
    return tuple(
        coerce_value(item, member_type, f"{key}[{index}]")
        for index, (item, member_type) in enumerate(zip(value, member_types, strict=True))
    )


def _coerce_union(value: Any, annotation: Any, key: str) -> Any:
    members = get_args(annotation)
    if value is None and _NONE_TYPE in members:
        return None
    candidates = [member for member in members if member is not _NONE_TYPE]
    errors: list[ConfigError] = []
    for member in candidates:
        try:
            return coerce_value(value, member, key)
        except ConfigError as error:
            errors.append(error)
    single = candidates[0] if len(candidates) == 1 else None
    if single is not None and (is_config_class(single) or get_origin(single) in (tuple, dict)):
        raise errors[0]  # the member's own message points inside the structure
    raise _mismatch(value, describe_annotation(annotation), key)


def coerce_value(value: Any, annotation: Any, key: str = "") -> Any:
    """Check ``value`` against ``annotation`` and return it converted (lists to tuples, ...).

    Args:
        value: plain data, typically from ``yaml.safe_load``.
        annotation: a resolved type annotation (see the module docstring).
        key: dotted key used in error messages.

    Raises:
        ConfigError: the value does not fit the annotation.
        TypeError: the annotation itself is not supported (a programming error).
    """
    origin, arguments = get_origin(annotation), get_args(annotation)
    if annotation is Any:
        return value
    if annotation is _NONE_TYPE:
        if value is None:
            return None
        raise _mismatch(value, "None", key)
    if origin is Literal:
        for option in arguments:
            if value == option and type(value) is type(option):
                return option
        options = ", ".join(repr(option) for option in arguments)
        raise ConfigError(f"{_key_label(key)}: expected one of {options}; got {value!r}")
    if origin in (Union, types.UnionType):
        return _coerce_union(value, annotation, key)
    if origin is tuple or annotation is tuple:
        return _coerce_tuple(value, arguments, annotation, key)
    if origin in (dict, Mapping) or annotation is dict:
        if not isinstance(value, Mapping):
            raise _mismatch(value, describe_annotation(annotation), key)
        value_type = arguments[1] if arguments else Any
        return {
            coerce_value(name, str, join_key(key, str(name))): coerce_value(
                item, value_type, join_key(key, str(name))
            )
            for name, item in value.items()
        }
    if is_config_class(annotation):
        if isinstance(value, annotation):
            return value
        return from_dict(annotation, value, key)
    return _coerce_scalar(value, annotation, key)


def from_dict(cls: type[ConfigT], data: Mapping[str, Any] | None, path: str = "") -> ConfigT:
    """Build a (possibly nested) frozen dataclass ``cls`` from a mapping.

    Missing keys take the dataclass defaults; ``None`` means "all defaults".
    Unknown keys, wrong types and values rejected by ``__post_init__`` raise
    ``ConfigError`` naming the dotted key (prefixed by ``path``).

    Args:
        cls: a dataclass type.
        data: plain mapping, typically from ``yaml.safe_load``.
        path: dotted key of ``data`` inside an enclosing config ("" at the top).
    """
    if not is_config_class(cls):
        raise TypeError(f"from_dict needs a dataclass type, got {cls!r}")
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise _mismatch(data, f"{cls.__name__} (mapping)", path)
    field_types = config_field_types(cls)
    for key in data:
        if key not in field_types:
            raise unknown_key_error(str(key), path, list(field_types))
    arguments = {
        name: coerce_value(data[name], annotation, join_key(path, name))
        for name, annotation in field_types.items()
        if name in data
    }
    for field in dataclasses.fields(cls):
        missing_default = (
            field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        )
        if field.init and missing_default and field.name not in arguments:
            raise ConfigError(f"missing required config key '{join_key(path, field.name)}'")
    try:
        return cls(**arguments)
    except ValueError as error:
        if not path and isinstance(error, ConfigError):
            raise
        raise ConfigError(f"{_key_label(path)}: {error}") from error
