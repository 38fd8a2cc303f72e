"""`face_reconstruction`: the 3DMM regressor of Yin 2022 sec. 5.3.3 (see `system.py`)."""

from tfface.systems.face_reconstruction.config import (
    FaceReconstructionConfig,
    FaceReconstructionModelConfig,
)
from tfface.systems.face_reconstruction.system import FaceReconstructionSystem

__all__ = [
    "FaceReconstructionConfig",
    "FaceReconstructionModelConfig",
    "FaceReconstructionSystem",
]
