"""TensorFlow Datasets builders over the same conversions as the Beam jobs.

Importing this package registers the builders, so `tfds.load("tfface_synthfaces/tiny")`
works, and `tfds.load("tfface_celebamask_hq/256")` with the official files in the
manual directory.
"""

from tfface.data.tfds.celebamask_hq import CelebAMaskHQ
from tfface.data.tfds.synthfaces import SynthFacesBuilder

__all__ = ["CelebAMaskHQ", "SynthFacesBuilder"]
