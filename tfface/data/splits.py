"""Deterministic hash-based train / validation / test splits.

The split of an example depends only on its group key (for example the
identity, so a person never appears in two splits) and the salt: the same on
every worker, runner and re-run.
"""

from __future__ import annotations

import hashlib

DEFAULT_FRACTIONS = {"train": 0.9, "validation": 0.05, "test": 0.05}
SPLITS = ("train", "validation", "test")


def parse_fractions(text: str) -> dict[str, float]:
    """'train=0.8,validation=0.1,test=0.1' -> dict; fractions must be >= 0 and sum to 1."""
    fractions: dict[str, float] = {}
    for part in text.split(","):
        if "=" not in part:
            raise ValueError(
                f"split fractions look like train=0.9,validation=0.05,test=0.05; got {text!r}"
            )
        name, value = part.split("=", 1)
        name = name.strip()
        if name not in SPLITS:
            raise ValueError(f"unknown split {name!r}; splits are {', '.join(SPLITS)}")
        fractions[name] = float(value)
    if any(value < 0 for value in fractions.values()) or abs(sum(fractions.values()) - 1.0) > 1e-6:
        raise ValueError(f"split fractions must be non-negative and sum to 1, got {fractions}")
    return {name: fractions.get(name, 0.0) for name in SPLITS}


def assign_split(
    group_key: str, fractions: dict[str, float] | None = None, salt: str = "tfface"
) -> str:
    """The split of `group_key`: SHA-256 of salt + key mapped to [0, 1) against cumulative fractions."""
    fractions = fractions or DEFAULT_FRACTIONS
    digest = hashlib.sha256(f"{salt}:{group_key}".encode()).digest()
    position = int.from_bytes(digest[:8], "big") / 2**64
    cumulative = 0.0
    for name in SPLITS:
        cumulative += fractions.get(name, 0.0)
        if position < cumulative:
            return name
    return [name for name in SPLITS if fractions.get(name, 0.0) > 0][-1]
