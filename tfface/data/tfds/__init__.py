"""TensorFlow Datasets builders over the same conversions as the Beam jobs.

Importing this package registers the builders, so `tfds.load("tfface_synthfaces/tiny")`
works (and `tfface_celebamask_hq` with the official files in the manual dir).
"""

from tfface.data.tfds.synthfaces import SynthFacesBuilder

__all__ = ["SynthFacesBuilder"]
