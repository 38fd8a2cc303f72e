"""Loading the Basel Face Model 2009 as published by Deng et al. 2019 (`BFM_model_front.mat`).

Yin 2022 (sections 4.3 and 5.3.3) fits the Basel Face Model through Deng et al.'s regressor. BFM is
licensed and cannot be shipped; users who hold Deng et al.'s converted file load it here.
The layout of that file (MATLAB v5, read with `scipy.io.loadmat`), as in Deng et al.'s
public code, with N vertices:

    meanshape  (1, 3N) or (3N, 1)  mean shape, x0 y0 z0 x1 ..., decimetres (BFM um / 1e5)
    idBase     (3N, 80)            identity basis (PCA components times their std.)
    exBase     (3N, 64)            expression basis
    meantex    (1, 3N)             mean texture, RGB in [0, 255]
    texBase    (3N, 80)            texture basis, [0, 255] units
    tri        (F, 3)              triangles, 1-based
    keypoints  (1, 68)             iBUG-68 landmark vertices, 1-based
    point_buf  (N, 8)              triangles around each vertex (not needed here)

The file carries no UV layout, part labels or symmetry; they can be passed in, else a
cylindrical UV layout, all-skin labels and a nearest-mirror-vertex symmetry are derived.
The camera is Deng et al.'s: perspective, focal 1015 px at 224 px, camera at z = 10.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.io
from scipy.spatial import cKDTree

from tfface.face3d.morphable_model import MorphableModel, MorphableModelError

DENG_FOCAL = 1015.0 / 224.0
DENG_CAMERA_DISTANCE = 10.0
_REQUIRED = ("meanshape", "idBase", "exBase", "meantex", "texBase", "tri", "keypoints")


def mirror_symmetry(vertices: np.ndarray, tolerance: float | None = None) -> np.ndarray:
    """int32 (V,): the vertex nearest to each vertex's mirror image (x -> -x).

    Only mutual nearest pairs (and vertices on the mid-plane, mapped to themselves) are
    kept as pairs, so the map is an involution; other vertices map to themselves.
    """
    vertices = np.asarray(vertices, np.float64)
    mirrored = vertices * np.array([-1.0, 1.0, 1.0])
    _, nearest = cKDTree(vertices).query(mirrored)
    nearest = nearest.astype(np.int32)
    indices = np.arange(len(vertices), dtype=np.int32)
    mutual = nearest[nearest] == indices
    if tolerance is not None:
        mutual &= np.linalg.norm(vertices[nearest] - mirrored, axis=1) <= tolerance
    return np.where(mutual, nearest, indices).astype(np.int32)


def cylindrical_uv(vertices: np.ndarray) -> np.ndarray:
    """float32 (V, 2) UV layout: azimuth about the y axis -> u, height -> v (v down).

    Symmetric about u = 0.5 for a mesh symmetric about x = 0.
    """
    vertices = np.asarray(vertices, np.float64)
    azimuth = np.arctan2(vertices[:, 0], vertices[:, 2])
    limit = max(np.abs(azimuth).max(), 1e-9)
    u = 0.5 + 0.5 * azimuth / limit
    height = vertices[:, 1]
    v = (height.max() - height) / max(height.max() - height.min(), 1e-9)
    return np.clip(np.stack([u, v], axis=1), 0.0, 1.0).astype(np.float32)


def outward_triangles(vertices: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """The triangles, re-wound if needed so that they are counter-clockwise seen from the front."""
    corners = vertices[triangles]
    normals = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    if normals[:, 2].sum() < 0:
        return triangles[:, [0, 2, 1]].astype(np.int32)
    return triangles.astype(np.int32)


def load_deng_bfm(
    path: str | Path,
    uv_coords: np.ndarray | None = None,
    region_labels: np.ndarray | None = None,
    symmetry: np.ndarray | None = None,
    recentre: bool = True,
) -> MorphableModel:
    """Reads Deng et al.'s `BFM_model_front.mat` into a `MorphableModel`.

    Args:
        path: the `.mat` file.
        uv_coords: optional float (N, 2) UV layout in [0, 1]; default `cylindrical_uv`.
        region_labels: optional uint8 (N,) PORTRAIT_11 labels; default 1 (skin) everywhere.
        symmetry: optional int (N,) mirror map; default `mirror_symmetry` of the mean shape.
        recentre: subtract the mean vertex from the mean shape, as Deng et al.'s code does.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no Basel Face Model file at {path}")
    data = scipy.io.loadmat(path)
    missing = [key for key in _REQUIRED if key not in data]
    if missing:
        raise MorphableModelError(
            f"{path} is not in Deng et al.'s BFM_model_front.mat layout: missing {missing}"
        )
    mean_shape = np.asarray(data["meanshape"], np.float64).reshape(-1, 3)
    vertices = len(mean_shape)

    def basis(key: str, scale: float = 1.0) -> np.ndarray:
        value = np.asarray(data[key], np.float64)
        if value.shape[0] != 3 * vertices:
            raise MorphableModelError(
                f"{path}: {key} has shape {value.shape}, expected ({3 * vertices}, K)"
            )
        return (value.reshape(vertices, 3, -1) * scale).astype(np.float32)

    if recentre:
        mean_shape = mean_shape - mean_shape.mean(axis=0)
    mean_texture = np.asarray(data["meantex"], np.float64).reshape(-1, 3) / 255.0
    if mean_texture.shape != (vertices, 3):
        raise MorphableModelError(
            f"{path}: meantex has {mean_texture.size} values, expected {3 * vertices}"
        )
    triangles = np.asarray(data["tri"], np.int64) - 1
    keypoints = np.asarray(data["keypoints"], np.int64).reshape(-1) - 1
    if symmetry is None:
        symmetry = mirror_symmetry(mean_shape)
    return MorphableModel(
        mean_shape=mean_shape.astype(np.float32),
        identity_basis=basis("idBase"),
        expression_basis=basis("exBase"),
        mean_texture=mean_texture.astype(np.float32),
        texture_basis=basis("texBase", 1.0 / 255.0),
        triangles=outward_triangles(mean_shape, triangles),
        uv_coords=(
            cylindrical_uv(mean_shape) if uv_coords is None else np.asarray(uv_coords, np.float32)
        ),
        landmark_indices=keypoints.astype(np.int32),
        region_labels=(
            np.ones(vertices, np.uint8)
            if region_labels is None
            else np.asarray(region_labels, np.uint8)
        ),
        symmetry=np.asarray(symmetry, np.int32),
        camera_model="perspective",
        camera_focal=DENG_FOCAL,
        camera_distance=DENG_CAMERA_DISTANCE,
        name=f"Basel Face Model 2009 (Deng et al. layout) from {path.name}",
    )
