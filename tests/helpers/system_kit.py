"""What the system tests share: SynthFaces recipes, tiny configs, fixed batches, built systems."""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from tfface.config import apply_overrides, get_preset
from tfface.systems import registry
from tfface.systems.base import GANSystem

SIZE = 64
"""Image size of the shared SynthFaces datasets (and of the tiny presets on them)."""


@dataclass(frozen=True)
class SynthFacesRecipe:
    """The arguments of one `pipelines.synthfaces` job (everything in the train split)."""

    identities: int
    yaws: tuple[int, ...]
    pair_with_frontal: bool = False
    size: int = SIZE
    uv_size: int = 32
    first_identity: int = 0
    occluders: tuple[str, ...] = ()
    coefficients: bool = False
    pair_domains: tuple[str, ...] = ()
    uv_completion: bool = False

    @property
    def label(self) -> str:
        pairs = "_pairs" if self.pair_with_frontal else ""
        occluded = "".join(f"_{name}" for name in self.occluders)
        fits = "_fits" if self.coefficients else ""
        fits += "".join(f"_{domain}" for domain in self.pair_domains)
        fits += f"_uv{self.uv_size}" if self.uv_completion else ""
        return (
            f"{self.identities}x{'_'.join(map(str, self.yaws))}{pairs}{occluded}{fits}"
            f"_{self.size}px"
        )

    def arguments(self) -> list[str]:
        arguments = ["--identities", str(self.identities), "--size", str(self.size)]
        arguments += ["--uv-size", str(self.uv_size), "--yaws", *map(str, self.yaws)]
        arguments += ["--first-identity", str(self.first_identity)]
        if self.pair_with_frontal:
            arguments.append("--pair-with-frontal")
        if self.occluders:
            arguments += ["--occluders", *self.occluders]
        if self.coefficients:
            arguments.append("--coefficients")
        if self.pair_domains:
            arguments += ["--pair-domains", *self.pair_domains]
        if self.uv_completion:
            arguments += ["--uv-completion", "--with-uv-texture"]
        return [*arguments, "--splits", "train=1,validation=0,test=0"]


FACES = SynthFacesRecipe(identities=4, yaws=(0, 20))
POSE_PAIRS = SynthFacesRecipe(identities=4, yaws=(0, 30), pair_with_frontal=True)
FITS = SynthFacesRecipe(identities=4, yaws=(0, 20), occluders=("hand",), coefficients=True)
"""4 identities at yaw 0 and 20, bare and behind a hand, with their 3DMM coefficients and
the morphable model (`--coefficients`): face_reconstruction's data."""
OCCLUSIONS = SynthFacesRecipe(
    identities=4, yaws=(0, 20), occluders=("sunglasses", "medical_mask"), coefficients=True
)
"""4 identities at yaw 0 and 20, bare, in sunglasses and in a medical mask, with their 3DMM
coefficients and the morphable model: deocclusion's data."""
NIR_PAIRS = SynthFacesRecipe(identities=4, yaws=(0, 20), pair_domains=("mask_texture", "nir"))
"""4 identities at yaw 0 and 20 rendered colour-coded (`mask_texture`) as image and in NIR as
target_image (`--pair-domains`): multimodal's data."""
PAINTING_PAIRS = SynthFacesRecipe(identities=4, yaws=(0, 20), pair_domains=("rgb", "painting"))
"""4 identities at yaw 0 and 20 rendered as photos (`rgb`, image) and as paintings
(target_image) of the same face and scene: the translation family's data (pix2pix)."""
UV_FACES = SynthFacesRecipe(
    identities=4, yaws=(-30, 0, 30), uv_size=64, coefficients=True, uv_completion=True
)
"""4 identities at yaw -30, 0 and 30 with coefficients, UV_bl (`--uv-completion`) and the
exact UV texture at UV 64: uv_completion's data."""
LEARNING_FACES = SynthFacesRecipe(identities=100, yaws=(0, 20))
"""The training faces of the learning checks (slow tests)."""
HELD_OUT_FACES = SynthFacesRecipe(identities=16, yaws=(0, 20), first_identity=1000)
"""Identities the learning checks never train on."""


def tiny_config(system_name: str, data_dir: str, *overrides: str):
    """The system's tiny preset on `data_dir`, with `--set`-style overrides."""
    return apply_overrides(
        get_preset(system_name, "tiny"), [f"data.data_dir={data_dir}", *overrides]
    )


def fixed_batches(config, data_dir: str, count: int) -> tf.data.Dataset:
    """`count` batches of the system's dataset, materialised so every run sees the same ones."""
    batches = list(registry.get(config.system).dataset(config, data_dir).take(count))
    stacked = {key: tf.stack([batch[key] for batch in batches]) for key in batches[0]}
    return tf.data.Dataset.from_tensor_slices(stacked)


def make_system(config, strategy: tf.distribute.Strategy | None = None) -> GANSystem:
    """The system of `config` built and compiled as `tfface train` does (EMA included)."""
    with (strategy or tf.distribute.get_strategy()).scope():
        system = registry.build(config.system, config)
        registry.compile_system(system, config)
    return system


@dataclass(frozen=True)
class Case:
    """One registered system under the contract (tests/systems/test_system_contract.py).

    Attributes:
        system: registry name.
        data: the SynthFaces recipe of its data.
        overrides: `--set` overrides of the tiny preset that make it fast here.
        all_losses: further overrides that switch every loss term on (two-replica check).
        steps: training steps of the shared trained system (every network takes an update).
        replica_learning_rate: of the two-replica check's SGD (small where gradients are huge).
    """

    system: str
    data: SynthFacesRecipe
    overrides: tuple[str, ...] = ()
    all_losses: tuple[str, ...] = ()
    steps: int = 2
    replica_learning_rate: float = 1e-3  # SGD of the two-replica check

    def __str__(self) -> str:
        return self.system


def train_case(case: Case, data_dir: str) -> dict:
    """The case's system built and compiled as `tfface train` does, after `case.steps` steps.

    Returns {"config", "system", "batches" (the fixed batches it saw), "initial" (network
    name -> trainable weights before training), "history"}.
    """
    config = tiny_config(case.system, data_dir, *case.overrides)
    batches = fixed_batches(config, data_dir, case.steps)
    system = make_system(config)
    initial = {name: values(system.variables_of(name)) for name in system.network_names}
    history = system.fit(batches, verbose=0).history
    return {
        "config": config,
        "system": system,
        "batches": batches,
        "initial": initial,
        "history": history,
    }


def values(variables) -> list[np.ndarray]:
    return [keras.ops.convert_to_numpy(variable) for variable in variables]


def largest_change(before: list[np.ndarray], after: list[np.ndarray]) -> float:
    """The largest absolute change of any element between two lists of arrays."""
    return max(
        (float(np.abs(a - b).max()) for a, b in zip(before, after, strict=True) if a.size),
        default=0.0,
    )
