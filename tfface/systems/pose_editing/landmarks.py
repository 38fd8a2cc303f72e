"""Landmark geometry of pose editing as TF ops (Yin 2022 sec. 3.3.1, L1223-1232).

Landmarks are iBUG-68 (x, y, depth) in pixels of an S x S image (the records' `landmarks` /
`target_landmarks`, `tfface.data.features`): x right, y down, depth larger nearer the
camera and 0 at the head's rotation centre, which sits 0.066 S above the image centre
(SynthFaces' orthographic camera, `tfface.geometry.camera`; `rotation_centre`). The network condition is their normalised
form (methods/pose_editing.md sec. 4.3): x and y centred and divided by S / 2, depth by S / 2.

Preprocessing (L1223-1232): the "fully exposed" half of the face is the one whose landmarks
span the larger bounding box in the source; a least-squares similarity (rotation, uniform
scale, translation; Umeyama 1991 in 2D, no reflection) maps that half's source landmarks
onto the target's; the source image is warped by it (I -> I_tf) and its landmarks
transformed. `rotate_landmarks` poses a frontal landmark set at a yaw and pitch
(`rotate_to_angles`).
"""

from __future__ import annotations

import math

import tensorflow as tf

from tfface.geometry.camera import OrthographicCamera
from tfface.ops.warp import backward_warp

NUM_LANDMARKS = 68
_JAW_RIGHT, _JAW_LEFT = tuple(range(0, 8)), tuple(range(9, 17))
_MIDLINE = (8, 27, 28, 29, 30, 33, 51, 57, 62, 66)
RIGHT_HALF = tuple(
    sorted(
        {*_JAW_RIGHT, *range(17, 22), *range(36, 42), 31, 32, 48, 49, 50, 58, 59, 60, 61, 67}
        | set(_MIDLINE)
    )
)
"""The subject's right half (iBUG jaw 0-7, right brow and eye, right nostrils and mouth
corner) plus the midline (chin, nose bridge and tip, lip centres)."""
LEFT_HALF = tuple(
    sorted(
        {*_JAW_LEFT, *range(22, 27), *range(42, 48), 34, 35, 52, 53, 54, 55, 56, 63, 64, 65}
        | set(_MIDLINE)
    )
)
"""The subject's left half (jaw 9-16, left brow and eye, left nostrils and mouth corner) plus
the midline."""


def _half_mask(indices: tuple[int, ...]) -> tf.Tensor:
    """float32 (68,) 1 at `indices`."""
    return tf.constant([1.0 if index in indices else 0.0 for index in range(NUM_LANDMARKS)])


def normalize_landmarks(landmarks: tf.Tensor, size: int | tf.Tensor) -> tf.Tensor:
    """Pixels (B, 68, 3) -> the network condition (B, 68, 3): (x - S/2, y - S/2, depth) / (S/2)."""
    half = tf.cast(size, tf.float32) / 2.0
    return (landmarks - tf.stack([half, half, 0.0])) / half


def denormalize_landmarks(normalized: tf.Tensor, size: int | tf.Tensor) -> tf.Tensor:
    """The inverse of `normalize_landmarks`: (B, 68, 3) -> pixels."""
    half = tf.cast(size, tf.float32) / 2.0
    return normalized * half + tf.stack([half, half, 0.0])


def exposed_half_weights(landmarks: tf.Tensor) -> tf.Tensor:
    """float32 (B, 68): 1 on the landmarks of the source's more exposed half, else 0.

    The half whose 2D landmark bounding box has the larger area wins (ties: the right half).

    Args:
        landmarks: (B, 68, 2 or 3) pixels.
    """
    points = landmarks[..., :2]

    def box_area(mask: tf.Tensor) -> tf.Tensor:
        selected = mask[tf.newaxis, :, tf.newaxis] > 0.5  # (1, 68, 1)
        low = tf.reduce_min(tf.where(selected, points, math.inf), axis=1)  # (B, 2)
        high = tf.reduce_max(tf.where(selected, points, -math.inf), axis=1)
        return tf.reduce_prod(high - low, axis=-1)  # (B,)

    right, left = _half_mask(RIGHT_HALF), _half_mask(LEFT_HALF)
    use_right = box_area(right) >= box_area(left)  # (B,)
    return tf.where(use_right[:, tf.newaxis], right[tf.newaxis], left[tf.newaxis])


