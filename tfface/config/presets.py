"""Named preset configs per system: ``get_preset("synthfaces", "tiny")``.

A preset is a zero-argument factory registered with ``@register_preset``. Systems
register theirs in their own modules; ``get_preset`` and ``list_presets(system)``
import a research system's module (``tfface.config.system_modules.SYSTEM_MODULES``) the
first time its presets are asked for, so no import is needed first. Importing this
module does not import TensorFlow (the system modules do, when they are imported).
The SynthFaces presets are registered here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, TypeVar

from tfface.config.common import DOMAINS, EXPRESSIONS, OCCLUDERS, SynthConfig
from tfface.config.errors import ConfigError
from tfface.config.system_modules import SYSTEM_MODULES

FactoryT = TypeVar("FactoryT", bound=Callable[[], Any])

_PRESETS: dict[str, dict[str, Callable[[], Any]]] = {}


def register_preset(system: str, name: str) -> Callable[[FactoryT], FactoryT]:
    """Decorator registering a zero-argument config factory as preset ``system``/``name``.

    Raises:
        ValueError: the preset is already registered.
    """

    def decorator(factory: FactoryT) -> FactoryT:
        presets = _PRESETS.setdefault(system, {})
        if name in presets:
            raise ValueError(f"preset '{name}' is already registered for system '{system}'")
        presets[name] = factory
        return factory

    return decorator


def _system_presets(system: str) -> dict[str, Callable[[], Any]]:
    """The presets of ``system``, importing the module of a known research system first.

    Raises:
        ConfigError: no presets are registered for ``system`` and it is no known system.
    """
    if system not in _PRESETS and system in SYSTEM_MODULES:
        importlib.import_module(SYSTEM_MODULES[system])  # registers the system's presets
    if system not in _PRESETS:
        available = ", ".join(sorted(set(_PRESETS) | set(SYSTEM_MODULES))) or "(none)"
        raise ConfigError(f"unknown system '{system}'; systems with presets: {available}")
    return _PRESETS[system]


def get_preset(system: str, name: str) -> Any:
    """Return a new config built by preset ``name`` of ``system``.

    A research system's module is imported on first use (this imports TensorFlow).

    Raises:
        ConfigError: unknown system or preset; the message lists the available ones.
    """
    presets = _system_presets(system)
    if name not in presets:
        available = ", ".join(sorted(presets))
        raise ConfigError(
            f"unknown preset '{name}' for system '{system}'; available presets: {available}"
        )
    return presets[name]()


def list_presets(system: str | None = None) -> dict[str, list[str]]:
    """Return ``{system: sorted preset names}``, for every registered system or just ``system``.

    Without ``system`` only the systems registered so far are listed (no module is
    imported, so no TensorFlow); with ``system`` its module is imported on demand.

    Raises:
        ConfigError: ``system`` is given but has no presets.
    """
    if system is None:
        return {name: sorted(presets) for name, presets in sorted(_PRESETS.items())}
    return {system: sorted(_system_presets(system))}


@register_preset("synthfaces", "default")
def synthfaces_default() -> SynthConfig:
    """100 frontal, neutral RGB identities at 256 pixels."""
    return SynthConfig()


@register_preset("synthfaces", "demo")
def synthfaces_demo() -> SynthConfig:
    """The demo contact sheet: 12 identities at 128 pixels, five yaws, every domain,
    occluder and expression."""
    return SynthConfig(
        identities=12,
        image_size=128,
        uv_size=128,
        yaws=(-60.0, -30.0, 0.0, 30.0, 60.0),
        domains=DOMAINS,
        occluders=OCCLUDERS,
        expressions=EXPRESSIONS,
    )


@register_preset("synthfaces", "tiny")
def synthfaces_tiny() -> SynthConfig:
    """4 identities at 64 pixels, yaws 0 and 30: for tests and smoke runs."""
    return SynthConfig(identities=4, image_size=64, uv_size=64, yaws=(0.0, 30.0))
