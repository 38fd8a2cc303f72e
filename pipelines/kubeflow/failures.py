"""The failure a stage reports on purpose: an anomaly, a bad argument, a job that failed."""

from __future__ import annotations


class StageFailure(RuntimeError):
    """A stage ends the run with a readable message (no traceback).

    Args:
        message: what went wrong and, where it helps, what to do about it.
    """
