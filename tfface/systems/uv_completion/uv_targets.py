"""The per-image targets of uv_completion (Yin 2022 sections 4.3.1 and 4.3.2.1).

Shared by the Beam job (`pipelines/synthfaces.py --uv-completion`, which stores UV_bl) and
the data recipe (`data.py`, which recomputes UV_gt, S_gt and the real partial crops from
the stored image, UV coordinates and face mask with the same function, so the stored
UV_bl and the recomputed UV_gt agree exactly).

- `incomplete_uv`: UV_gt, S_gt and the valid texels (Fig. 4.2): the visible surface inside
  the face mask eroded by `erosion` pixels (section 4.3.1 keeps only vertices inside an
  eroded m_gt, summary A4), unwrapped into the UV layout (`tfface.face3d.image_to_uv`).
- `rasterize_uv`: per-vertex attributes (e.g. the lit 3DMM colours) painted into the UV
  layout: UV_bfm of section 4.3.2.1 (summary A2: baked lighting).
- `pseudo_complete_uv`: UV_bl, the two Poisson passes (`tfface.face3d.pseudo_uv_map`).

Value ranges: images and UV maps float32 in [-1, 1], with 0 on texels that hold no texture
(summary A6: the same "empty" value as the masked image I (.) m).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from tfface.face3d import image_to_uv, pseudo_uv_map
from tfface.face3d.interpolate import barycentrics, interpolate
from tfface.face3d.rasterize import rasterize


def erode(mask: tf.Tensor, pixels: int) -> tf.Tensor:
    """float32 (B, H, W, 1) {0, 1} mask eroded by `pixels` (3 x 3 min-pool steps)."""
    mask = tf.convert_to_tensor(mask, tf.float32)
    if pixels < 0:
        raise ValueError(f"erosion must be >= 0 pixels, got {pixels}")
    for _ in range(pixels):
        mask = -tf.nn.max_pool2d(-mask, 3, 1, "SAME")
    return mask


def incomplete_uv(
    image: tf.Tensor,
    uv_coords: tf.Tensor,
    visibility: tf.Tensor,
    face_mask: tf.Tensor,
    uv_size: int,
    erosion: int,
) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """UV_gt, S_gt and valid of a batch (Fig. 4.2, section 4.3.1).

    Args:
        image: float32 (B, S, S, 3) in [-1, 1].
        uv_coords: float32 (B, S, S, 2) (u, v) in [0, 1] of the visible surface (the fit's).
        visibility: float32 (B, S, S, 1), 1 where the surface is visible.
        face_mask: float32 (B, S, S, 1) m_gt (face without occluders, background, hair).
        uv_size: side U of the UV map.
        erosion: pixels m_gt is eroded by before sampling (summary A4).

    Returns:
        uv_gt (B, U, U, 3) in [-1, 1], 0 off the valid texels; sampling_map S_gt
        (B, U, U, 2) normalised image (x, y) in [-1, 1], 0 off them; valid (B, U, U, 1).
    """
    keep = tf.cast(visibility, tf.float32) * erode(face_mask, erosion)
    return image_to_uv(image, uv_coords, keep, uv_size)


class UvRasterizer:
    """Paints per-vertex attributes into the UV layout (the mesh rasterized in UV space).

    The layout is fixed, so the triangle under every texel and its barycentric weights are
    found once, here; each call only interpolates (cheap enough per example in Beam).

    Args:
        triangles: int (F, 3) the mesh's triangles.
        vertex_uv: float (V, 2) every vertex's (u, v) in [0, 1]; texel [row, column] sits at
            v = row / (U - 1), u = column / (U - 1) (`tfface.face3d.uv_space`).
        uv_size: side U.
    """

    def __init__(self, triangles: np.ndarray, vertex_uv: np.ndarray, uv_size: int) -> None:
        position = np.asarray(vertex_uv, np.float32) * (uv_size - 1.0)
        screen = np.concatenate([position, np.zeros((len(position), 1), np.float32)], axis=-1)
        screen = tf.constant(screen[None])  # (1, V, 3)
        self.triangles = tf.constant(np.asarray(triangles, np.int32))
        self.triangle_map = rasterize(screen, self.triangles, uv_size, uv_size)  # (1, U, U)
        self.weights = barycentrics(
            screen, tf.ones(tf.shape(screen)[:2]), self.triangles, self.triangle_map
        )  # (1, U, U, 3)
        self.covered = tf.cast(self.triangle_map >= 0, tf.float32)[..., None]  # (1, U, U, 1)

    def __call__(self, attributes: tf.Tensor) -> tf.Tensor:
        """float32 (B, V, K) per-vertex values -> (B, U, U, K), 0 off the layout."""
        attributes = tf.convert_to_tensor(attributes, tf.float32)
        tile = [tf.shape(attributes)[0], 1, 1]
        return interpolate(
            attributes,
            self.triangles,
            tf.tile(self.triangle_map, tile),
            tf.tile(self.weights, tile + [1]),
        )


def rasterize_uv(
    attributes: tf.Tensor, triangles: np.ndarray, vertex_uv: np.ndarray, uv_size: int
) -> tuple[tf.Tensor, tf.Tensor]:
    """`UvRasterizer(triangles, vertex_uv, uv_size)(attributes)` and its covered texels
    (1, U, U, 1) (one-off use; keep a `UvRasterizer` to paint many batches)."""
    rasterizer = UvRasterizer(triangles, vertex_uv, uv_size)
    return rasterizer(attributes), rasterizer.covered


def pseudo_complete_uv(uv_gt: np.ndarray, valid: np.ndarray, uv_bfm: np.ndarray) -> np.ndarray:
    """UV_bl of one image (section 4.3.2.1, Eq. 4.6, two passes; summary A16).

    Args:
        uv_gt: float (U, U, 3) in [-1, 1], the incomplete map.
        valid: (U, U) or (U, U, 1), its valid texels.
        uv_bfm: float (U, U, 3) in [-1, 1], the complete 3DMM texture.

    Returns:
        float32 (U, U, 3) in [-1, 1].
    """
    valid = np.asarray(valid).reshape(np.shape(uv_gt)[:2]) > 0.5
    blended = pseudo_uv_map(np.asarray(uv_gt), valid, np.asarray(uv_bfm), erosion=1)
    return np.clip(blended, -1.0, 1.0).astype(np.float32)


def default_erosion(image_size: int) -> int:
    """Pixels m_gt is eroded by: 5 at 256 px, scaled with the image size, at least 1 (A4)."""
    return max(1, int(round(5.0 * image_size / 256.0)))


class BlendTargets:
    """UV_bl of SynthFaces samples, for the Beam job (`pipelines/synthfaces.py --uv-completion`).

    Args:
        model: the dataset's `MorphableModel` (its coefficients describe every sample).
        uv_size: side U of the stored UV_bl.
    """

    def __init__(self, model, uv_size: int) -> None:
        from tfface.face3d import FaceRenderer

        self.model = model
        self.uv_size = int(uv_size)
        self.renderer = FaceRenderer(model)
        self.rasterizer = UvRasterizer(model.triangles, model.uv_coords, self.uv_size)
        # traced once per image size: eager, the TF part cost ~0.15 s per example
        self.blend_inputs = tf.function(self._blend_inputs, reduce_retracing=True)

    def _blend_inputs(
        self,
        image: tf.Tensor,
        uv_coords: tf.Tensor,
        visibility: tf.Tensor,
        face_mask: tf.Tensor,
        coefficients: tf.Tensor,
    ) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
        """UV_gt (1, U, U, 3), valid (1, U, U, 1) and the lit UV_bfm (1, U, U, 3) in [-1, 1]
        of one sample (`__call__`'s tensors)."""
        # the record stores 16-bit UV coordinates: quantise them as the reader will see them
        uv_coords = tf.round(uv_coords * 65535.0) / 65535.0
        uv_gt, _, valid = incomplete_uv(
            image, uv_coords, visibility, face_mask, self.uv_size, default_erosion(image.shape[1])
        )
        vertices = self.renderer.posed_vertices(coefficients)
        colours = self.renderer.vertex_colours(coefficients, vertices)  # (1, V, 3) lit, [0, 1]
        return uv_gt, valid, self.rasterizer(2.0 * colours - 1.0)

    def __call__(self, sample: dict) -> np.ndarray:
        """uint8 (U, U, 3) UV_bl of one sample of `SynthFaces.sample(..., with_coefficients=True)`."""
        uv_gt, valid, uv_bfm = self.blend_inputs(
            tf.constant(sample["image"][None], tf.float32) / 127.5 - 1.0,  # (1, S, S, 3)
            tf.constant(sample["uv_coords"][None], tf.float32),
            tf.constant(sample["visibility"][None, ..., None], tf.float32),
            tf.constant(np.asarray(sample["face_mask"])[None, ..., None] > 0, tf.float32),
            tf.constant(sample["coefficients"][None], tf.float32),
        )
        blended = pseudo_complete_uv(uv_gt[0].numpy(), valid[0].numpy(), uv_bfm[0].numpy())
        return np.round((blended + 1.0) * 127.5).astype(np.uint8)
