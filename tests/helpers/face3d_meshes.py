"""Small test meshes for the face3d tests."""

from __future__ import annotations

import numpy as np

from tfface.geometry.mesh import Mesh, grid_mesh


def bumpy_sphere(rows: int = 14, columns: int = 18, seed: int = 0) -> Mesh:
    """A closed-ish bumpy ellipsoid (front hemisphere and sides), UVs in [0, 1]."""
    rng = np.random.default_rng(seed)
    u = np.linspace(0.0, 1.0, columns)
    v = np.linspace(0.0, 1.0, rows)
    uu, vv = np.meshgrid(u, v)
    theta = (uu - 0.5) * 2.6
    phi = (0.5 - vv) * 2.6
    radius = 1.0 + 0.08 * rng.standard_normal(uu.shape)
    points = np.stack(
        [
            radius * np.cos(phi) * np.sin(theta) * 0.8,
            radius * np.sin(phi),
            radius * np.cos(phi) * np.cos(theta) * 0.9,
        ],
        axis=-1,
    )
    return grid_mesh(points, np.stack([uu, vv], axis=-1))


def tiny_morphable_model(camera_model: str = "perspective", seed: int = 0):
    """A small random `MorphableModel` on `bumpy_sphere` (3 identity, 2 expression, 4 texture)."""
    from tfface.face3d.bfm import mirror_symmetry
    from tfface.face3d.morphable_model import MorphableModel

    rng = np.random.default_rng(seed)
    mesh = bumpy_sphere(10, 12, seed=seed)
    vertices = len(mesh.vertices)
    return MorphableModel(
        mean_shape=mesh.vertices,
        identity_basis=(0.02 * rng.standard_normal((vertices, 3, 3))).astype(np.float32),
        expression_basis=(0.02 * rng.standard_normal((vertices, 3, 2))).astype(np.float32),
        mean_texture=rng.uniform(0.3, 0.7, (vertices, 3)).astype(np.float32),
        texture_basis=(0.05 * rng.standard_normal((vertices, 3, 4))).astype(np.float32),
        triangles=mesh.faces,
        uv_coords=mesh.coordinates,
        landmark_indices=rng.integers(0, vertices, 68).astype(np.int32),
        region_labels=rng.integers(0, 11, vertices).astype(np.uint8),
        symmetry=mirror_symmetry(mesh.vertices),
        camera_model=camera_model,
        camera_focal=0.4 if camera_model == "orthographic" else 2.0,
        camera_distance=6.0,
        name="tiny test model",
    )
