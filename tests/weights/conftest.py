"""Fixtures for the weights tests: an isolated environment and a legacy-H5 weight writer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import h5py
import keras
import numpy as np
import pytest


@pytest.fixture
def isolated_weight_locations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Empty TFFACE_WEIGHTS_DIR and KERAS_HOME under tmp_path (never the real ~/.keras)."""
    weights_dir = tmp_path / "tfface_weights"
    keras_home = tmp_path / "keras_home"
    weights_dir.mkdir()
    monkeypatch.setenv("TFFACE_WEIGHTS_DIR", str(weights_dir))
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    return {"weights_dir": weights_dir, "cache_dir": keras_home / "models"}


def write_legacy_h5_weights(model: keras.Model, path: Path) -> list[np.ndarray]:
    """Writes ``model``'s weights in the keras.applications (Keras 2 legacy H5) layout.

    Root attribute ``layer_names``; one group per layer with attribute ``weight_names``
    and one dataset per weight. Returns the weight arrays in file order.
    """
    written = []
    with h5py.File(path, "w") as file:
        file.attrs["layer_names"] = [layer.name.encode("utf8") for layer in model.layers]
        file.attrs["backend"] = b"tensorflow"
        file.attrs["keras_version"] = b"2.2.4"
        for layer in model.layers:
            group = file.create_group(layer.name)
            names = [f"{layer.name}/{weight.name}:0".encode() for weight in layer.weights]
            group.attrs["weight_names"] = names
            for name, weight in zip(names, layer.weights, strict=True):
                value = np.asarray(weight.numpy())
                group.create_dataset(name.decode("utf8"), data=value)
                written.append(value)
    return written


@pytest.fixture
def legacy_h5_writer() -> Callable[[keras.Model, Path], list[np.ndarray]]:
    return write_legacy_h5_weights
