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
    array = np.asarray(value)
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)
    ):
        raise ValueError(f"{name} must be numbers in degrees, got {value!r}")
    if array.ndim > 1:
        raise ValueError(f"{name} must be a number or shape (B,), got shape {array.shape}")
    array = np.broadcast_to(array.astype(np.float32), (batch_size,)) if array.ndim == 0 else array
    if array.shape != (batch_size,):
        raise ValueError(f"{name} has {array.shape[0]} values for {batch_size} images")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must be finite, got {array.tolist()}")
    if np.abs(array).max(initial=0.0) > limit:
        raise ValueError(
            f"{name} must lie in [-{limit:g}, {limit:g}] degrees, got {array.tolist()}"
        )
    return array.astype(np.float32)


def as_angles(yaw: object, pitch: object, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """(yaw (B,), pitch (B,)) float32 degrees, checked (`as_angle`)."""
    return (
        as_angle(yaw, batch_size, "target_yaw", MAX_TARGET_YAW),
        as_angle(pitch, batch_size, "target_pitch", MAX_TARGET_PITCH),
    )
