"""Training utilities: weight EMA, strategies, schedules, callbacks, phases and durations.

`WeightEMA` loads on first use, so light modules of this package (`durations`) import
without Keras (the CLI's progress line and `--help` stay free of TensorFlow).
"""

from __future__ import annotations

from typing import Any

__all__ = ["WeightEMA"]


def __getattr__(name: str) -> Any:
    if name == "WeightEMA":
        from tfface.training.ema import WeightEMA

        return WeightEMA
    raise AttributeError(f"module 'tfface.training' has no attribute {name!r}")
