"""Eager NumPy checks of the pose-editing API's inputs: clear ValueErrors before any graph runs."""

from __future__ import annotations

import numpy as np

from tfface.systems.pose_editing.config import MAX_TARGET_PITCH, MAX_TARGET_YAW


def as_landmarks(landmarks: object, batch_size: int, name: str) -> np.ndarray:
    """float32 (B, 68, 3) landmarks (x, y, depth pixels) from (68, 3) or (B, 68, 3).

    Raises:
        ValueError: not numeric, the wrong shape or count, or not finite.
    """
    try:
        array = np.asarray(landmarks, dtype=np.float32)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"{name} must be numbers (68, 3) or (B, 68, 3), got {landmarks!r}"
        ) from error
    if array.ndim == 2:
        array = np.broadcast_to(array, (batch_size, *array.shape))
    if array.ndim != 3 or array.shape[1:] != (68, 3):
        raise ValueError(
            f"{name} must have shape (68, 3) or (B, 68, 3) (iBUG-68 x, y, depth in pixels), "
            f"got {array.shape}"
        )
    if array.shape[0] != batch_size:
        raise ValueError(f"{name} has {array.shape[0]} landmark sets for {batch_size} images")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must be finite")
    return np.ascontiguousarray(array)


def as_angle(value: object, batch_size: int, name: str, limit: float) -> np.ndarray:
    """float32 (B,) degrees from a number or one value per image, within [-limit, limit]."""
    if isinstance(value, (str, bytes)) or value is None:
        raise ValueError(f"{name} must be numbers in degrees, got {value!r}")
    try:
        angles = np.atleast_1d(np.asarray(value, dtype=np.float64))
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numbers in degrees, got {value!r}") from error
    if angles.ndim != 1 or angles.size not in (1, batch_size):
        raise ValueError(
            f"{name} must be one number or one per image ({batch_size}), got shape "
            f"{np.shape(value)}"
        )
    angles = np.resize(angles, batch_size)
    bad = ~np.isfinite(angles) | (np.abs(angles) > limit)
    if bad.any():
        raise ValueError(
            f"{name} must lie in [-{limit:g}, {limit:g}] degrees and be finite, got "
            f"{angles.tolist()}"
        )
    return angles.astype(np.float32)


def as_angles(yaw: object, pitch: object, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """(yaw (B,), pitch (B,)) float32 degrees, checked (`as_angle`)."""
    return (
        as_angle(yaw, batch_size, "target_yaw", MAX_TARGET_YAW),
        as_angle(pitch, batch_size, "target_pitch", MAX_TARGET_PITCH),
    )
