"""The differentiable 3DMM renderer: coefficients -> image, mask, depth, UV coordinates.

Yin 2022, section 4.2 (Eqs. 4.1-4.2) and section 5.3.3: the face of a coefficient
vector (`tfface.face3d.coefficients`) is built from the morphable model, posed, lit
with spherical harmonics, projected, rasterized with a z-buffer and shaded by
barycentric interpolation of vertex attributes. Rasterization gives no gradient (as in
nvdiffrast); everything after it does, so losses on the render reach the shape,
texture, pose and lighting coefficients, and vertex colours given directly.
"""

from __future__ import annotations

from typing import NamedTuple

import tensorflow as tf

from tfface.face3d.camera import pose_vertices, project
from tfface.face3d.coefficients import CoefficientLayout
from tfface.face3d.interpolate import barycentrics, interpolate
from tfface.face3d.lighting import shade, vertex_normals
from tfface.face3d.morphable_model import MorphableModel
from tfface.face3d.rasterize import rasterize


class Render(NamedTuple):
    """What the renderer returns (B batch, S image size).

    image: float32 (B, S, S, 3) colours in [0, 1] (unclipped), zeros off the face.
    mask: float32 (B, S, S, 1) 1 where the face covers the pixel (no gradient).
    depth: float32 (B, S, S, 1) the camera's depth (see `ScreenVertices.depth`), 0 off the face.
    uv_coords: float32 (B, S, S, 2) (u, v) in [0, 1] of the visible surface, 0 off the face.
    triangle_map: int32 (B, S, S) visible triangle, -1 off the face.
    weights: float32 (B, S, S, 3) perspective-correct barycentric weights.
    screen: float32 (B, V, 3) projected vertices (x, y, depth key) in pixels.
    """

    image: tf.Tensor
    mask: tf.Tensor
    depth: tf.Tensor
    uv_coords: tf.Tensor
    triangle_map: tf.Tensor
    weights: tf.Tensor
    screen: tf.Tensor


def render_mesh(
    vertices: tf.Tensor,
    colours: tf.Tensor,
    triangles: tf.Tensor,
    uv_coords: tf.Tensor,
    image_size: int,
    camera_model: str,
    camera_focal: float,
    camera_distance: float = 10.0,
    cull_backfaces: bool = False,
) -> Render:
    """Renders posed meshes with per-vertex colours.

    Args:
        vertices: float32 or float64 (B, V, 3) posed points in camera axes (x right, y up, z to camera).
        colours: float32 (B, V, 3) per-vertex colours (already lit).
        triangles: int32 (F, 3).
        uv_coords: float32 (V, 2) UV coordinates of every vertex.
        image_size, camera_*: see `tfface.face3d.camera.project`.
        cull_backfaces: see `tfface.face3d.rasterize.rasterize`.
    """
    vertices = tf.convert_to_tensor(vertices)
    if not vertices.dtype.is_floating:
        vertices = tf.cast(vertices, tf.float32)
    colours = tf.cast(colours, vertices.dtype)
    triangles = tf.convert_to_tensor(triangles, tf.int32)
    projected = project(vertices, image_size, camera_model, camera_focal, camera_distance)
    triangle_map = rasterize(
        projected.screen, triangles, image_size, image_size, cull_backfaces=cull_backfaces
    )
    weights = barycentrics(projected.screen, projected.w, triangles, triangle_map)
    batch = tf.shape(vertices)[0]
    uv = tf.broadcast_to(
        tf.cast(uv_coords, vertices.dtype)[None], [batch, tf.shape(vertices)[1], 2]
    )
    attributes = tf.concat([colours, projected.depth[..., None], uv], axis=-1)
    values = interpolate(attributes, triangles, triangle_map, weights)
    mask = tf.cast(triangle_map >= 0, vertices.dtype)[..., None]
    return Render(
        image=values[..., :3],
        mask=mask,
        depth=values[..., 3:4],
        uv_coords=values[..., 4:6],
        triangle_map=triangle_map,
        weights=weights,
        screen=projected.screen,
    )


