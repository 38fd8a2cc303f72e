"""The one exception type for configuration problems, and its message helpers."""

from __future__ import annotations

import difflib
from collections.abc import Sequence


class ConfigError(ValueError):
    """A configuration value, key, file, override or preset is invalid.

    Messages always name the dotted key (for example ``train.steps``) so the user
    can find the offending line in a YAML file or ``--set`` flag.
    """


def join_key(prefix: str, name: str) -> str:
    """Join a dotted key prefix and a field name: ``join_key("train", "steps")``."""
    return f"{prefix}.{name}" if prefix else name


def unknown_key_error(key: str, prefix: str, allowed: Sequence[str]) -> ConfigError:
    """Build the error for a key that is not a field of the config at ``prefix``.

    Args:
        key: the unknown field name at this level.
        prefix: dotted key of the enclosing config ("" at the top level).
        allowed: the valid field names at this level, in declaration order.
    """
    where = f" under '{prefix}'" if prefix else ""
    message = (
        f"unknown config key '{join_key(prefix, str(key))}'; "
        f"allowed keys{where}: {', '.join(allowed) if allowed else '(none)'}"
    )
    close = difflib.get_close_matches(str(key), list(allowed), n=1)
    if close:
        message += f" (did you mean '{join_key(prefix, close[0])}'?)"
    return ConfigError(message)
