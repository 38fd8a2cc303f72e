"""What a Beam source DoFn emits: accepted examples or rejects with a reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class RejectError(Exception):
    """Raised by a source converter for an input that must be rejected (with its reason)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Accepted:
    """A serialised example with its split and the statistics `dataset_info.json` needs."""

    key: str
    split: str
    example: bytes
    stats: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rejected:
    """An input that did not make it, and why (short machine-readable reason + detail)."""

    key: str
    reason: str
    detail: str = ""
