"""Filling missing UV texels from their mirror, and the two-pass pseudo ground truth UV_bl.

Yin 2022, section 4.3.2.1 and Fig. 4.4: faces are nearly symmetric and the UV layout is
mirror-symmetric about u = 0.5, so a texel hidden in the image is often seen on the
other side: FlipLR of the UV map supplies it. UV_bl is made by Poisson blending (Eq. 4.6)
the visible texture UV_gt into the 3DMM texture UV_bfm (pass 1), then blending
FlipLR(UV_gt) into the texels still missing whose mirror is visible (pass 2).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf
from scipy import ndimage

from tfface.face3d.poisson import poisson_blend


def mirror_fill(uv_map: tf.Tensor, valid: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Copies the mirrored texel into every invalid texel whose mirror is valid.

    Args:
        uv_map: float (B, U, U, C) UV maps (u along the width).
        valid: float or bool (B, U, U, 1), texels holding texture.

    Returns:
        (filled (B, U, U, C), filled_valid float (B, U, U, 1)); differentiable in uv_map.
    """
    uv_map = tf.convert_to_tensor(uv_map)
    valid = tf.cast(valid, uv_map.dtype)
    mirrored_valid = tf.reverse(valid, axis=[2])
    take = (1.0 - valid) * mirrored_valid
    filled = valid * uv_map + take * tf.reverse(uv_map, axis=[2])
    return filled, tf.maximum(valid, mirrored_valid)


def pseudo_uv_map(
    visible_uv: np.ndarray, valid: np.ndarray, model_uv: np.ndarray, erosion: int = 1
) -> np.ndarray:
    """UV_bl of section 4.3.2.1: two Poisson passes (NumPy/SciPy, per image).

    Args:
        visible_uv: float (U, U, C) the incomplete UV map UV_gt.
        valid: bool (U, U) its valid texels.
        model_uv: float (U, U, C) the complete but blurry 3DMM texture UV_bfm.
        erosion: pixels the valid region is eroded by before pass 1 (edge texels of
            UV_gt are unreliable, section 4.3.1).

    Returns:
        float64 (U, U, C) UV_bl.
    """
    valid = np.asarray(valid, bool)
    region = ndimage.binary_erosion(valid, iterations=erosion) if erosion > 0 else valid
    first = poisson_blend(visible_uv, model_uv, region)
    mirrored_region = ~valid & valid[:, ::-1]
    return poisson_blend(np.asarray(visible_uv)[:, ::-1], first, mirrored_region)