def fit_similarity(source: tf.Tensor, target: tf.Tensor, weights: tf.Tensor) -> tf.Tensor:
    """Weighted least-squares 2D similarity T(p) = s R p + t mapping `source` onto `target`.

    Minimises sum_i w_i |T(source_i) - target_i|^2 over s > 0, a rotation R and t (Umeyama
    1991 in 2D; in complex numbers T(z) = a z + t with a = s e^{i theta}, whose least-squares
    a is sum w conj(z_c) u_c / sum w |z_c|^2 over the centred points).

    Args:
        source, target: (B, N, 2 or more) pixels (only x, y are used).
        weights: (B, N) non-negative, at least two distinct weighted source points per row.

    Returns:
        float32 (B, 2, 3): [[a, -b, t_x], [b, a, t_y]] with a = s cos(theta), b = s sin(theta).
    """
    source, target = source[..., :2], target[..., :2]
    weights = weights[..., tf.newaxis]  # (B, N, 1)
    total = tf.reduce_sum(weights, axis=1, keepdims=True)  # (B, 1, 1)
    source_mean = tf.reduce_sum(weights * source, axis=1, keepdims=True) / total  # (B, 1, 2)
    target_mean = tf.reduce_sum(weights * target, axis=1, keepdims=True) / total
    p, q = source - source_mean, target - target_mean  # (B, N, 2)
    norm = tf.reduce_sum(weights[..., 0] * tf.reduce_sum(p * p, axis=-1), axis=1)  # (B,)
    dot = tf.reduce_sum(weights[..., 0] * (p[..., 0] * q[..., 0] + p[..., 1] * q[..., 1]), 1)
    cross = tf.reduce_sum(weights[..., 0] * (p[..., 0] * q[..., 1] - p[..., 1] * q[..., 0]), 1)
    a, b = dot / norm, cross / norm  # (B,)
    mean_x, mean_y = source_mean[:, 0, 0], source_mean[:, 0, 1]
    t_x = target_mean[:, 0, 0] - (a * mean_x - b * mean_y)
    t_y = target_mean[:, 0, 1] - (b * mean_x + a * mean_y)
    return tf.stack([tf.stack([a, -b, t_x], -1), tf.stack([b, a, t_y], -1)], axis=1)


def transform_landmarks(matrix: tf.Tensor, landmarks: tf.Tensor) -> tf.Tensor:
    """Applies a similarity (B, 2, 3) to landmarks (B, N, 3): x, y mapped, depth scaled by s."""
    xy = (
        tf.einsum("bij,bnj->bni", matrix[:, :, :2], landmarks[..., :2])
        + matrix[:, tf.newaxis, :, 2]
    )
    scale = tf.norm(matrix[:, :, 0], axis=-1)  # (B,) s
    return tf.concat([xy, landmarks[..., 2:] * scale[:, tf.newaxis, tf.newaxis]], axis=-1)


def warp_by_similarity(images: tf.Tensor, matrix: tf.Tensor) -> tf.Tensor:
    """images (B, H, W, C) warped by T (B, 2, 3): out(p) = images(T^-1 p), bilinear, 0 outside."""
    shape = tf.shape(images)
    rows, columns = tf.meshgrid(
        tf.range(shape[1], dtype=tf.float32), tf.range(shape[2], dtype=tf.float32), indexing="ij"
    )
    pixels = tf.stack([columns, rows], axis=-1)  # (H, W, 2), x first
    a, b = matrix[:, 0, 0], matrix[:, 1, 0]  # (B,)
    determinant = a * a + b * b  # s^2
    inverse = (
        tf.stack([tf.stack([a, b], -1), tf.stack([-b, a], -1)], axis=1)
        / determinant[:, tf.newaxis, tf.newaxis]
    )  # (B, 2, 2) = (s R)^-1
    shifted = pixels[tf.newaxis] - matrix[:, tf.newaxis, tf.newaxis, :, 2]  # (B, H, W, 2)
    source = tf.einsum("bij,bhwj->bhwi", inverse, shifted)  # (B, H, W, 2) T^-1 p
    return backward_warp(images, source - pixels[tf.newaxis])


