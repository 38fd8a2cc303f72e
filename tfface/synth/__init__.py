"""SynthFaces: the built-in procedural face dataset with ground truth."""

from tfface.synth.head import Expression
from tfface.synth.synthfaces import SynthFaces

__all__ = ["Expression", "SynthFaces"]
