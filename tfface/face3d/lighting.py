"""Spherical-harmonics lighting of a Lambertian face (9 coefficients per colour channel).

Deng et al.'s illumination model used by Yin 2022 (section 5.3.3, refs [143, 144]:
Ramamoorthi & Hanrahan's irradiance environment map): the shading of a point with unit
normal n is sum_k gamma_k a_k c_k Y_k(n) over the 9 real SH functions of bands 0-2,
with Deng et al.'s band constants a = (pi, 2 pi / sqrt(3), 2 pi / sqrt(8)) and the SH
normalisations c = (1 / sqrt(4 pi), sqrt(3) / sqrt(4 pi), 3 sqrt(5) / sqrt(12 pi)), so
c_k Y_k are the orthonormal real SH. The colour is albedo * shading, per channel. (A
distant light with SH coefficients L_k gives gamma_k = A_l L_k / a_l, with Lambert's
kernel A = (pi, 2 pi / 3, pi / 4).)
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

BAND_CONSTANTS = (np.pi, 2.0 * np.pi / np.sqrt(3.0), 2.0 * np.pi / np.sqrt(8.0))
SH_NORMALISATIONS = (
    1.0 / np.sqrt(4.0 * np.pi),
    np.sqrt(3.0) / np.sqrt(4.0 * np.pi),
    3.0 * np.sqrt(5.0) / np.sqrt(12.0 * np.pi),
)
# gamma_0 that gives shading 1 everywhere when the other coefficients are 0.
AMBIENT_UNIT = float(1.0 / (BAND_CONSTANTS[0] * SH_NORMALISATIONS[0]))


def sh_basis(normals):
    """(..., 3) unit normals -> (..., 9) the scaled SH basis a_k c_k Y_k(n). NumPy or TF."""
    module = tf if isinstance(normals, tf.Tensor) else np
    x, y, z = normals[..., 0], normals[..., 1], normals[..., 2]
    band_1 = BAND_CONSTANTS[1] * SH_NORMALISATIONS[1]
    band_2 = BAND_CONSTANTS[2] * SH_NORMALISATIONS[2]
    return module.stack(
        [
            module.ones_like(x) * (BAND_CONSTANTS[0] * SH_NORMALISATIONS[0]),
            band_1 * y,
            band_1 * z,
            band_1 * x,
            band_2 * x * y,
            band_2 * y * z,
            band_2 * 0.5 / np.sqrt(3.0) * (3.0 * z * z - 1.0),
            band_2 * x * z,
            band_2 * 0.5 * (x * x - y * y),
        ],
        axis=-1,
    )


def ambient_lighting(level: float = 1.0) -> np.ndarray:
    """float32 (27,): uniform white light giving shading `level` everywhere."""
    lighting = np.zeros((3, 9), np.float32)
    lighting[:, 0] = level * AMBIENT_UNIT
    return lighting.reshape(27)


def shade(normals: tf.Tensor, lighting: tf.Tensor) -> tf.Tensor:
    """Per-channel shading.

    Args:
        normals: float32 (B, N, 3) unit normals in camera axes (z towards the camera).
        lighting: float32 (B, 27) coefficients, 9 per channel (R, G, B).

    Returns:
        float32 (B, N, 3) shading factors (unclipped), differentiable in both inputs.
    """
    basis = sh_basis(normals)  # (B, N, 9)
    gamma = tf.reshape(lighting, [-1, 3, 9])
    return tf.einsum("bnk,bck->bnc", basis, gamma)


def vertex_normals(vertices: tf.Tensor, triangles: tf.Tensor) -> tf.Tensor:
    """(B, V, 3) vertices -> (B, V, 3) unit normals: area-weighted triangle normals summed.

    Triangles are counter-clockwise seen from outside, so normals point outwards.
    """
    corners = tf.gather(vertices, triangles, axis=1)  # (B, F, 3, 3)
    face_normals = tf.linalg.cross(
        corners[:, :, 1] - corners[:, :, 0], corners[:, :, 2] - corners[:, :, 0]
    )  # (B, F, 3)
    num_vertices = tf.shape(vertices)[1]
    summed = tf.zeros_like(vertices)
    for corner in range(3):
        summed += tf.transpose(
            tf.math.unsorted_segment_sum(
                tf.transpose(face_normals, [1, 0, 2]), triangles[:, corner], num_vertices
            ),
            [1, 0, 2],
        )
    return summed / tf.maximum(tf.norm(summed, axis=-1, keepdims=True), 1e-12)
