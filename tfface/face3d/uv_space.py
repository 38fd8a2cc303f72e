"""Moving colours between image space and UV space, differentiably (Yin 2022, section 4.3).

`image_to_uv` is the "traditional method" of Fig. 4.2 (section 4.3.1): the visible surface
of an image is unwrapped into the UV layout, giving the incomplete UV map UV_gt and its
sampling map S_gt (a UV position map as in PRNet: for every texel, the normalised (x, y)
of the image point it comes from). The image's pixel grid, placed at every pixel's UV
coordinates, is rasterized into UV space: each texel inside a triangle of three visible,
neighbouring pixels gets the interpolated image position, and its colour is sampled there.

`uv_to_image` is the per-pixel texture lookup of a render (the renderer of section 4.2 with
colours looked up per pixel): the image of a UV texture seen through a render's UV coordinates.

Texel convention (SynthFaces, `tfface.synth.texture`): texel [row, column] sits at
v = row / (U - 1), u = column / (U - 1) (align corners).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from tfface.face3d.interpolate import barycentrics, interpolate
from tfface.face3d.rasterize import rasterize
from tfface.geometry.mesh import grid_faces
from tfface.ops import grid_sample

_OFFSCREEN = -1.0e6


def uv_sampling_map(
    uv_coords: tf.Tensor, visibility: tf.Tensor, uv_size: int, max_stretch: float = 6.0
) -> tuple[tf.Tensor, tf.Tensor]:
    """The sampling map S_gt of Fig. 4.2: for every texel, where in the image it is seen.

    Args:
        uv_coords: float32 (B, H, W, 2) (u, v) in [0, 1] of every pixel; H and W must be
            known when the graph is built (static shapes).
        visibility: (B, H, W) or (B, H, W, 1), nonzero where the surface is visible.
        uv_size: side U of the UV map.
        max_stretch: a triangle of neighbouring pixels whose UV edges are longer than this
            many texels spans a fold or an occlusion boundary and is dropped.

    Returns:
        sampling_map: float32 (B, U, U, 2) normalised image (x, y) in [-1, 1] (align
            corners), 0 where invalid; differentiable with respect to `uv_coords`.
        valid: float32 (B, U, U, 1) 1 on texels seen in the image.
    """
    uv_coords = tf.convert_to_tensor(uv_coords, tf.float32)
    visibility = tf.convert_to_tensor(visibility)
    if visibility.shape.rank == 4:
        visibility = visibility[..., 0]
    visible = tf.cast(visibility, tf.bool) if visibility.dtype == tf.bool else visibility > 0.5
    batch = tf.shape(uv_coords)[0]
    height, width = uv_coords.shape[1], uv_coords.shape[2]
    faces = tf.constant(grid_faces(height, width))  # (F, 3) over the pixel grid
    texel_position = tf.reshape(uv_coords * (uv_size - 1.0), [batch, height * width, 2])
    corner_position = tf.gather(texel_position, faces, axis=1)  # (B, F, 3, 2)
    corner_visible = tf.gather(tf.reshape(visible, [batch, -1]), faces, axis=1)  # (B, F, 3)
    edges = corner_position - tf.roll(corner_position, 1, axis=2)
    stretch = tf.reduce_max(tf.reduce_max(tf.abs(edges), axis=-1), axis=-1)  # (B, F) texels
    keep = tf.reduce_all(corner_visible, axis=-1) & (stretch <= max_stretch)
    corner_position = tf.where(keep[..., None, None], corner_position, _OFFSCREEN)
    screen = tf.concat(
        [tf.reshape(corner_position, [batch, -1, 2]), tf.zeros([batch, tf.size(faces), 1])],
        axis=-1,
    )  # (B, 3F, 3): every triangle its own three vertices
    separate = tf.reshape(tf.range(tf.size(faces)), [-1, 3])
    triangle_map = rasterize(screen, separate, uv_size, uv_size)
    weights = barycentrics(screen, tf.ones(tf.shape(screen)[:2]), separate, triangle_map)
    rows, columns = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
    pixel_grid = (
        np.stack(
            [2.0 * columns / max(width - 1, 1) - 1.0, 2.0 * rows / max(height - 1, 1) - 1.0], -1
        )
        .reshape(-1, 2)[grid_faces(height, width)]
        .reshape(-1, 2)
    )  # (3F, 2) normalised (x, y)
    attributes = tf.broadcast_to(
        tf.constant(pixel_grid, tf.float32)[None], [batch, tf.size(faces), 2]
    )
    sampling_map = interpolate(attributes, separate, triangle_map, weights)
    valid = tf.cast(triangle_map >= 0, tf.float32)[..., None]
    return sampling_map, valid


def image_to_uv(
    image: tf.Tensor,
    uv_coords: tf.Tensor,
    visibility: tf.Tensor,
    uv_size: int | None = None,
    max_stretch: float = 6.0,
) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """The incomplete UV map UV_gt of an image (Fig. 4.2), differentiable.

    Args:
        image: float32 (B, H, W, C).
        uv_coords, visibility, max_stretch: see `uv_sampling_map`.
        uv_size: side of the UV map (default: the image height).

    Returns:
        uv_map: float32 (B, U, U, C) colours of the visible texels, 0 elsewhere;
            differentiable with respect to the image and the UV coordinates.
        sampling_map: float32 (B, U, U, 2) S_gt, normalised image (x, y).
        valid: float32 (B, U, U, 1).
    """
    image = tf.convert_to_tensor(image, tf.float32)
    uv_size = int(uv_size or image.shape[1])
    sampling_map, valid = uv_sampling_map(uv_coords, visibility, uv_size, max_stretch)
    uv_map = grid_sample(image, sampling_map) * valid
    return uv_map, sampling_map, valid


def uv_to_image(uv_texture: tf.Tensor, render) -> tf.Tensor:
    """The render's image of a UV texture: texture looked up at every pixel's UV coordinates.

    Args:
        uv_texture: float32 (B, U, U, C).
        render: a `tfface.face3d.Render`, or any object with `uv_coords` float32
            (B, H, W, 2) and `mask` float32 (B, H, W, 1).

    Returns:
        float32 (B, H, W, C), 0 off the mask; differentiable with respect to the texture
        and the UV coordinates.
    """
    uv_coords = tf.convert_to_tensor(render.uv_coords, tf.float32)
    grid = 2.0 * uv_coords - 1.0  # (B, H, W, 2) (u, v) -> normalised (x, y)
    sampled = grid_sample(tf.convert_to_tensor(uv_texture, tf.float32), grid, padding="border")
    return sampled * tf.cast(render.mask, tf.float32)
