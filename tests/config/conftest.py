"""Small config dataclasses exercising every supported annotation."""

from __future__ import annotations

import dataclasses
from typing import Literal

import pytest


@dataclasses.dataclass(frozen=True)
class ModelSection:
    """A nested section with Literal, optional and tuple fields."""

    norm: Literal["instance", "batch"] = "instance"
    base_filters: int = 64
    dropout: float | None = None
    kernel_sizes: tuple[int, ...] = (3, 3)
    names: tuple[str, ...] = ()
    pair: tuple[int, str] = (1, "a")


@dataclasses.dataclass(frozen=True)
class ToyConfig:
    """A top-level config with scalars and one nested section."""

    name: str = "toy"
    flag: bool = False
    rate: float = 0.5
    count: int = 1
    model: ModelSection = dataclasses.field(default_factory=ModelSection)


@dataclasses.dataclass(frozen=True)
class RequiredConfig:
    """A config with a field that has no default."""

    size: int


@pytest.fixture
def toy_class() -> type[ToyConfig]:
    return ToyConfig


@pytest.fixture
def model_class() -> type[ModelSection]:
    return ModelSection


@pytest.fixture
def required_class() -> type[RequiredConfig]:
    return RequiredConfig
