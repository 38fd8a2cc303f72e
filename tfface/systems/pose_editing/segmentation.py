"""Landmark segmentation maps (Yin 2022 L1229-1232, L1268): one-hot regions of the 68 points.

The thesis rasterises "landmark segmentation maps" I_seg_tf and J_seg from the landmarks;
we use polygons of the iBUG-68 points in `PORTRAIT_11` order without hair (methods/
pose_editing.md sec. 4.4): background, skin (jaw + brows outline), the brows (a band below
each brow line), the eyes, the nose (bridge top to the nostrils), the lips and the inner
mouth, painted in that order (a later region overwrites an earlier one). Pixel (row i,
column j) is at landmark coordinates (x = j, y = i) (the convention of `tfface.ops.warp`);
inside means an odd crossing number (even-odd rule, `tfface.ops.polygons`).
"""

from __future__ import annotations

import tensorflow as tf

from tfface.data.labels import PORTRAIT_11
from tfface.ops.polygons import polygon_inside

SEGMENTATION_CLASSES = tuple(name for name in PORTRAIT_11.names if name != "hair")
"""The classes of the landmark segmentation maps: PORTRAIT_11 (`tfface.data.labels`) without
hair. "l_" is the subject's left (iBUG 22-26, 42-47)."""
NUM_CLASSES = len(SEGMENTATION_CLASSES)

POLYGONS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("skin", (*range(0, 17), *range(26, 16, -1))),
    ("l_brow", (22, 23, 24, 25, 26)),
    ("r_brow", (17, 18, 19, 20, 21)),
    ("l_eye", tuple(range(42, 48))),
    ("r_eye", tuple(range(36, 42))),
    ("nose", (27, 31, 32, 33, 34, 35)),
    ("u_lip", (48, 49, 50, 51, 52, 53, 54, 64, 63, 62, 61, 60)),
    ("l_lip", (54, 55, 56, 57, 58, 59, 48, 60, 67, 66, 65, 64)),
    ("mouth", tuple(range(60, 68))),
)
"""(class, landmark indices in polygon order), in painting order. The brow entries are
lines: `brow_band` closes them into a band."""
BROW_BAND = 0.3
"""A brow band reaches this fraction of the way from the brow line to the eye centre."""
BROW_EYES = {"l_brow": tuple(range(42, 48)), "r_brow": tuple(range(36, 42))}


def brow_band(landmarks: tf.Tensor, brow: tuple[int, ...], eye: tuple[int, ...]) -> tf.Tensor:
    """(B, 10, 2) polygon: the brow line, then the same points moved BROW_BAND of the way to
    the eye centre, in reverse order."""
    line = tf.gather(landmarks, list(brow), axis=1)  # (B, 5, 2)
    eye_centre = tf.reduce_mean(tf.gather(landmarks, list(eye), axis=1), axis=1, keepdims=True)
    lower = line + BROW_BAND * (eye_centre - line)
    return tf.concat([line, tf.reverse(lower, axis=[1])], axis=1)


def landmark_segmentation(landmarks: tf.Tensor, size: int) -> tf.Tensor:
    """One-hot landmark segmentation maps, float32 (B, S, S, NUM_CLASSES).

    Args:
        landmarks: (B, 68, 2 or 3) pixels of an S x S image.
        size: S.
    """
    points = tf.cast(landmarks[..., :2], tf.float32)
    labels = tf.zeros(tf.stack([tf.shape(points)[0], size, size]), tf.int32)
    for name, indices in POLYGONS:
        if name in BROW_EYES:
            polygon = brow_band(points, indices, BROW_EYES[name])
        else:
            polygon = tf.gather(points, list(indices), axis=1)
        inside = polygon_inside(polygon, size) > 0.5
        labels = tf.where(inside, SEGMENTATION_CLASSES.index(name), labels)
    return tf.one_hot(labels, NUM_CLASSES, dtype=tf.float32)
