"""The morphable model that travels with a dataset of 3DMM coefficients, for every system
that reads them (face_reconstruction, uv_completion, deocclusion, pose_editing's real-data
landmarks).

The coefficients a dataset carries belong to one morphable model: `pipelines/synthfaces.py
--coefficients` (and the `uv_fits` job) write it as `<output>/morphable_model.npz`, and
`model.morphable_model` names another file ("" = the one in `data.data_dir`).
"""

from __future__ import annotations

import functools
import os

from tfface.face3d import MorphableModel, load_morphable_model
from tfface.face3d.coefficients import CoefficientLayout
from tfface.face3d.morphable_model import MORPHABLE_MODEL_FILE

__all__ = [
    "MORPHABLE_MODEL_FILE",
    "coefficient_count",
    "dataset_morphable_model",
    "load_dataset_model",
]


def dataset_morphable_model(config, system: str, build_options: str) -> str:
    """model.morphable_model, else the dataset's `morphable_model.npz`.

    Args:
        config: a system config with `model.morphable_model` and `data.data_dir`.
        system: the system's name, for the message.
        build_options: the synthfaces options that write the model, for the message.

    Raises:
        ValueError: neither is set.
    """
    if config.model.morphable_model:
        return config.model.morphable_model
    if not config.data.data_dir:
        raise ValueError(
            f"{system} needs the morphable model of the data's coefficients: set "
            "model.morphable_model, or data.data_dir to a dataset built with `tfface data "
            f"build synthfaces ... {build_options}` (which writes {MORPHABLE_MODEL_FILE})"
        )
    return os.path.join(config.data.data_dir, MORPHABLE_MODEL_FILE)


@functools.lru_cache(maxsize=8)
def _model_version(path: str, modified: float) -> MorphableModel:
    return load_morphable_model(path)


def load_dataset_model(path: str, system: str, build_options: str) -> MorphableModel:
    """The morphable model at `path`, read once per process and file version.

    Raises:
        ValueError: `path` is empty.
        FileNotFoundError: no file there (with how to make one).
    """
    if not path:
        raise ValueError(
            f"{system}: model.morphable_model is empty; build the system with "
            "`create(config)` (it takes the dataset's model) or set it"
        )
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"{system}: no morphable model at {path!r}; build the data with `tfface data build "
            f"synthfaces ... {build_options}` (it writes {MORPHABLE_MODEL_FILE}) or set "
            "model.morphable_model"
        )
    return _model_version(os.path.abspath(path), os.path.getmtime(path))


def coefficient_count(model: MorphableModel) -> int:
    """Length of the model's coefficient vector (257 for Deng et al.'s BFM layout)."""
    return CoefficientLayout.for_model(model).size
