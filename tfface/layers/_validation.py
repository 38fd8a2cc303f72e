"""Argument and input-shape checks shared by the tfface layers (clear ValueErrors)."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import keras


def check_rank(shape: Sequence[Any], rank: int, layer: str, what: str, layout: str) -> None:
    """Raise ValueError unless `shape` has `rank` dimensions (layout like "(B, H, W, C)")."""
    if shape is None or len(shape) != rank:
        raise ValueError(
            f"{layer}: {what} must have rank {rank} {layout}, got shape {tuple(shape or ())}."
        )


def check_static_channels(shape: Sequence[Any], layer: str, what: str) -> int:
    """The static last dimension of `shape`; ValueError when it is unknown."""
    if shape[-1] is None:
        raise ValueError(f"{layer}: the last (channel) dimension of {what} must be known.")
    return int(shape[-1])


def check_choice(value: Any, choices: Sequence[Any], name: str) -> None:
    """Raise ValueError unless `value` is one of `choices`."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}.")


def check_positive_int(value: Any, name: str) -> int:
    """`value` as an int; ValueError unless it is a positive integer."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def check_positive_float(value: Any, name: str) -> float:
    """`value` as a float; ValueError unless it is a positive number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}.")
    return float(value)


def check_activation(name: str | None, what: str = "activation") -> str | None:
    """Raise ValueError unless `name` is None or a Keras activation name."""
    if name is None:
        return None
    if not isinstance(name, str):
        raise ValueError(f"{what} must be a Keras activation name or None, got {name!r}.")
    try:
        keras.activations.get(name)
    except ValueError as error:
        raise ValueError(f"{what}: unknown activation {name!r}.") from error
    return name


def split_input_shapes(input_shape: Any, counts: Sequence[int], layer: str) -> list[tuple]:
    """The list of input shapes of a multi-input layer; ValueError on a wrong input count."""
    is_list = isinstance(input_shape, list | tuple) and all(
        isinstance(item, list | tuple) or item is None for item in input_shape
    )
    if not is_list or len(input_shape) not in counts or any(s is None for s in input_shape):
        expected = " or ".join(str(count) for count in counts)
        raise ValueError(f"{layer} expects a list of {expected} input tensors, got {input_shape}.")
    return [tuple(shape) for shape in input_shape]
