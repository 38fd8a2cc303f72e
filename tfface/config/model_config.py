"""`ModelConfig` and `SystemConfig`: the config bases of every research system, validation declared.

A system's model section is a frozen dataclass subclassing `ModelConfig`. Its checks are
declared, not written: a field made with `positive(...)`, `non_negative(...)` or
`unit_interval(...)` is checked (every element of a tuple too; `None` is skipped), and a
`Literal[...]` annotation is checked against its choices. Checks that relate several
fields go in `validate()`. Every failure is a `ConfigError` naming `model.<field>`.

    @dataclasses.dataclass(frozen=True)
    class MyModelConfig(ModelConfig):
        base_filters: int = positive(32)
        l1_weight: float = non_negative(10.0)
        adversarial_form: Literal["hinge", "least_squares"] = "hinge"

The experiment config of a system subclasses `SystemConfig` and declares its `model`
field; `SystemConfig` checks that `model.image_size` is unset or equals
`data.image_size` and gives `resolved_model()` (the model section with the data's size).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any, Literal, get_args, get_origin, get_type_hints

from tfface.config.common import ExperimentConfig
from tfface.config.errors import ConfigError

CHECK = "tfface_check"
"""The dataclass field metadata key that names a field's declared check."""

CHECKS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "positive": (lambda value: value > 0, "must be positive"),
    "non_negative": (lambda value: value >= 0, "must be >= 0"),
    "unit_interval": (lambda value: 0.0 <= value < 1.0, "must lie in [0, 1)"),
    "open_unit_interval": (lambda value: 0.0 < value < 1.0, "must lie in (0, 1)"),
    "fraction": (lambda value: 0.0 <= value <= 1.0, "must lie in [0, 1]"),
}
"""Check name -> (predicate on one value, what the message says the value must be)."""


def _checked_field(check: str, default: Any) -> Any:
    """A dataclass field with `default` (a tuple default stays immutable) and a declared check."""
    return dataclasses.field(default=default, metadata={CHECK: check})


def positive(default: Any) -> Any:
    """A field whose value (each element of a tuple) must be > 0."""
    return _checked_field("positive", default)


def non_negative(default: Any) -> Any:
    """A field whose value (each element of a tuple) must be >= 0 (loss weights)."""
    return _checked_field("non_negative", default)


def unit_interval(default: Any) -> Any:
    """A field in [0, 1) (Adam's betas)."""
    return _checked_field("unit_interval", default)


def open_unit_interval(default: Any) -> Any:
    """A field in (0, 1) (EMA decays); None allowed when the annotation allows it."""
    return _checked_field("open_unit_interval", default)


def fraction(default: Any) -> Any:
    """A field in [0, 1] (probabilities, fractions of the data)."""
    return _checked_field("fraction", default)


@functools.cache
def _literal_choices(config_class: type) -> dict[str, tuple[Any, ...]]:
    """Field name -> the choices of its `Literal[...]` annotation (also inside `X | None`)."""
    choices: dict[str, tuple[Any, ...]] = {}
    for field_name, annotation in get_type_hints(config_class).items():
        options = [annotation, *get_args(annotation)]
        for option in options:
            if get_origin(option) is Literal:
                choices[field_name] = get_args(option)
    return choices


def check_declared(config: Any, section: str) -> None:
    """Runs the declared checks of a config dataclass instance.

    Args:
        config: a dataclass instance whose fields may carry `CHECK` metadata or `Literal`
            annotations.
        section: the prefix of the field names in messages ("model").

    Raises:
        ConfigError: the first failed check, e.g. "model.base_filters must be positive, got 0".
    """
    choices = _literal_choices(type(config))
    for field in dataclasses.fields(config):
        value = getattr(config, field.name)
        label = f"{section}.{field.name}" if section else field.name
        if field.name in choices and value is not None and value not in choices[field.name]:
            allowed = ", ".join(str(choice) for choice in choices[field.name])
            raise ConfigError(f"{label} must be one of {allowed}, got {value!r}")
        check = field.metadata.get(CHECK)
        if check is None or value is None:
            continue
        predicate, requirement = CHECKS[check]
        elements = value if isinstance(value, tuple) else (value,)
        if not all(predicate(element) for element in elements):
            raise ConfigError(f"{label} {requirement}, got {value!r}")


@dataclasses.dataclass(frozen=True)
class ModelConfig:
    """The fields every system's model section has, and the declared checks.

    Args:
        image_size: side of the square images; None (the presets) = data.image_size
            (`SystemConfig.resolved_model()` fills it in).
        ema_decay: decay of the exponential moving average of the inference networks'
            weights, used for inference and export (None: no EMA).
    """

    image_size: int | None = positive(None)
    ema_decay: float | None = open_unit_interval(None)

    def __post_init__(self) -> None:
        check_declared(self, "model")
        self.validate()

    def validate(self) -> None:
        """Checks that relate several fields (declared checks have passed). Raise `ConfigError`."""


@dataclasses.dataclass(frozen=True)
class AdamConfig:
    """The Adam optimizer of one optimizer group (Kingma and Ba, ICLR 2015).

    Args:
        learning_rate: the rate, constant unless `decay_steps` > 0.
        beta_1, beta_2: the moment decays.
        epsilon: the denominator's constant.
        decay_steps: > 0: the rate is constant until `decay_start`, then falls linearly to
            zero at `decay_steps` (`tfface.training.schedules.ConstantThenLinearDecay`).
        decay_start: first step of the decay (None: half of decay_steps).
    """

    learning_rate: float = positive(2e-4)
    beta_1: float = unit_interval(0.9)
    beta_2: float = unit_interval(0.999)
    epsilon: float = positive(1e-7)
    decay_steps: int = non_negative(0)
    decay_start: int | None = non_negative(None)

    def __post_init__(self) -> None:
        check_declared(self, "optimizer")
        if (
            self.decay_start is not None
            and self.decay_steps
            and self.decay_start >= self.decay_steps
        ):
            raise ConfigError(
                f"optimizer.decay_start ({self.decay_start}) must be < decay_steps ({self.decay_steps})"
            )


@dataclasses.dataclass(frozen=True)
class SystemConfig(ExperimentConfig):
    """Base of a research system's experiment config: names, data, train and `model`.

    Subclasses declare `model: MyModelConfig = dataclasses.field(default_factory=MyModelConfig)`.
    """

    model: ModelConfig = dataclasses.field(default_factory=ModelConfig)

    def __post_init__(self) -> None:
        if self.model.image_size not in (None, self.data.image_size):
            raise ConfigError(
                f"model.image_size ({self.model.image_size}) must equal data.image_size "
                f"({self.data.image_size}) or be null"
            )
        self.resolved_model()  # runs the model's checks that need the image size
        self.validate()

    def validate(self) -> None:
        """Checks that relate the model section to the data or train sections (the sections'
        own checks have passed). Raise `ConfigError`."""

    def resolved_model(self) -> Any:
        """The model section with image_size = data.image_size."""
        return dataclasses.replace(self.model, image_size=self.data.image_size)
