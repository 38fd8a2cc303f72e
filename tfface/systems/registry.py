"""The system registry: name -> how to build, compile, feed and preview a system.

`build(name, config)` builds a system's networks from its config; the `tfface
train` command uses the rest of the spec (dataset, compile, preview images).
Systems register themselves when their module is imported; `SYSTEM_MODULES`
lists the modules `get()` imports on demand.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import tensorflow as tf

from tfface.systems.base import GANSystem

# System name -> module that registers it (imported lazily by `get`).
SYSTEM_MODULES: dict[str, str] = {
    "mask_guided": "tfface.systems.mask_guided",
    "warp_rotation": "tfface.systems.warp_rotation",
    "warp_inpainting": "tfface.systems.warp_inpainting",
    "gated_inpainting": "tfface.systems.gated_inpainting",
}


@dataclass(frozen=True)
class SystemSpec:
    """Everything the training command needs to know about one system.

    Attributes:
        name: registry name (`tfface train NAME`).
        config_class: the system's frozen config dataclass (an ExperimentConfig).
        build: config -> GANSystem with freshly built networks.
        compile: (system, config) -> None; creates the optimizers and compiles.
        dataset: (config, data_dir) -> tf.data.Dataset of GLOBAL batches, repeated.
        preview: (system, batch) -> {name: float images in [-1, 1]} for TensorBoard grids.
    """

    name: str
    config_class: type
    build: Callable[[Any], GANSystem]
    compile: Callable[[GANSystem, Any], None]
    dataset: Callable[[Any, str], tf.data.Dataset]
    preview: Callable[[GANSystem, dict], dict] | None = None


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
