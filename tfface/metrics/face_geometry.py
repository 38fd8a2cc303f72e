"""Landmark and head-pose errors against ground truth (e.g. SynthFaces' exact geometry).

Landmarks: normalised mean error (NME) of the 300-W benchmark (Sagonas et al.,
"300 Faces in-the-Wild Challenge", ICCV-W 2013): the mean per-point Euclidean
distance in the image plane (x, y) divided by the inter-ocular distance, the
distance between the outer eye corners, iBUG points 36 and 45 (0-based) of the
ground truth. Pose: mean absolute error per angle (yaw, pitch, roll) in degrees,
the differences wrapped to [-180, 180).
"""

from __future__ import annotations

import tensorflow as tf

OUTER_EYE_CORNERS = (36, 45)
"""iBUG-68 indices (0-based) of the right and left outer eye corners."""
LANDMARK_COUNT = 68


def landmark_error(predicted: tf.Tensor, truth: tf.Tensor) -> tf.Tensor:
    """Inter-ocular normalised mean error per example.

    Args:
        predicted: (B, 68, 2 or 3) landmarks in pixels (only x, y are used).
        truth: (B, 68, 2 or 3) ground-truth landmarks in pixels.

    Returns:
        (B,) float64; e.g. 0.05 = 5% of the inter-ocular distance.
    """
    predicted = tf.cast(tf.convert_to_tensor(predicted), tf.float64)[..., :2]
    truth = tf.cast(tf.convert_to_tensor(truth), tf.float64)[..., :2]
    for name, value in (("predicted", predicted), ("truth", truth)):
        if value.shape.rank != 3 or value.shape[1] != LANDMARK_COUNT:
            raise ValueError(f"{name} landmarks must be (B, 68, 2|3), got {value.shape}")
    distances = tf.norm(predicted - truth, axis=-1)  # (B, 68)
    right, left = OUTER_EYE_CORNERS
    interocular = tf.norm(truth[:, right] - truth[:, left], axis=-1)  # (B,)
    return tf.reduce_mean(distances, axis=-1) / interocular


def pose_error(predicted: tf.Tensor, truth: tf.Tensor) -> tf.Tensor:
    """Absolute angle errors per example: (B, 3) x 2 degrees -> (B, 3) float64 (yaw, pitch, roll)."""
    predicted = tf.cast(tf.convert_to_tensor(predicted), tf.float64)
    truth = tf.cast(tf.convert_to_tensor(truth), tf.float64)
    if predicted.shape.rank != 2 or predicted.shape[-1] != 3:
        raise ValueError(f"poses must be (B, 3) (yaw, pitch, roll), got {predicted.shape}")
    difference = tf.math.floormod(predicted - truth + 180.0, 360.0) - 180.0
    return tf.abs(difference)
