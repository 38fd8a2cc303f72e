"""The morphable model of a face_reconstruction run: where it is, loading it, checking data.

The coefficients a dataset carries belong to one morphable model, and the model TRAVELS
WITH THE DATASET: `pipelines/synthfaces.py --coefficients` writes it as
`<output>/morphable_model.npz`. `model.morphable_model` names another file ("" = the one
in `data.data_dir`). The regressor's output size is the model's coefficient count, and the
data recipe checks that the dataset's vectors have exactly that length.
"""

from __future__ import annotations

from tfface.face3d import MorphableModel
from tfface.systems.morphable_data import (
    MORPHABLE_MODEL_FILE,
    coefficient_count,
    dataset_morphable_model,
    load_dataset_model,
)

__all__ = ["MORPHABLE_MODEL_FILE", "coefficient_count", "load_model", "morphable_model_path"]
BUILD_OPTIONS = "--coefficients"


def morphable_model_path(config) -> str:
    """The model file of a `FaceReconstructionConfig` (`morphable_data.dataset_morphable_model`)."""
    return dataset_morphable_model(config, "face_reconstruction", BUILD_OPTIONS)


def load_model(path: str) -> MorphableModel:
    """The morphable model at `path`, loaded once per process and file version."""
    return load_dataset_model(path, "face_reconstruction", BUILD_OPTIONS)
