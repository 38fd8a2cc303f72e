"""The one registry of research systems, filled by their class definitions.

A `GANSystem` subclass that declares `CONFIG` registers itself when its class is defined
(`GANSystem.__init_subclass__`): its spec, presets and export signatures are all read from
the class. There is no table of names: system `NAME` lives in the package
`tfface.systems.NAME` (the template: the module `tfface/systems/template.py`), which
`get(NAME)` imports on first use; `available()` lists the packages under `tfface/systems/`
plus any system class defined elsewhere (a test's toy system) once it is defined.

Importing this module imports no TensorFlow; `get` imports the system (and TensorFlow).
`tfface.config.get_preset` reaches the presets here through a dynamic import, so the config
layer needs no import of the systems layer.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tfface.config.errors import ConfigError

SYSTEMS_PACKAGE = "tfface.systems"

_SYSTEMS: dict[str, type] = {}
"""System name -> its GANSystem subclass (filled by the class definitions)."""


@dataclass(frozen=True)
class SystemSpec:
    """What the train, export and evaluate commands use of one system, read from its class.

    Attributes:
        name: registry name (`tfface train NAME`).
        system_class: the `GANSystem` subclass.
        config_class: its `SystemConfig` subclass.
        summary: one line: what the system does and where it comes from.
        presets: preset name -> zero-argument config factory.
        build: config -> system with freshly built networks.
        compile: (system, config) -> None; the optimizers and EMA of `tfface train`.
        dataset: (config, data_dir, split="train") -> tf.data.Dataset of GLOBAL batches of
            the split (train, validation or test), repeated.
        preview: (system, batch) -> {name: float images in [-1, 1]} for TensorBoard grids.
        export_signatures: system -> {signature name: ExportSignature}, the serving
            signatures `tfface export` writes; None: the system is not exportable.
    """

    name: str
    system_class: type
    config_class: type
    summary: str
    presets: Mapping[str, Callable[[], Any]]
    build: Callable[[Any], Any]
    compile: Callable[[Any, Any], None]
    dataset: Callable[..., Any]
    preview: Callable[[Any, dict], dict] | None
    export_signatures: Callable[[Any], dict] | None


def register(system_class: type) -> type:
    """Adds a system class under its `NAME`; a redefinition replaces it (reloads, tests).

    Called by `GANSystem.__init_subclass__`; returns the class.
    """
    _SYSTEMS[system_class.NAME] = system_class
    return system_class


def available_packages() -> list[str]:
    """Names of the packages under tfface/systems/ (each holds one system)."""
    folder = Path(__file__).resolve().parent
    return sorted(module.name for module in pkgutil.iter_modules([str(folder)]) if module.ispkg)


def available() -> list[str]:
    """Names of every known system: the system packages and any system class defined."""
    return sorted(set(available_packages()) | set(_SYSTEMS))


def system_class(name: str) -> type:
    """The GANSystem subclass of system `name`, importing `tfface.systems.<name>` if needed.

    Raises:
        ConfigError: (a ValueError) unknown system; the message lists the known ones.
    """
    if name not in _SYSTEMS and name.isidentifier():
        module = f"{SYSTEMS_PACKAGE}.{name}"
        if importlib.util.find_spec(module) is not None:  # a system package, or the template
            importlib.import_module(module)
    if name not in _SYSTEMS:
        raise ConfigError(
            f"unknown system {name!r}; available systems: {', '.join(available()) or '(none yet)'}"
        )
    return _SYSTEMS[name]


def get(name: str) -> SystemSpec:
    """The spec of system `name` (importing its package if needed)."""
    cls = system_class(name)
    return SystemSpec(
        name=cls.NAME,
        system_class=cls,
        config_class=cls.CONFIG,
        summary=cls.SUMMARY,
        presets=cls.PRESETS,
        build=cls.create,
        compile=lambda system, config: system.compile_for_training(config),
        dataset=cls.DATA,
        preview=lambda system, batch: system.preview(batch),
        export_signatures=cls.EXPORTS,
    )


def build(name: str, config: Any) -> Any:
    """Builds system `name` from `config` (networks included)."""
    return system_class(name).create(config)


def get_preset(system: str, preset: str) -> Any:
    """A new config built by preset `preset` of `system`.

    Raises:
        ConfigError: unknown system or preset; the message lists the available ones.
    """
    presets = system_class(system).PRESETS
    if preset not in presets:
        raise ConfigError(
            f"unknown preset '{preset}' for system '{system}'; available presets: "
            f"{', '.join(sorted(presets))}"
        )
    return presets[preset]()


def registered_presets() -> dict[str, list[str]]:
    """{system: sorted preset names} of the system classes defined so far (no import)."""
    return {name: sorted(cls.PRESETS) for name, cls in sorted(_SYSTEMS.items())}


def compile_system(system: Any, config: Any) -> None:
    """Compiles `system` for training exactly as `tfface train` does, then adds its EMA shadows.

    The optimizers (types, learning rates or schedules, betas) come from `config`, the
    system's config (`config.system` names the system), so a `tfface train` run's
    checkpoint restores into the result and training continues as the command would.
    Call it inside the strategy scope that will train the system, like `build`.

    Raises:
        ValueError: `config` is not a config of a known system, or `system` is not one.
    """
    name = getattr(config, "system", None)
    if not isinstance(name, str) or not name:
        raise ValueError(
            f"compile_system needs a system config (with a `system` name), got {type(config).__name__}"
        )
    cls = system_class(name)
    if not isinstance(config, cls.CONFIG):
        raise ValueError(
            f"config of system {name!r} must be a {cls.CONFIG.__name__}, "
            f"got {type(config).__name__}"
        )
    if not isinstance(system, cls):
        raise ValueError(
            f"compile_system needs a {cls.__name__} for a {name!r} config, got {type(system).__name__}"
        )
    system.compile_for_training(config)
