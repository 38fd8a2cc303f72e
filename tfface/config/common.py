"""Config dataclasses shared by every system, and the SynthFaces dataset config.

Each class is a frozen dataclass: build it from YAML with ``from_dict`` /
``load_yaml``, change it with ``apply_overrides``. ``__post_init__`` validates
values and raises ``ConfigError`` (a ``ValueError``) with a readable message.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from tfface.config.errors import ConfigError

DOMAINS: tuple[str, ...] = ("rgb", "nir", "mask_texture", "painting")
"""Image domains SynthFaces can render."""

OCCLUDERS: tuple[str, ...] = (
    "sunglasses",
    "eyeglasses",
    "medical_mask",
    "hand",
    "scarf",
    "hat",
    "microphone",
)
"""Occluders SynthFaces can draw over a face."""

EXPRESSIONS: tuple[str, ...] = ("neutral", "smile", "mouth_open")
"""Expressions SynthFaces can give a face."""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ConfigError(message)


def _require_positive(config: object, names: Iterable[str]) -> None:
    for name in names:
        value = getattr(config, name)
        _require(value > 0, f"{name} must be positive, got {value!r}")


def _require_within(name: str, values: tuple[float, ...], low: float, high: float) -> None:
    outside = [value for value in values if not low <= value <= high]
    _require(not outside, f"{name} must lie within [{low}, {high}] degrees, got {outside!r}")


def _require_names(name: str, values: tuple[str, ...], allowed: tuple[str, ...]) -> None:
    unknown = [value for value in values if value not in allowed]
    _require(not unknown, f"unknown {name} {unknown!r}; allowed: {', '.join(allowed)}")


@dataclasses.dataclass(frozen=True)
class DataConfig:
    """Where the training data is and how it is read.

    Args:
        image_size: side in pixels of the square images fed to the model.
        data_dir: folder of TFRecord shards (``tfface data build`` output).
        shuffle_buffer: examples held in the shuffle buffer (0 disables shuffling).
        seed: seed of the shuffle and of data augmentation.
    """

    image_size: int = 256
    data_dir: str = ""
    shuffle_buffer: int = 1024
    seed: int = 0

    def __post_init__(self) -> None:
        _require_positive(self, ["image_size"])
        _require(
            self.shuffle_buffer >= 0, f"shuffle_buffer must be >= 0, got {self.shuffle_buffer}"
        )


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """How long and how fast to train; shared by every system.

    Args:
        steps: optimizer steps in total.
        batch_size: global batch size (summed over replicas).
        learning_rate: base learning rate (systems may add per-network rates).
        jit_compile: compile train_step with XLA.
        log_every: steps between logged metrics.
        checkpoint_every: steps between checkpoints.
        seed: seed of weight initialisation and of ``keras.random.SeedGenerator``.
    """

    steps: int = 100000
    batch_size: int = 12
    learning_rate: float = 2e-4
    jit_compile: bool = False
    log_every: int = 100
    checkpoint_every: int = 1000
    seed: int = 0

    def __post_init__(self) -> None:
        _require_positive(
            self, ["steps", "batch_size", "learning_rate", "log_every", "checkpoint_every"]
        )


@dataclasses.dataclass(frozen=True)
class SynthConfig:
    """The built-in procedural face dataset SynthFaces: which faces and views to render.

    Every combination of identity, yaw, pitch, roll, domain, expression and
    occluder (plus one unoccluded image) is rendered; same seed, same bytes.

    Args:
        identities: number of face identities.
        image_size: side in pixels of the rendered square images (16..2048).
        uv_size: side in pixels of the UV texture maps (>= 16).
        seed: seed of the identity generator (>= 0).
        yaws: head yaws in degrees, each in [-90, 90]; > 0 turns to the image's right.
        pitches: head pitches in degrees, each in [-60, 60].
        rolls: head rolls in degrees, each in [-90, 90].
        domains: image domains, a subset of ``DOMAINS``.
        occluders: occluders, a subset of ``OCCLUDERS`` (may be empty).
        expressions: expressions, a subset of ``EXPRESSIONS``.
        first_identity: index of the first identity (shards a large set across jobs).
        scene_per_pose: draw the lighting and background anew for every pose (True, the
            default) or share one scene across all poses of an (identity, expression,
            domain), like a multi-camera capture such as Multi-PIE (False; use it for
            pose pairs, ``--pair-with-frontal --shared-scene``). See ``SynthFaces``.
    """

    identities: int = 100
    image_size: int = 256
    uv_size: int = 256
    seed: int = 0
    yaws: tuple[float, ...] = (0.0,)
    pitches: tuple[float, ...] = (0.0,)
    rolls: tuple[float, ...] = (0.0,)
    domains: tuple[str, ...] = ("rgb",)
    occluders: tuple[str, ...] = ()
    expressions: tuple[str, ...] = ("neutral",)
    first_identity: int = 0
    scene_per_pose: bool = True

    def __post_init__(self) -> None:
        _require(
            isinstance(self.scene_per_pose, bool),
            f"scene_per_pose must be true or false, got {self.scene_per_pose!r}",
        )
        _require(self.identities >= 1, f"identities must be >= 1, got {self.identities}")
        _require(
            16 <= self.image_size <= 2048,
            f"image_size must lie within [16, 2048], got {self.image_size}",
        )
        _require(self.uv_size >= 16, f"uv_size must be >= 16, got {self.uv_size}")
        _require(self.seed >= 0, f"seed must be >= 0, got {self.seed}")
        _require(
            self.first_identity >= 0, f"first_identity must be >= 0, got {self.first_identity}"
        )
        for name in ("yaws", "pitches", "rolls", "domains", "expressions"):
            _require(len(getattr(self, name)) > 0, f"{name} must not be empty")
        _require_within("yaws", self.yaws, -90, 90)
        _require_within("pitches", self.pitches, -60, 60)
        _require_within("rolls", self.rolls, -90, 90)
        _require_names("domains", self.domains, DOMAINS)
        _require_names("occluders", self.occluders, OCCLUDERS)
        _require_names("expressions", self.expressions, EXPRESSIONS)


@dataclasses.dataclass(frozen=True)
class ExperimentConfig:
    """Base of every system's config: names plus the data and train sections.

    Systems subclass it and add a ``model`` field (a frozen dataclass with defaults).

    Args:
        system: system name, as in ``tfface train SYSTEM``.
        preset: preset name the config was built from.
        data: the data section.
        train: the train section.
    """

    system: str = ""
    preset: str = ""
    data: DataConfig = dataclasses.field(default_factory=DataConfig)
    train: TrainConfig = dataclasses.field(default_factory=TrainConfig)
