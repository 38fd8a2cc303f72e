"""`face_recognition`: IR-ResNet + ArcFace face embedding (Yin 2022 sec. 4.4.3; `system.py`)."""

from tfface.systems.face_recognition.system import FaceRecognitionSystem

__all__ = ["FaceRecognitionSystem"]
