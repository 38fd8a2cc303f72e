"""Training utilities: weight EMA (strategy, checkpoints, schedules and callbacks follow)."""

from tfface.training.ema import WeightEMA

__all__ = ["WeightEMA"]
