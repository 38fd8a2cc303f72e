"""The system registry: name -> how to build, compile, feed and preview a system.

`build(name, config)` builds a system's networks from its config and
`compile_system(system, config)` gives it the optimizers (and EMA) of `tfface
train`, so a run's checkpoint restores into it; the command also uses the rest of
the spec (dataset, preview images).
Systems register themselves when their module is imported; `SYSTEM_MODULES`
(`tfface.config.system_modules`) lists the modules `get()` imports on demand.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import tensorflow as tf

from tfface.config.system_modules import SYSTEM_MODULES
from tfface.signatures.signature import ExportSignature
from tfface.systems.base import GANSystem


@dataclass(frozen=True)
class SystemSpec:
    """Everything the training command needs to know about one system.

    Attributes:
        name: registry name (`tfface train NAME`).
        config_class: the system's frozen config dataclass (an ExperimentConfig).
        build: config -> GANSystem with freshly built networks.
        compile: (system, config) -> None; creates the optimizers and compiles.
        dataset: (config, data_dir, split="train") -> tf.data.Dataset of GLOBAL batches of
            the split (train, validation or test), repeated.
        preview: (system, batch) -> {name: float images in [-1, 1]} for TensorBoard grids.
        export_signatures: system -> {signature name: ExportSignature}, the serving
            signatures `tfface export` writes (`tfface/signatures/signature.py`); None: the
            system is not exportable.
    """

    name: str
    config_class: type
    build: Callable[[Any], GANSystem]
    compile: Callable[[GANSystem, Any], None]
    dataset: Callable[..., tf.data.Dataset]
    preview: Callable[[GANSystem, dict], dict] | None = None
    export_signatures: Callable[[GANSystem], dict[str, ExportSignature]] | None = None


_REGISTRY: dict[str, SystemSpec] = {}


def register(spec: SystemSpec) -> SystemSpec:
    """Adds a system; re-registering a name replaces it (module reloads, tests)."""
    _REGISTRY[spec.name] = spec
    return spec


def get(name: str) -> SystemSpec:
    """The spec of system `name` (importing its module if needed)."""
    if name not in _REGISTRY and name in SYSTEM_MODULES:
        importlib.import_module(SYSTEM_MODULES[name])
    if name not in _REGISTRY:
        available = sorted(set(_REGISTRY) | set(SYSTEM_MODULES))
        raise ValueError(
            f"unknown system {name!r}; available systems: {', '.join(available) or '(none yet)'}"
        )
    return _REGISTRY[name]


def available() -> list[str]:
    """Names of every known system."""
    return sorted(set(_REGISTRY) | set(SYSTEM_MODULES))


def build(name: str, config: Any) -> GANSystem:
    """Builds system `name` from `config` (networks included)."""
    return get(name).build(config)


def compile_system(system: GANSystem, config: Any) -> None:
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
    spec = get(name)
    if not isinstance(config, spec.config_class):
        raise ValueError(
            f"config of system {name!r} must be a {spec.config_class.__name__}, "
            f"got {type(config).__name__}"
        )
    if not isinstance(system, GANSystem):
        raise ValueError(f"compile_system needs a GANSystem, got {type(system).__name__}")
    spec.compile(system, config)
    system.enable_ema()
