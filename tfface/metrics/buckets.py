"""Pose buckets for metric breakdowns, like the seed papers' tables (0, ±15, ..., ±90).

An angle goes to the nearest multiple of 15 of its absolute value, clipped to 90:
|yaw| in [0, 7.5) -> "0", [7.5, 22.5) -> "±15", ..., >= 82.5 -> "±90". Left and right
share a bucket, as in the Multi-PIE tables of the pose-editing papers.
"""

from __future__ import annotations

import numpy as np

BUCKET_STEP = 15
BUCKET_CENTRES = tuple(range(0, 91, BUCKET_STEP))
"""|angle| bucket centres: 0, 15, 30, 45, 60, 75, 90."""
BREAKDOWNS = {"yaw": 0, "pitch": 1, "roll": 2}
"""--by choices and their index in a (yaw, pitch, roll) pose."""


def pose_bucket(angles: np.ndarray) -> np.ndarray:
    """Bucket centre (int) of each angle in degrees: (N,) -> (N,) in BUCKET_CENTRES."""
    magnitude = np.abs(np.asarray(angles, np.float64))
    centres = np.floor(magnitude / BUCKET_STEP + 0.5) * BUCKET_STEP
    return np.clip(centres, 0, BUCKET_CENTRES[-1]).astype(np.int64)


def bucket_label(centre: int) -> str:
    """0 -> '0', 15 -> '±15'."""
    return "0" if int(centre) == 0 else f"±{int(centre)}"


def bucket_order(label: str) -> float:
    """Sort key of bucket labels: '0' < '±15' < '±30' ... (by angle; other labels last)."""
    digits = label.lstrip("±+-")
    try:
        return float(digits)
    except ValueError:
        return float("inf")
