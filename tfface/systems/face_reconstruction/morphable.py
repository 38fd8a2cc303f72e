"""The morphable model of a face_reconstruction run: where it is, loading it, checking data.

The coefficients a dataset carries belong to one morphable model, and the model TRAVELS
WITH THE DATASET: `pipelines/synthfaces.py --coefficients` writes it as
`<output>/morphable_model.npz`. `model.morphable_model` names another file ("" = the one
in `data.data_dir`). The regressor's output size is the model's coefficient count, and the
data recipe checks that the dataset's vectors have exactly that length.
"""

from __future__ import annotations

import functools
import os

from tfface.face3d import MorphableModel, load_morphable_model
from tfface.face3d.coefficients import CoefficientLayout

MORPHABLE_MODEL_FILE = "morphable_model.npz"  # as pipelines/synthfaces.py writes it


def morphable_model_path(config) -> str:
    """The model file of a `FaceReconstructionConfig`: model.morphable_model, or the
    dataset's `morphable_model.npz`.

    Raises:
        ValueError: neither is set.
    """
    if config.model.morphable_model:
        return config.model.morphable_model
    if not config.data.data_dir:
        raise ValueError(
            "face_reconstruction needs a morphable model: set model.morphable_model, or "
            "data.data_dir to a dataset built with `tfface data build synthfaces ... "
            "--coefficients` (which writes morphable_model.npz)"
        )
    return os.path.join(config.data.data_dir, MORPHABLE_MODEL_FILE)


@functools.cache
def _load(path: str, modified: float) -> MorphableModel:
    return load_morphable_model(path)


def load_model(path: str) -> MorphableModel:
    """The morphable model at `path` (loaded once per process and file version).

    Raises:
        FileNotFoundError: no file there (with how to make one).
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"face_reconstruction: no morphable model at {path}; build the data with "
            "`tfface data build synthfaces ... --coefficients` (it writes morphable_model.npz) "
            "or set model.morphable_model"
        )
    return _load(os.path.abspath(path), os.path.getmtime(path))


def coefficient_count(model: MorphableModel) -> int:
    """Length of the model's coefficient vector (257 for Deng et al.'s BFM layout)."""
    return CoefficientLayout.for_model(model).size
