"""Training utilities: weight EMA, strategies, schedules, callbacks, phases and durations.

`WeightEMA` loads on first use, so light modules of this package (`durations`) import
without Keras (the CLI's progress line and `--help` stay free of TensorFlow).
"""

from __future__ import annotations

from tfface.lazy_exports import lazy_exports

__all__ = ["WeightEMA"]

__getattr__, __dir__ = lazy_exports(
    "tfface.training", globals(), {"WeightEMA": "tfface.training.ema"}
)
