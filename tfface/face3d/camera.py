"""Pose and camera of the 3DMM renderer, in TensorFlow (batched, differentiable).

Yin 2022 renders the fitted face with the pose and camera of Deng et al.'s regressor
(sections 4.2 and 5.3.3): rotation, translation, then a pinhole (perspective) camera
looking down -z from z = camera_distance. The orthographic camera is SynthFaces' own
(`tfface.geometry.camera.OrthographicCamera`). Screen conventions are those of
`tfface.geometry.rasterizer`: pixel (row r, column c) has its centre at x = c, y = r.
"""

from __future__ import annotations

from typing import NamedTuple

import tensorflow as tf


class ScreenVertices(NamedTuple):
    """Projected vertices.

    screen: float32 (B, V, 3) (x, y, depth key) in pixels; a LARGER depth key is nearer
        (orthographic: scale * z; perspective: 1 / w, which is linear in screen space).
    depth: float32 (B, V) the depth to report: orthographic scale * z (pixels, larger is
        nearer, like SynthFaces landmarks); perspective w = distance to the camera plane.
    w: float32 (B, V) the homogeneous w for perspective-correct interpolation (ones when
        orthographic).
    """

    screen: tf.Tensor
    depth: tf.Tensor
    w: tf.Tensor


def rotation_matrix(angles: tf.Tensor) -> tf.Tensor:
    """(B, 3) (yaw, pitch, roll) in RADIANS -> (B, 3, 3) R = R_roll R_pitch R_yaw.

    The same matrix as `tfface.geometry.camera.rotation_matrix` (which takes degrees).
    """
    angles = tf.convert_to_tensor(angles, tf.float32)
    yaw, pitch, roll = tf.unstack(angles, axis=-1)
    zero, one = tf.zeros_like(yaw), tf.ones_like(yaw)

    def matrix(rows: list[list[tf.Tensor]]) -> tf.Tensor:
        return tf.stack([tf.stack(row, axis=-1) for row in rows], axis=-2)

    rotation_yaw = matrix(
        [[tf.cos(yaw), zero, tf.sin(yaw)], [zero, one, zero], [-tf.sin(yaw), zero, tf.cos(yaw)]]
    )
    rotation_pitch = matrix(
        [
            [one, zero, zero],
            [zero, tf.cos(pitch), tf.sin(pitch)],
            [zero, -tf.sin(pitch), tf.cos(pitch)],
        ]
    )
    rotation_roll = matrix(
        [[tf.cos(roll), tf.sin(roll), zero], [-tf.sin(roll), tf.cos(roll), zero], [zero, zero, one]]
    )
    return rotation_roll @ rotation_pitch @ rotation_yaw


def pose_vertices(vertices: tf.Tensor, angles: tf.Tensor, translation: tf.Tensor) -> tf.Tensor:
    """(B, V, 3) model points -> (B, V, 3) camera-axis points R x + t."""
    rotation = rotation_matrix(angles)
    return tf.einsum("bij,bvj->bvi", rotation, vertices) + translation[:, None, :]


def project(
    points: tf.Tensor,
    image_size: int,
    camera_model: str,
    camera_focal: float,
    camera_distance: float = 10.0,
) -> ScreenVertices:
    """Projects posed points (B, V, 3) to the screen of a square image of `image_size` px.

    Args:
        camera_model: "perspective" or "orthographic".
        camera_focal: focal length (perspective) or scale (orthographic) in image sides per
            model unit; pixels = camera_focal * image_size.
        camera_distance: perspective only; the camera centre is at z = camera_distance.
            There is no near-plane clipping: keep every vertex in front of the camera
            (z < camera_distance).
    """
    centre = (image_size - 1) / 2.0
    focal = camera_focal * image_size
    x, y, z = tf.unstack(points, axis=-1)
    if camera_model == "orthographic":
        depth = focal * z
        screen = tf.stack([centre + focal * x, centre - focal * y, depth], axis=-1)
        return ScreenVertices(screen, depth, tf.ones_like(z))
    if camera_model != "perspective":
        raise ValueError(
            f"camera_model must be 'perspective' or 'orthographic', got {camera_model!r}"
        )
    w = camera_distance - z
    screen = tf.stack([centre + focal * x / w, centre - focal * y / w, 1.0 / w], axis=-1)
    return ScreenVertices(screen, w, w)
