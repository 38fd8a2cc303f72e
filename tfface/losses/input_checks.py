"""Input validation shared by the loss functions: clear ``ValueError``s on bad shapes.

Checks use static shapes only (they run once, at trace time); dimensions unknown at
trace time are not checked.
"""

from __future__ import annotations

from collections.abc import Iterable

import tensorflow as tf


def as_float32(value: tf.Tensor, name: str) -> tf.Tensor:
    """Converts ``value`` to a float32 tensor; raises ValueError if it cannot be."""
    try:
        tensor = tf.convert_to_tensor(value)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be convertible to a tensor: {error}") from error
    if not (tensor.dtype.is_floating or tensor.dtype.is_integer or tensor.dtype.is_bool):
        raise ValueError(f"{name} must be numeric, got dtype {tensor.dtype.name}")
    return tf.cast(tensor, tf.float32)


def check_rank(tensor: tf.Tensor, ranks: Iterable[int], name: str) -> None:
    """Raises ValueError unless ``tensor`` has one of ``ranks`` (when the rank is known)."""
    ranks = tuple(ranks)
    rank = tensor.shape.rank
    if rank is not None and rank not in ranks:
        expected = " or ".join(str(r) for r in ranks)
        raise ValueError(f"{name} must have rank {expected}, got shape {tensor.shape}")


def check_min_rank(tensor: tf.Tensor, min_rank: int, name: str) -> None:
    """Raises ValueError if ``tensor`` has fewer than ``min_rank`` axes."""
    rank = tensor.shape.rank
    if rank is not None and rank < min_rank:
        raise ValueError(f"{name} must have at least {min_rank} axes, got shape {tensor.shape}")


def check_same_shape(first: tf.Tensor, second: tf.Tensor, names: tuple[str, str]) -> None:
    """Raises ValueError if the two static shapes are known and differ."""
    if not first.shape.is_compatible_with(second.shape):
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same shape, "
            f"got {first.shape} and {second.shape}"
        )


def check_images(images: tf.Tensor, name: str) -> None:
    """Raises ValueError unless ``images`` is a channels-last batch (B, H, W, C)."""
    check_rank(images, (4,), f"{name} (images, channels-last (B, H, W, C))")


def check_choice(value: str, choices: Iterable[str], name: str) -> None:
    """Raises ValueError unless ``value`` is one of ``choices``."""
    choices = tuple(choices)
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; expected one of: {', '.join(choices)}")


def check_fraction(value: float, name: str) -> None:
    """Raises ValueError unless 0 < value <= 1."""
    if not 0.0 < float(value) <= 1.0:
        raise ValueError(f"{name} must lie in (0, 1], got {value!r}")


def spatial_mask(mask: tf.Tensor, like: tf.Tensor, name: str) -> tf.Tensor:
    """Returns ``mask`` as float32 (B, H, W, 1) or (B, H, W, C) matching ``like`` (B, H, W, C).

    Accepts (B, H, W), (B, H, W, 1) or (B, H, W, C) masks.
    """
    mask = as_float32(mask, name)
    check_rank(mask, (3, 4), f"{name} (mask (B, H, W) or (B, H, W, 1|C))")
    if mask.shape.rank == 3:
        mask = mask[..., tf.newaxis]
    if not mask.shape[:3].is_compatible_with(like.shape[:3]):
        raise ValueError(
            f"{name} must cover the same (B, H, W) as the images, "
            f"got {mask.shape} for images of shape {like.shape}"
        )
    channels, like_channels = mask.shape[-1], like.shape[-1]
    if channels is not None and channels != 1 and like_channels is not None:
        if channels != like_channels:
            raise ValueError(
                f"{name} must have 1 or {like_channels} channels, got shape {mask.shape}"
            )
    return mask
