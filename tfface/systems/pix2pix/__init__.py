"""`pix2pix`: paired photo <-> painting translation (Isola et al. 2017; Liu 2019; see `system.py`)."""

from tfface.systems.pix2pix.config import Pix2PixConfig, Pix2PixModelConfig
from tfface.systems.pix2pix.system import Pix2PixSystem

__all__ = ["Pix2PixConfig", "Pix2PixModelConfig", "Pix2PixSystem"]
