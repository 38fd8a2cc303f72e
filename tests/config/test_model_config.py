"""ModelConfig: checks declared on fields (and Literal annotations) run on every construction."""

from __future__ import annotations

import dataclasses
from typing import Literal

import pytest

from tfface.config import (
    AdamConfig,
    ConfigError,
    DataConfig,
    ModelConfig,
    SystemConfig,
    apply_overrides,
    fraction,
    non_negative,
    positive,
    unit_interval,
)


@dataclasses.dataclass(frozen=True)
class ExampleModelConfig(ModelConfig):
    filters: tuple[int, ...] = positive((8, 16))
    l1_weight: float = non_negative(10.0)
    beta_1: float = unit_interval(0.5)
    dropout: float = fraction(0.0)
    form: Literal["hinge", "least_squares"] = "hinge"
    sampler: Literal["forward", "backward"] | None = None

    def validate(self) -> None:
        if self.image_size is not None and self.image_size % 4:
            raise ConfigError("model.image_size must be a multiple of 4")


@dataclasses.dataclass(frozen=True)
class ExampleConfig(SystemConfig):
    model: ExampleModelConfig = dataclasses.field(default_factory=ExampleModelConfig)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"filters": (8, 0)}, r"model.filters must be positive, got \(8, 0\)"),
        ({"l1_weight": -1.0}, "model.l1_weight must be >= 0, got -1.0"),
        ({"beta_1": 1.0}, r"model.beta_1 must lie in \[0, 1\)"),
        ({"dropout": 1.5}, r"model.dropout must lie in \[0, 1\]"),
        ({"form": "wasserstein"}, "model.form must be one of hinge, least_squares"),
        ({"sampler": "nearest"}, "model.sampler must be one of forward, backward"),
        ({"ema_decay": 1.0}, r"model.ema_decay must lie in \(0, 1\)"),
        ({"image_size": 0}, "model.image_size must be positive"),
        ({"image_size": 30}, "multiple of 4"),
    ],
)
def test_declared_checks_name_the_field(changes: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        ExampleModelConfig(**changes)


def test_none_and_the_defaults_pass() -> None:
    config = ExampleModelConfig(sampler=None, ema_decay=None, image_size=None)
    assert config.filters == (8, 16) and config.form == "hinge"


def test_system_config_resolves_the_image_size_and_checks_it() -> None:
    config = ExampleConfig(data=DataConfig(image_size=64))
    assert config.resolved_model().image_size == 64
    with pytest.raises(ConfigError, match=r"model.image_size \(32\) must equal data.image_size"):
        ExampleConfig(data=DataConfig(image_size=64), model=ExampleModelConfig(image_size=32))
    with pytest.raises(ConfigError, match="multiple of 4"):  # the resolved model is checked too
        ExampleConfig(data=DataConfig(image_size=30))


def test_overrides_go_through_the_declared_checks() -> None:
    with pytest.raises(ConfigError, match="model.l1_weight must be >= 0"):
        apply_overrides(ExampleConfig(), ["model.l1_weight=-2"])
    assert apply_overrides(ExampleConfig(), ["model.form=least_squares"]).model.form == (
        "least_squares"
    )


def test_adam_config() -> None:
    assert AdamConfig().learning_rate == 2e-4
    with pytest.raises(ConfigError, match="optimizer.learning_rate must be positive"):
        AdamConfig(learning_rate=0.0)
    with pytest.raises(ConfigError, match=r"decay_start \(10\) must be < decay_steps \(10\)"):
        AdamConfig(decay_steps=10, decay_start=10)
