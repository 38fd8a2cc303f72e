"""Geometry: cameras, the z-buffer rasterizer and grid meshes."""

from tfface.geometry.camera import OrthographicCamera, rotation_matrix
from tfface.geometry.mesh import Mesh, grid_faces, grid_mesh, grid_normals, merge_meshes
from tfface.geometry.rasterizer import Fragments, interpolate, rasterize

__all__ = [
    "Fragments",
    "Mesh",
    "OrthographicCamera",
    "grid_faces",
    "grid_mesh",
    "grid_normals",
    "interpolate",
    "merge_meshes",
    "rasterize",
    "rotation_matrix",
]
