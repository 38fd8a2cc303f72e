"""Eager NumPy checks of the rotation API's inputs: clear ValueErrors before any graph runs."""

from __future__ import annotations

import numpy as np

from tfface.systems.image_inputs import as_images
from tfface.systems.warp_rotation.config import MAX_TARGET_YAW

__all__ = ["as_images", "as_target_yaws"]


def as_target_yaws(target_yaw: object, batch_size: int, yaw_input: bool) -> np.ndarray:
    """float32 (B,) target yaws in degrees from None, a number or one value per image.

    Args:
        target_yaw: None (0: frontal), a number, or a sequence of `batch_size` numbers.
        batch_size: number of images B.
        yaw_input: whether the model takes a target yaw (else only 0 is possible).

    Raises:
        ValueError: not numeric, not finite, outside [-90, 90], the wrong count, or a
            non-zero yaw for a frontalization-only model.
    """
    if target_yaw is None:
        return np.zeros(batch_size, np.float32)
    array = np.asarray(target_yaw)
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)
    ):
        raise ValueError(f"target_yaw must be numbers in degrees, got {target_yaw!r}")
    if array.ndim > 1:
        raise ValueError(f"target_yaw must be a number or shape (B,), got shape {array.shape}")
    array = np.broadcast_to(array.astype(np.float32), (batch_size,)) if array.ndim == 0 else array
    if array.shape != (batch_size,):
        raise ValueError(f"target_yaw has {array.shape[0]} values for {batch_size} images")
    if not np.isfinite(array).all():
        raise ValueError(f"target_yaw must be finite, got {array.tolist()}")
    if np.abs(array).max(initial=0.0) > MAX_TARGET_YAW:
        raise ValueError(
            f"target_yaw must lie in [-{MAX_TARGET_YAW:g}, {MAX_TARGET_YAW:g}] degrees, got "
            f"{array.tolist()}"
        )
    if not yaw_input and np.any(array != 0):
        raise ValueError(
            "this model frontalizes only (model.target_yaw_input is false): target_yaw must be "
            f"0, got {array.tolist()}"
        )
    return array.astype(np.float32)
