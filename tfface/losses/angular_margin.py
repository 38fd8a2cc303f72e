"""Margin softmax logits of face recognition: ArcFace, CosFace and normalised softmax.

Yin 2022 (sec. 4.4.3, Table 4.1) trains its recognition network with ArcFace (Deng, Guo,
Xue & Zafeiriou, CVPR 2019). With the L2-normalised embedding x_i and class weights W_j,
cos(theta_j) = <x_i / |x_i|, W_j / |W_j|> and the logit of class j for example i with label
y_i is

    ArcFace (Deng et al. Eq. 3):   s cos(theta_y + m)  for j = y_i,   s cos(theta_j) otherwise
    CosFace (Wang et al. 2018):    s (cos(theta_y) - m) for j = y_i,  s cos(theta_j) otherwise
    softmax (normalised, NormFace): s cos(theta_j) for every j (no margin)

cos(theta + m) = cos(theta) cos(m) - sin(theta) sin(m) with sin(theta) = sqrt(1 - cos^2).
theta + m > pi would make the target logit grow again with theta (not monotonic); the
ArcFace code replaces it there by cos(theta) - m sin(m) (`threshold` = cos(pi - m),
continuous at theta = pi - m), or with `easy_margin` applies the margin only where
cos(theta) > 0. The cosine is clipped to [-1 + eps, 1 - eps] so that sin(theta) and its
gradient stay finite at theta = 0 and theta = pi (where the exact derivative of
cos(theta + m) with respect to cos(theta), sin(theta + m) / sin(theta), is infinite).
"""

from __future__ import annotations

import math
from typing import Any, Literal

import tensorflow as tf

MarginForm = Literal["arcface", "cosface", "softmax"]
MARGIN_FORMS = ("arcface", "cosface", "softmax")
COSINE_EPSILON = 1e-6
"""The cosine is clipped to [-1 + eps, 1 - eps]: sin(theta) >= 1.4e-3, finite gradients."""


def margin_logits(
    cosine: tf.Tensor,
    labels: tf.Tensor,
    form: MarginForm = "arcface",
    scale: float = 64.0,
    margin: float = 0.5,
    easy_margin: bool = False,
) -> tf.Tensor:
    """Scaled logits with the margin applied to the target class only (module docstring).

    Args:
        cosine: float (B, C), cos(theta_j) of each example with each class, in [-1, 1].
        labels: int (B,), the class y_i of each example, in [0, C).
        form: "arcface" (additive angular), "cosface" (additive cosine) or "softmax" (none).
        scale: s (ArcFace: 64).
        margin: m, radians for ArcFace (0.5), cosine units for CosFace (0.35).
        easy_margin: ArcFace only: margin where cos(theta) > 0, plain cosine elsewhere
            (instead of the cos(theta) - m sin(m) fallback beyond theta = pi - m).

    Returns:
        float32 (B, C) logits for a softmax cross-entropy.
    """
    if form not in MARGIN_FORMS:
        raise ValueError(f"margin form must be one of {', '.join(MARGIN_FORMS)}, got {form!r}")
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    if margin < 0 or (form == "arcface" and margin >= math.pi / 2):
        raise ValueError(f"margin must lie in [0, pi/2) for ArcFace and be >= 0, got {margin}")
    cosine = tf.clip_by_value(
        tf.cast(cosine, tf.float32), -1.0 + COSINE_EPSILON, 1.0 - COSINE_EPSILON
    )  # (B, C)
    if cosine.shape.rank != 2:
        raise ValueError(f"cosine must be (B, C), got shape {cosine.shape}")
    target = tf.one_hot(tf.cast(labels, tf.int32), tf.shape(cosine)[1]) > 0.5  # (B, C) bool
    if form == "softmax":
        return scale * cosine
    if form == "cosface":
        return scale * tf.where(target, cosine - margin, cosine)
    sine = tf.sqrt(1.0 - tf.square(cosine))  # sin(theta) >= 0, theta in [0, pi]
    shifted = cosine * math.cos(margin) - sine * math.sin(margin)  # cos(theta + m)
    if easy_margin:
        shifted = tf.where(cosine > 0.0, shifted, cosine)
    else:
        threshold = math.cos(math.pi - margin)  # theta = pi - m
        shifted = tf.where(cosine > threshold, shifted, cosine - margin * math.sin(margin))
    return scale * tf.where(target, shifted, cosine)


def margin_cross_entropy(cosine: tf.Tensor, labels: tf.Tensor, **margin: Any) -> tf.Tensor:
    """Per-example softmax cross-entropy (B,) of `margin_logits(cosine, labels, **margin)`
    (form, scale, margin, easy_margin as there)."""
    logits = margin_logits(cosine, labels, **margin)
    return tf.nn.sparse_softmax_cross_entropy_with_logits(tf.cast(labels, tf.int32), logits)
