"""Triangle meshes built from regular parameter grids, and their normals."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Mesh:
    """A triangle mesh in model coordinates.

    Attributes:
        vertices: float32 (V, 3) positions (x right, y up, z towards the camera).
        faces: int32 (F, 3) vertex indices, counter-clockwise seen from outside.
        normals: float32 (V, 3) unit vertex normals, pointing outwards.
        coordinates: float32 (V, 2) the surface parameters of every vertex
            (what they mean is up to the builder: UV for the head, (theta, length)
            for hair, ...).
    """

    vertices: np.ndarray
    faces: np.ndarray
    normals: np.ndarray
    coordinates: np.ndarray

    def transformed(self, rotation: np.ndarray, translation: np.ndarray | None = None) -> Mesh:
        """Returns the mesh rotated by `rotation` (3, 3) then translated."""
        vertices = self.vertices @ rotation.T
        if translation is not None:
            vertices = vertices + translation
        return Mesh(
            vertices.astype(np.float32),
            self.faces,
            (self.normals @ rotation.T).astype(np.float32),
            self.coordinates,
        )


def grid_faces(rows: int, columns: int) -> np.ndarray:
    """Faces of a (rows x columns) vertex grid, two triangles per cell.

    Vertex (i, j) has index i * columns + j. With rows running "down" the
    surface and columns running "right" (as seen from outside), the triangles
    are counter-clockwise when seen from outside.
    """
    if rows < 2 or columns < 2:
        raise ValueError(f"a grid mesh needs at least 2 x 2 vertices, got {rows} x {columns}")
    i, j = np.meshgrid(np.arange(rows - 1), np.arange(columns - 1), indexing="ij")
    top_left = (i * columns + j).ravel()
    top_right = top_left + 1
    bottom_left = top_left + columns
    bottom_right = bottom_left + 1
    first = np.stack([top_left, bottom_left, top_right], axis=1)
    second = np.stack([top_right, bottom_left, bottom_right], axis=1)
    return np.concatenate([first, second]).astype(np.int32)


def grid_normals(points: np.ndarray) -> np.ndarray:
    """Unit normals of a parametric surface sampled on a grid.

    Args:
        points: float (R, C, 3) surface points; rows run down the surface and
            columns run right as seen from outside.

    Returns:
        float32 (R, C, 3) unit normals pointing outwards (d/dcolumn x d/drow
        with rows going down gives the outward direction for such a layout).
    """
    d_row = np.gradient(points, axis=0)
    d_column = np.gradient(points, axis=1)
    normals = np.cross(d_row, d_column)
    length = np.linalg.norm(normals, axis=-1, keepdims=True)
    return (normals / np.maximum(length, 1e-12)).astype(np.float32)


def grid_mesh(
    points: np.ndarray, coordinates: np.ndarray, normals: np.ndarray | None = None
) -> Mesh:
    """Builds a `Mesh` from a grid of points (R, C, 3) and parameters (R, C, 2)."""
    rows, columns = points.shape[:2]
    if normals is None:
        normals = grid_normals(points)
    return Mesh(
        vertices=points.reshape(-1, 3).astype(np.float32),
        faces=grid_faces(rows, columns),
        normals=normals.reshape(-1, 3).astype(np.float32),
        coordinates=coordinates.reshape(-1, 2).astype(np.float32),
    )


def merge_meshes(meshes: list[Mesh]) -> tuple[Mesh, np.ndarray]:
    """Concatenates meshes; returns the merged mesh and the object index per face."""
    vertices, faces, normals, coordinates, owners = [], [], [], [], []
    offset = 0
    for index, mesh in enumerate(meshes):
        vertices.append(mesh.vertices)
        faces.append(mesh.faces + offset)
        normals.append(mesh.normals)
        coordinates.append(mesh.coordinates)
        owners.append(np.full(len(mesh.faces), index, dtype=np.int32))
        offset += len(mesh.vertices)
    merged = Mesh(
        np.concatenate(vertices),
        np.concatenate(faces).astype(np.int32),
        np.concatenate(normals),
        np.concatenate(coordinates),
    )
    return merged, np.concatenate(owners)
