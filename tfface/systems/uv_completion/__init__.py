"""`uv_completion`: UV texture completion of Yin 2022 chapter 4 (see `system.py`)."""

from tfface.systems.uv_completion.config import UvCompletionConfig, UvCompletionModelConfig
from tfface.systems.uv_completion.system import UvCompletionSystem

__all__ = ["UvCompletionConfig", "UvCompletionModelConfig", "UvCompletionSystem"]
