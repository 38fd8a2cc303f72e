"""What the translation family's configs share (issue #23): preset construction and the
Adam schedule of pix2pix and CycleGAN (constant, then linearly to 0: 100 + 100 epochs)."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from tfface import config as tfface_config
from tfface.config.model_config import AdamConfig

Config = TypeVar("Config", bound=tfface_config.SystemConfig)


def translation_preset(
    config_class: type[Config],
    system: str,
    name: str,
    size: int,
    train: dict[str, Any],
    **model: Any,
) -> Config:
    """`config_class` of `system` as preset `name`: `size` px images, TrainConfig(**train),
    and the model section (the `model` field's default) with `model` overrides."""
    model_class = {field.name: field for field in dataclasses.fields(config_class)}["model"]
    return config_class(
        system=system,
        preset=name,
        data=tfface_config.DataConfig(image_size=size),
        train=tfface_config.TrainConfig(**train),
        model=dataclasses.replace(model_class.default_factory(), **model),
    )


def decaying_adam(config: tfface_config.SystemConfig) -> AdamConfig:
    """Adam at model.learning_rate (model.beta_1, model.beta_2), constant and then linearly
    to 0 over the last model.decay_fraction of train.steps."""
    model, steps = config.model, config.train.steps
    start = int(round(steps * (1.0 - model.decay_fraction)))
    decay = {"decay_steps": steps, "decay_start": start} if start < steps else {}
    return AdamConfig(model.learning_rate, model.beta_1, model.beta_2, **decay)
