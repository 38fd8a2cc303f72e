"""`deocclusion`: facial image de-occlusion of Yin 2022 chapter 5 (see `system.py`)."""

from tfface.systems.deocclusion.config import DeocclusionConfig, DeocclusionModelConfig
from tfface.systems.deocclusion.system import DeocclusionSystem

__all__ = ["DeocclusionConfig", "DeocclusionModelConfig", "DeocclusionSystem"]
