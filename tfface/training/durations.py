"""Durations as people read them in progress lines ("2m05s"), for training and the CLI."""

from __future__ import annotations


def format_duration(seconds: float) -> str:
    """4.2 -> '4s', 125 -> '2m05s', 3725 -> '1h02m'."""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{(seconds % 3600) // 60:02d}m"
