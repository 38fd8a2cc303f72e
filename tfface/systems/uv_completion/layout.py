"""The UV layout's partial crops (Yin 2022 section 4.3.2.2, summary A10) and the model file.

UV_ctr is the centre of the face (u in `centre_columns`, v in `face_rows`); UV_sd is the
left side (u in [side_start, 0.5]); the right side [0.5, 1 - side_start] mirrored is a left
side too, because the layout is mirror-symmetric about u = 0.5 (A3), so both sides share
D_sd (L1532). Real crops come from UV_gt of frontal (centre) and profile (visible side)
images; fake crops from UV_pred.
"""

from __future__ import annotations

import os
import warnings

import tensorflow as tf

from tfface.face3d import MorphableModel
from tfface.systems.morphable_data import dataset_morphable_model, load_dataset_model

BUILD_OPTIONS = "--coefficients --uv-completion"


def texel_range(window: tuple[float, float], uv_size: int) -> tuple[int, int]:
    """(first, end) texel indices of a window of fractions of the UV side."""
    first = int(round(window[0] * uv_size))
    end = max(int(round(window[1] * uv_size)), first + 1)
    return first, end


def crop_windows(model_config) -> dict[str, tuple[tuple[int, int], tuple[int, int]]]:
    """{'centre' | 'left' | 'right': ((row0, row1), (column0, column1))} in texels."""
    size = model_config.uv_size
    rows = texel_range(model_config.face_rows, size)
    half = size // 2
    left = texel_range((model_config.side_start, 0.5), size)
    left = (left[0], half)
    return {
        "centre": (rows, texel_range(model_config.centre_columns, size)),
        "left": (rows, left),
        "right": (rows, (size - left[1], size - left[0])),
    }


def crop(uv_maps: tf.Tensor, window: tuple[tuple[int, int], tuple[int, int]]) -> tf.Tensor:
    """(B, U, U, C) -> (B, rows, columns, C)."""
    (row0, row1), (column0, column1) = window
    return uv_maps[:, row0:row1, column0:column1]


def partial_crops(uv_maps: tf.Tensor, model_config) -> dict[str, tf.Tensor]:
    """{'centre': (B, h, wc, C), 'left': (B, h, ws, C), 'right': the right side MIRRORED
    onto the left, (B, h, ws, C)}."""
    windows = crop_windows(model_config)
    return {
        "centre": crop(uv_maps, windows["centre"]),
        "left": crop(uv_maps, windows["left"]),
        "right": tf.reverse(crop(uv_maps, windows["right"]), axis=[2]),
    }


def morphable_model_path(config) -> str:
    """model.morphable_model, else the dataset's morphable_model.npz (ValueError: neither)."""
    return dataset_morphable_model(config, "uv_completion", BUILD_OPTIONS)


def load_model(path: str) -> MorphableModel:
    """The morphable model at `path`, read once per process and file version."""
    return load_dataset_model(path, "uv_completion", BUILD_OPTIONS)


def optional_identity_network(path: str):
    """The frozen face embedding at `path` for L_id; None when `path` is "" or missing (a
    warning: inference and export need none, `prepare_training` loads it or fails)."""
    from tfface.weights.identity_network import load_identity_network

    if path and not os.path.exists(path):
        warnings.warn(
            f"uv_completion: identity model {path} not found; built without it", stacklevel=2
        )
        return None
    return load_identity_network(path) if path else None
