"""Progress lines for long work: done / total, items per second and ETA, on stderr."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from tfface.training.durations import format_duration


class Progress:
    """Reports `done/total`, rate and ETA at most every `interval` seconds (and at the end).

    Args:
        total: number of items expected.
        label: what is counted ("images", "samples").
        stream: where to write (stderr by default).
        interval: minimum seconds between two lines.
    """

    def __init__(
        self, total: int, label: str = "items", stream: TextIO | None = None, interval: float = 2.0
    ) -> None:
        self.total = max(int(total), 0)
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.interval = interval
        self.done = 0
        self.start = time.monotonic()
        self._last = -float("inf")

    def update(self, count: int = 1) -> None:
        """Adds `count` finished items and prints a line if it is time to."""
        self.done += count
        now = time.monotonic()
        if now - self._last >= self.interval or self.done >= self.total:
            self._last = now
            self.stream.write(self.line(now) + "\n")
            self.stream.flush()

    def line(self, now: float | None = None) -> str:
        """The current progress line."""
        elapsed = max((now if now is not None else time.monotonic()) - self.start, 1e-9)
        rate = self.done / elapsed
        remaining = (self.total - self.done) / rate if rate > 0 else float("inf")
        eta = format_duration(remaining) if remaining != float("inf") else "?"
        percent = 100.0 * self.done / self.total if self.total else 100.0
        return f"{self.done}/{self.total} {self.label} ({percent:5.1f}%) {rate:.1f} {self.label}/s, elapsed {format_duration(elapsed)}, ETA {eta}"
