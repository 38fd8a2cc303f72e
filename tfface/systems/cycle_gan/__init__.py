"""`cycle_gan`: unpaired photo <-> painting translation (Zhu et al. 2017; Liu 2019; see `system.py`)."""

from tfface.systems.cycle_gan.config import CycleGANConfig, CycleGANModelConfig
from tfface.systems.cycle_gan.system import CycleGANSystem

__all__ = ["CycleGANConfig", "CycleGANModelConfig", "CycleGANSystem"]
