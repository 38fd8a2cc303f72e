"""Named preset configs: ``get_preset("synthfaces", "tiny")``, ``get_preset("warp_rotation", "paper")``.

The SynthFaces presets (dataset configs) are defined here. A research system's presets are
declared by its system class (`GANSystem.PRESETS`, registered by the class definition in
`tfface.systems.registry`); ``get_preset`` reaches them through a dynamic import of the
registry, which imports the system's package (and TensorFlow) on first use. Importing this
module imports no TensorFlow and nothing of the systems layer.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable, Iterator
from typing import Any

from tfface.config.common import DOMAINS, EXPRESSIONS, OCCLUDERS, SynthConfig
from tfface.config.errors import ConfigError

SYNTHFACES = "synthfaces"
"""The name under which the SynthFaces dataset presets are listed."""

REGISTRY_MODULE = "tfface.systems.registry"
"""The module of the system registry (imported on demand: systems sit above config)."""


def _registry() -> Any:
    return importlib.import_module(REGISTRY_MODULE)


@contextlib.contextmanager
def _naming_the_dataset_presets() -> Iterator[None]:
    """Adds the SynthFaces presets to the registry's "unknown system" message."""
    try:
        yield
    except ConfigError as error:
        if not str(error).startswith("unknown system"):
            raise
        raise ConfigError(f"{error}; dataset presets: {SYNTHFACES}") from None


def get_preset(system: str, name: str) -> Any:
    """Return a new config built by preset ``name`` of ``system`` ("synthfaces" or a system).

    A research system's package is imported on first use (this imports TensorFlow).

    Raises:
        ConfigError: unknown system or preset; the message lists the available ones.
    """
    if system == SYNTHFACES:
        if name not in SYNTHFACES_PRESETS:
            raise ConfigError(
                f"unknown preset '{name}' for system '{system}'; available presets: "
                f"{', '.join(sorted(SYNTHFACES_PRESETS))}"
            )
        return SYNTHFACES_PRESETS[name]()
    with _naming_the_dataset_presets():
        return _registry().get_preset(system, name)


def list_presets(system: str | None = None) -> dict[str, list[str]]:
    """Return ``{system: sorted preset names}``, for SynthFaces and every system defined so
    far, or just ``system``.

    Without ``system`` no system package is imported (so no TensorFlow); with ``system``
    its package is imported on demand.

    Raises:
        ConfigError: ``system`` is given but unknown.
    """
    if system == SYNTHFACES:
        return {SYNTHFACES: sorted(SYNTHFACES_PRESETS)}
    if system is not None:
        with _naming_the_dataset_presets():
            return {system: sorted(_registry().system_class(system).PRESETS)}
    return {SYNTHFACES: sorted(SYNTHFACES_PRESETS), **_registry().registered_presets()}


def synthfaces_default() -> SynthConfig:
    """100 frontal, neutral RGB identities at 256 pixels."""
    return SynthConfig()


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


def synthfaces_tiny() -> SynthConfig:
    """4 identities at 64 pixels, yaws 0 and 30: for tests and smoke runs."""
    return SynthConfig(identities=4, image_size=64, uv_size=64, yaws=(0.0, 30.0))


SYNTHFACES_PRESETS: dict[str, Callable[[], SynthConfig]] = {
    "default": synthfaces_default,
    "demo": synthfaces_demo,
    "tiny": synthfaces_tiny,
}
"""Preset name -> SynthFaces dataset config factory."""
