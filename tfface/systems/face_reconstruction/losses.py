"""The losses of the 3DMM regressor (Yin 2022 sec. 5.3.3, after Deng et al. 2019 sec. 3).

Every function returns per-example values (B,). Images are float32 in [-1, 1] (the
reader's range); renders are the `FaceRenderer`'s colours in [0, 1].
"""

from __future__ import annotations

import tensorflow as tf

from tfface.face3d.coefficients import CoefficientLayout
from tfface.losses.identity import identity_cosine_distance


def coefficient_loss(
    predicted: tf.Tensor, given: tf.Tensor, layout: CoefficientLayout
) -> tf.Tensor:
    """L_coef: sum over the parts (identity, expression, texture, angles, lighting,
    translation) of the mean squared error of the part, (B,).

    Per-part means keep the 3 angles as heavy as the 80 identity values.

    Args:
        predicted, given: float32 (B, C) coefficient vectors of `layout`.
    """
    predicted_parts = layout.split(predicted)
    given_parts = layout.split(tf.cast(given, tf.float32))
    return tf.add_n(
        [
            tf.reduce_mean(tf.square(predicted_parts[name] - given_parts[name]), axis=-1)
            for name in layout.sizes
        ]
    )


def photometric_loss(
    image: tf.Tensor, render: tf.Tensor, face_mask: tf.Tensor, render_mask: tf.Tensor
) -> tf.Tensor:
    """L_photo = sum_i M_i ||I_i - R_i||_2 / sum_i M_i over M = face mask x render mask
    (Deng et al. Eq. 3; colours in [0, 1]), (B,); 0 where M is empty.

    Args:
        image: float32 (B, S, S, 3) in [-1, 1], the face without occluder.
        render: float32 (B, S, S, 3) in [0, 1].
        face_mask, render_mask: float32 (B, S, S, 1) in {0, 1}.
    """
    overlap = face_mask * render_mask  # (B, S, S, 1)
    difference = (image + 1.0) / 2.0 - render
    squared = tf.reduce_sum(tf.square(difference), axis=-1, keepdims=True)
    positive = squared > 0.0
    # the square root only of positive values: a finite gradient where the colours agree
    distance = tf.where(positive, tf.sqrt(tf.where(positive, squared, 1.0)), 0.0)
    total = tf.reduce_sum(overlap * distance, axis=[1, 2, 3])
    return tf.math.divide_no_nan(total, tf.reduce_sum(overlap, axis=[1, 2, 3]))


def landmark_loss(predicted: tf.Tensor, given: tf.Tensor, image_size: int) -> tf.Tensor:
    """L_lan: mean over the 68 landmarks of the squared distance in image sides, (B,).

    Args:
        predicted: float32 (B, 68, >=2) landmarks (x, y, ...) in pixels.
        given: float32 (B, 68, >=2) likewise (the reader's `landmarks`).
    """
    offset = (predicted[..., :2] - tf.cast(given, tf.float32)[..., :2]) / float(image_size)
    return tf.reduce_mean(tf.reduce_sum(tf.square(offset), axis=-1), axis=-1)


def landmark_error(predicted: tf.Tensor, given: tf.Tensor) -> tf.Tensor:
    """Mean Euclidean landmark distance in pixels, (B,) (the learning check's measure)."""
    offset = predicted[..., :2] - tf.cast(given, tf.float32)[..., :2]
    return tf.reduce_mean(tf.norm(offset, axis=-1), axis=-1)


def composite(image: tf.Tensor, render: tf.Tensor, render_mask: tf.Tensor) -> tf.Tensor:
    """The render pasted on the image where it covers it: float32 (B, S, S, 3) in [-1, 1]."""
    return render_mask * (2.0 * render - 1.0) + (1.0 - render_mask) * image


def identity_loss(embedding, image: tf.Tensor, rendered: tf.Tensor) -> tf.Tensor:
    """L_id = 1 - cos(f(I), f(I')) of a frozen face embedding f (Deng et al. Eq. 6), (B,).

    Args:
        embedding: float32 images (B, S, S, 3) in [-1, 1] -> (B, D).
        image: the face without occluder, (B, S, S, 3) in [-1, 1].
        rendered: the render composited on the image (`composite`).
    """
    return identity_cosine_distance(embedding(rendered), embedding(image))
