"""Retries with exponential backoff, for transient failures only (server restarting, busy)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

Result = TypeVar("Result")


@dataclass(frozen=True)
class RetryPolicy:
    """Up to `attempts` tries; waits initial_backoff, x multiplier each time, capped.

    Only errors for which `retryable(error)` is true are retried (UNAVAILABLE, refused or
    reset connections); anything else (bad input, unknown model, timeouts) fails at once.
    """

    attempts: int = 4
    initial_backoff: float = 0.1
    multiplier: float = 2.0
    max_backoff: float = 2.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"attempts must be >= 1, got {self.attempts}")

    def delays(self) -> list[float]:
        """The waits between attempts."""
        return [
            min(self.initial_backoff * self.multiplier**index, self.max_backoff)
            for index in range(self.attempts - 1)
        ]

    def call(
        self,
        function: Callable[[], Result],
        retryable: Callable[[BaseException], bool],
        sleep: Callable[[float], None] = time.sleep,
    ) -> Result:
        """`function()`, retried on retryable errors; the last error is raised."""
        delays = self.delays()
        for attempt in range(self.attempts):
            try:
                return function()
            except Exception as error:
                if attempt == self.attempts - 1 or not retryable(error):
                    raise
                sleep(delays[attempt])
        raise AssertionError("unreachable")