def align_source(
    images: tf.Tensor, source_landmarks: tf.Tensor, target_landmarks: tf.Tensor
) -> dict[str, tf.Tensor]:
    """The preprocessing of L1223-1232: I -> I_tf aligned to J's landmarks on the exposed half.

    Args:
        images: float32 (B, S, S, C), the sources I (images or label maps).
        source_landmarks, target_landmarks: (B, 68, 3) pixels of I and J.

    Returns:
        {'aligned_image': I_tf (B, S, S, C), 0 outside I, 'aligned_landmarks': (B, 68, 3)
        pixels, 'similarity': (B, 2, 3)}.
    """
    weights = exposed_half_weights(source_landmarks)
    matrix = fit_similarity(source_landmarks, target_landmarks, weights)
    return {
        "aligned_image": warp_by_similarity(images, matrix),
        "aligned_landmarks": transform_landmarks(matrix, source_landmarks),
        "similarity": matrix,
    }


def pose_rotation(yaw: tf.Tensor, pitch: tf.Tensor) -> tf.Tensor:
    """float32 (B, 3, 3) R = R_pitch R_yaw of `tfface.geometry.camera.rotation_matrix` (degrees)."""
    psi = tf.cast(yaw, tf.float32) * (math.pi / 180.0)
    theta = tf.cast(pitch, tf.float32) * (math.pi / 180.0)
    zeros, ones = tf.zeros_like(psi), tf.ones_like(psi)
    rotation_yaw = tf.stack(
        [
            tf.stack([tf.cos(psi), zeros, tf.sin(psi)], -1),
            tf.stack([zeros, ones, zeros], -1),
            tf.stack([-tf.sin(psi), zeros, tf.cos(psi)], -1),
        ],
        axis=1,
    )
    rotation_pitch = tf.stack(
        [
            tf.stack([ones, zeros, zeros], -1),
            tf.stack([zeros, tf.cos(theta), tf.sin(theta)], -1),
            tf.stack([zeros, -tf.sin(theta), tf.cos(theta)], -1),
        ],
        axis=1,
    )
    return rotation_pitch @ rotation_yaw


def rotation_centre(size: int) -> tf.Tensor:
    """float32 (3,): the head's rotation centre in normalised landmark coordinates of an
    S x S image: the model origin of SynthFaces' camera (`OrthographicCamera.for_faces`:
    ((S - 1) / 2, (S - 1) / 2 - 0.066 S) pixels, depth 0), about 0.13 above the image centre.
    face_reconstruction's `landmarks_3d` use the same frame."""
    camera = OrthographicCamera.for_faces(int(size))
    half = size / 2.0
    return tf.constant([(camera.centre_x - half) / half, (camera.centre_y - half) / half, 0.0])


def rotate_landmarks(frontal: tf.Tensor, yaw: tf.Tensor, pitch: tf.Tensor, size: int) -> tf.Tensor:
    """Normalised frontal landmarks (B, 68, 3) of an S x S image posed at `yaw`, `pitch` (B,)
    degrees: R (p - c) + c about the head's rotation centre c (`rotation_centre`).

    Model coordinates are (x, -y, depth) of the normalised landmarks (the orthographic camera
    of `tfface.geometry.camera`); the result is back in normalised image coordinates (exact
    for SynthFaces heads, any scale).
    """
    flip = tf.constant([1.0, -1.0, 1.0])
    centre = rotation_centre(size)
    model = (frontal - centre) * flip  # (B, 68, 3) model coordinates about the centre
    rotated = tf.einsum("bij,bnj->bni", pose_rotation(yaw, pitch), model)
    return rotated * flip + centre
