"""The names of the distribution strategies (`tfface train --strategy`), without TensorFlow,
so command-line parsers and pipeline arguments can list them; `strategy.make_strategy` builds them."""

from __future__ import annotations

STRATEGIES: tuple[str, ...] = ("default", "mirrored", "multiworker")
