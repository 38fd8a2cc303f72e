"""SynthFaces: the built-in procedural face dataset with ground truth.

`Expression` and `SynthFaces` are imported on first use (PEP 562), so that light submodules
(`tfface.synth.arguments`, for `tfface synth --help`) do not import the renderer's SciPy.
"""

from __future__ import annotations

from tfface.lazy_exports import lazy_exports

_LAZY_EXPORTS = {"Expression": "tfface.synth.head", "SynthFaces": "tfface.synth.synthfaces"}

__all__ = ["Expression", "SynthFaces"]


__getattr__, __dir__ = lazy_exports("tfface.synth", globals(), _LAZY_EXPORTS)
