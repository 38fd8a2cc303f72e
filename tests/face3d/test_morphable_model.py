"""The morphable model format: round trip, validation errors, the Deng et al. BFM layout."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import scipy.io

from tests.helpers.face3d_meshes import tiny_morphable_model
from tfface.face3d.bfm import load_deng_bfm
from tfface.face3d.coefficients import CoefficientLayout
from tfface.face3d.morphable_model import (
    FORMAT_VERSION,
    MorphableModel,
    MorphableModelError,
    load_morphable_model,
    save_morphable_model,
)


def test_save_and_load_round_trip(tmp_path) -> None:
    model = tiny_morphable_model()
    path = save_morphable_model(model, tmp_path / "head.npz")
    loaded = load_morphable_model(path)
    for field in dataclasses.fields(MorphableModel):
        original, restored = getattr(model, field.name), getattr(loaded, field.name)
        if isinstance(original, np.ndarray):
            assert restored.dtype == original.dtype, field.name
            np.testing.assert_array_equal(restored, original)
        else:
            assert restored == original, field.name
    assert CoefficientLayout.for_model(loaded).size == 3 + 2 + 4 + 3 + 27 + 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"mean_shape": np.zeros((5, 2), np.float32)}, "'mean_shape': must have shape"),
        ({"identity_basis": np.zeros((3, 3, 1), np.float32)}, "'identity_basis': must have shape"),
        ({"triangles": np.array([[0, 1, 10_000]], np.int32)}, "'triangles': vertex indices"),
        ({"landmark_indices": np.zeros(5, np.int32)}, "'landmark_indices': must have shape (68,)"),
        ({"region_labels": None}, "'region_labels': must be a NumPy array"),
        ({"camera_model": "fisheye"}, "'camera_model'"),
        ({"mean_texture": None}, "'mean_texture'"),
    ],
)
def test_validation_names_the_bad_field(change: dict, message: str) -> None:
    model = tiny_morphable_model()
    if change.get("region_labels", 0) is None:
        change = {"region_labels": [1, 2]}
    if change.get("mean_texture", 0) is None:
        change = {"mean_texture": model.mean_texture.astype(np.float64)}
    with pytest.raises(MorphableModelError, match=message.replace("(", r"\(").replace(")", r"\)")):
        dataclasses.replace(model, **change)


def test_symmetry_must_be_an_involution() -> None:
    model = tiny_morphable_model()
    symmetry = model.symmetry.copy()
    symmetry[0] = 1 if symmetry[1] != 0 else 2
    with pytest.raises(MorphableModelError, match="involution"):
        dataclasses.replace(model, symmetry=symmetry)


def test_loader_rejects_other_files_and_versions(tmp_path) -> None:
    np.savez(tmp_path / "other.npz", mean_shape=np.zeros((3, 3)))
    with pytest.raises(MorphableModelError, match="not a tfface-morphable-model file"):
        load_morphable_model(tmp_path / "other.npz")
    path = save_morphable_model(tiny_morphable_model(), tmp_path / "head.npz")
    with np.load(path) as data:
        contents = dict(data)
    contents["version"] = np.array(FORMAT_VERSION + 1)
    np.savez(tmp_path / "future.npz", **contents)
    with pytest.raises(MorphableModelError, match="format version 2"):
        load_morphable_model(tmp_path / "future.npz")
    del contents["symmetry"]
    contents["version"] = np.array(FORMAT_VERSION)
    np.savez(tmp_path / "partial.npz", **contents)
    with pytest.raises(MorphableModelError, match="symmetry"):
        load_morphable_model(tmp_path / "partial.npz")
    with pytest.raises(FileNotFoundError):
        load_morphable_model(tmp_path / "missing.npz")


def _write_deng_file(path, vertices: np.ndarray, triangles: np.ndarray) -> dict:
    """A tiny file in Deng et al.'s BFM_model_front.mat layout (1-based, flat x y z, 0-255)."""
    rng = np.random.default_rng(0)
    count = len(vertices)
    contents = {
        "meanshape": (vertices + np.array([0.1, 0.2, 0.3])).reshape(1, -1),
        "idBase": rng.standard_normal((3 * count, 80)) * 0.01,
        "exBase": rng.standard_normal((3 * count, 64)).astype(np.float32) * 0.01,
        "meantex": rng.uniform(0, 255, (1, 3 * count)),
        "texBase": rng.standard_normal((3 * count, 80)) * 10.0,
        "tri": (triangles + 1).astype(np.float64),
        "keypoints": (np.arange(68) % count + 1).reshape(1, 68).astype(np.float64),
        "point_buf": np.ones((count, 8)),
    }
    scipy.io.savemat(path, contents)
    return contents


def test_deng_layout_loads_with_units_indices_and_winding(tmp_path) -> None:
    reference = tiny_morphable_model()
    clockwise = reference.triangles[:, [0, 2, 1]]  # as seen from the front
    contents = _write_deng_file(tmp_path / "BFM_model_front.mat", reference.mean_shape, clockwise)
    model = load_deng_bfm(tmp_path / "BFM_model_front.mat")
    assert (model.num_identity, model.num_expression, model.num_texture) == (80, 64, 80)
    assert CoefficientLayout.for_model(model).size == 257
    np.testing.assert_allclose(model.mean_shape.mean(axis=0), 0.0, atol=1e-6)
    np.testing.assert_allclose(
        model.mean_shape, reference.mean_shape - reference.mean_shape.mean(axis=0), atol=1e-6
    )
    flat_index = 3 * 5 + 1  # vertex 5, y
    np.testing.assert_allclose(
        model.identity_basis[5, 1], contents["idBase"][flat_index], rtol=1e-6
    )
    np.testing.assert_allclose(
        model.mean_texture[5, 1] * 255.0, contents["meantex"][0, flat_index], rtol=1e-6
    )
    np.testing.assert_allclose(
        model.texture_basis[5, 1] * 255.0, contents["texBase"][flat_index], rtol=1e-5
    )
    np.testing.assert_array_equal(model.landmark_indices, np.arange(68) % len(reference.mean_shape))
    np.testing.assert_array_equal(model.triangles, reference.triangles)  # re-wound outwards
    assert model.camera_model == "perspective" and model.camera_focal == pytest.approx(1015 / 224)
    assert np.all(model.symmetry[model.symmetry] == np.arange(len(model.symmetry)))
    assert model.uv_coords.min() >= 0.0 and model.uv_coords.max() <= 1.0


def test_deng_loader_names_missing_arrays(tmp_path) -> None:
    scipy.io.savemat(tmp_path / "bad.mat", {"meanshape": np.zeros((1, 9))})
    with pytest.raises(MorphableModelError, match="missing.*idBase"):
        load_deng_bfm(tmp_path / "bad.mat")
