"""SynthFaces: the built-in procedural face dataset with ground truth.

`Expression` and `SynthFaces` are imported on first use (PEP 562), so that light submodules
(`tfface.synth.arguments`, for `tfface synth --help`) do not import the renderer's SciPy.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY_EXPORTS = {"Expression": "tfface.synth.head", "SynthFaces": "tfface.synth.synthfaces"}

__all__ = ["Expression", "SynthFaces"]


def __getattr__(name: str) -> Any:
    module_name = _LAZY_EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'tfface.synth' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY_EXPORTS))
