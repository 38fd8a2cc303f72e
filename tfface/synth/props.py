"""Props: rigid or draped objects with per-vertex colours (glasses and the occluders' parts).

A `Prop` is a mesh plus per-vertex albedo (sRGB and near-infrared) and a
shininess. Builders here make the generic shapes: rings, discs, strips,
capsules, spheres, flat silhouettes and cloth draped over the head.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from tfface.geometry.mesh import Mesh, grid_mesh, merge_meshes


@dataclass(frozen=True)
class Prop:
    """A coloured mesh.

    Attributes:
        mesh: the geometry in head model coordinates.
        albedo: float32 (V, 3) sRGB albedo in [0, 1].
        nir: float32 (V,) near-infrared albedo in [0, 1].
        shininess: specular strength (0 matte .. 1 glossy).
    """

    mesh: Mesh
    albedo: np.ndarray
    nir: np.ndarray
    shininess: float = 0.1


def coloured(
    mesh: Mesh, albedo: np.ndarray | tuple, nir: float | np.ndarray, shininess: float = 0.1
) -> Prop:
    """A prop of one colour (or per-vertex colours) over `mesh`."""
    count = len(mesh.vertices)
    albedo = np.broadcast_to(np.asarray(albedo, dtype=np.float32), (count, 3)).copy()
    nir = np.broadcast_to(np.asarray(nir, dtype=np.float32), (count,)).copy()
    return Prop(mesh, np.clip(albedo, 0, 1), np.clip(nir, 0, 1), shininess)


def merge_props(props: list[Prop]) -> Prop:
    """One prop from several (the shininess of the first)."""
    mesh, _ = merge_meshes([prop.mesh for prop in props])
    return Prop(
        mesh,
        np.concatenate([prop.albedo for prop in props]),
        np.concatenate([prop.nir for prop in props]),
        props[0].shininess,
    )


def _facing(points: np.ndarray, normal: tuple[float, float, float]) -> Mesh:
    grid = np.zeros(points.shape[:2] + (2,), dtype=np.float32)
    normals = np.broadcast_to(np.asarray(normal, dtype=np.float32), points.shape).copy()
    return grid_mesh(points, grid, normals)


def ring(
    centre: np.ndarray, radius_x: float, radius_y: float, width: float, segments: int = 48
) -> Mesh:
    """Elliptical annulus (inner radii given, `width` thick) in the plane z = centre z."""
    angle = np.linspace(0.0, 2 * np.pi, segments + 1)[None, :]
    radii_x = np.array([[radius_x + width], [radius_x]])
    radii_y = np.array([[radius_y + width], [radius_y]])
    x = centre[0] + radii_x * np.cos(angle)
    y = centre[1] + radii_y * np.sin(angle)
    return _facing(np.stack([x, y, np.full_like(x, centre[2])], axis=-1), (0.0, 0.0, 1.0))


def disc(
    centre: np.ndarray,
    radius_x: float,
    radius_y: float,
    bulge: float = 0.0,
    rings: int = 8,
    segments: int = 48,
) -> Mesh:
    """Filled ellipse facing the camera, optionally bulging towards it."""
    radial = np.linspace(0.0, 1.0, rings)[:, None]
    angle = np.linspace(0.0, 2 * np.pi, segments + 1)[None, :]
    x = centre[0] + radius_x * radial * np.cos(angle)
    y = centre[1] + radius_y * radial * np.sin(angle)
    z = centre[2] + bulge * (1.0 - radial**2) + 0.0 * angle
    points = np.stack([x, y, z], axis=-1)
    normals = np.zeros_like(points)
    normals[..., 2] = 1.0
    return grid_mesh(points, np.zeros(points.shape[:2] + (2,)), normals)


def strip(
    start: np.ndarray, end: np.ndarray, height: float, normal: tuple[float, float, float]
) -> Mesh:
    """A thin vertical band from `start` to `end` (both (3,))."""
    t = np.linspace(0.0, 1.0, 8)[None, :, None]
    line = start[None, None, :] * (1 - t) + end[None, None, :] * t
    offsets = np.array([0.5 * height, -0.5 * height])[:, None, None] * np.array([0.0, 1.0, 0.0])
    return _facing(line + offsets, normal)


def capsule_points(
    centre: np.ndarray,
    axis: np.ndarray,
    length: float,
    radius: float,
    rows: int = 16,
    columns: int = 24,
) -> np.ndarray:
    """Surface points (rows, columns, 3) of a capsule around `axis` through `centre`."""
    axis = np.asarray(axis, dtype=np.float64) / np.linalg.norm(axis)
    helper = np.array([0.0, 0.0, 1.0]) if abs(axis[2]) < 0.9 else np.array([1.0, 0.0, 0.0])
    side = np.cross(axis, helper)
    side /= np.linalg.norm(side)
    up = np.cross(side, axis)
    s = np.linspace(-1.0, 1.0, rows)[:, None]
    angle = np.linspace(0.0, 2 * np.pi, columns)[None, :]
    along = s * (0.5 * length + radius)
    cap = np.clip(np.abs(along) - 0.5 * length, 0.0, radius)
    ring_radius = np.sqrt(np.maximum(radius**2 - cap**2, 0.0))
    return (
        centre
        + along[..., None] * axis
        + (ring_radius * np.cos(angle))[..., None] * side
        + (ring_radius * np.sin(angle))[..., None] * up
    )


def closed_surface(points: np.ndarray, coordinates: np.ndarray | None = None) -> Mesh:
    """Mesh of a closed grid surface whose normals point away from its centroid."""
    mesh = grid_mesh(
        points, np.zeros(points.shape[:2] + (2,)) if coordinates is None else coordinates
    )
    centroid = points.reshape(-1, 3).mean(axis=0)
    outward = np.sum((mesh.vertices - centroid) * mesh.normals, axis=1) < 0
    normals = mesh.normals.copy()
    normals[outward] *= -1
    return Mesh(mesh.vertices, mesh.faces, normals, mesh.coordinates)


def silhouette(inside: np.ndarray, points: np.ndarray) -> Mesh:
    """A grid mesh (points (R, C, 3)) keeping only the cells whose centre is `inside` (R-1, C-1)."""
    mesh = grid_mesh(points, np.zeros(points.shape[:2] + (2,)))
    cells = inside.ravel()
    keep = np.concatenate([cells, cells])  # grid_faces lists the first triangles, then the second
    return Mesh(mesh.vertices, mesh.faces[keep], mesh.normals, mesh.coordinates)


def drape(
    points: np.ndarray, thickness: float, smoothing: float = 2.5
) -> tuple[np.ndarray, np.ndarray]:
    """Cloth resting on a surface grid (R, C, 3): smooth, never inside it.

    The radial distance from the head centre is dilated by a maximum filter
    (so peaks such as the nose keep their height), smoothed, and offset by
    `thickness`; the directions are smoothed too. Returns (points, normals).
    """
    radius = np.linalg.norm(points, axis=-1)
    size = 2 * int(np.ceil(2 * smoothing)) + 1
    lifted = ndimage.gaussian_filter(
        ndimage.maximum_filter(radius, size=size, mode="nearest"), smoothing, mode="nearest"
    )
    directions = ndimage.gaussian_filter(points, (smoothing, smoothing, 0), mode="nearest")
    directions /= np.linalg.norm(directions, axis=-1, keepdims=True)
    draped = directions * (lifted + thickness)[..., None]
    mesh = grid_mesh(draped, np.zeros(points.shape[:2] + (2,)))
    return draped, mesh.normals.reshape(points.shape)