class FaceRenderer(tf.Module):
    """Renders coefficient vectors of one morphable model (batched; works in tf.function).

    Args:
        model: the `MorphableModel`; its arrays become constants of the graph.
        cull_backfaces: skip triangles facing away from the camera (faster; the same
            image for a closed head, and no back of an open face mask at large yaws).
    """

    def __init__(self, model: MorphableModel, cull_backfaces: bool = False) -> None:
        super().__init__(name="face_renderer")
        self.model = model
        self.cull_backfaces = cull_backfaces
        self.layout = CoefficientLayout.for_model(model)
        self.mean_shape = tf.constant(model.mean_shape)  # (V, 3)
        self.identity_basis = tf.constant(model.identity_basis)  # (V, 3, K_id)
        self.expression_basis = tf.constant(model.expression_basis)  # (V, 3, K_exp)
        self.mean_texture = tf.constant(model.mean_texture)  # (V, 3) in [0, 1]
        self.texture_basis = tf.constant(model.texture_basis)  # (V, 3, K_tex)
        self.triangles = tf.constant(model.triangles)  # (F, 3)
        self.uv = tf.constant(model.uv_coords)  # (V, 2)
        self.landmark_indices = tf.constant(model.landmark_indices)  # (68,)

    def shape(self, identity: tf.Tensor, expression: tf.Tensor) -> tf.Tensor:
        """(B, K_id), (B, K_exp) -> float32 (B, V, 3) model-space vertices."""
        return (
            self.mean_shape
            + tf.einsum("vck,bk->bvc", self.identity_basis, identity)
            + tf.einsum("vck,bk->bvc", self.expression_basis, expression)
        )

    def albedo(self, texture: tf.Tensor) -> tf.Tensor:
        """(B, K_tex) -> float32 (B, V, 3) per-vertex albedo."""
        return self.mean_texture + tf.einsum("vck,bk->bvc", self.texture_basis, texture)

    def posed_vertices(self, coefficients: tf.Tensor) -> tf.Tensor:
        """(B, C) coefficients -> float32 (B, V, 3) vertices in camera axes."""
        parts = self.layout.split(tf.convert_to_tensor(coefficients, tf.float32))
        shape = self.shape(parts["identity"], parts["expression"])
        return pose_vertices(shape, parts["angles"], parts["translation"])

    def vertex_colours(self, coefficients: tf.Tensor, vertices: tf.Tensor) -> tf.Tensor:
        """Lit per-vertex colours (B, V, 3): albedo times SH shading of the posed normals."""
        parts = self.layout.split(tf.convert_to_tensor(coefficients, tf.float32))
        normals = vertex_normals(vertices, self.triangles)
        return self.albedo(parts["texture"]) * shade(normals, parts["lighting"])

    def landmarks(self, coefficients: tf.Tensor, image_size: int) -> tf.Tensor:
        """float32 (B, 68, 3) landmarks (x, y, depth key) in pixels."""
        vertices = tf.gather(self.posed_vertices(coefficients), self.landmark_indices, axis=1)
        model = self.model
        return project(
            vertices, image_size, model.camera_model, model.camera_focal, model.camera_distance
        ).screen

    def __call__(self, coefficients: tf.Tensor, image_size: int) -> Render:
        """Renders float32 (B, C) coefficients at image_size x image_size."""
        coefficients = tf.convert_to_tensor(coefficients, tf.float32)
        vertices = self.posed_vertices(coefficients)
        colours = self.vertex_colours(coefficients, vertices)
        model = self.model
        return render_mesh(
            vertices,
            colours,
            self.triangles,
            self.uv,
            image_size,
            model.camera_model,
            model.camera_focal,
            model.camera_distance,
            cull_backfaces=self.cull_backfaces,
        )
