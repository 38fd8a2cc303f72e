"""The masks and inputs of de-occlusion (Yin 2022 sec. 5.3, Eqs. 5.1, 5.2, Fig. 5.2).

Notation (methods B5): M_f the visible face, M_m the render mask of the 3D face, M_o the
occlusion inside the rendered face (Eq. 5.1), I_n the input with M_o replaced by noise.
Masks are float32 (B, S, S, 1) in {0, 1}; images float32 (B, S, S, 3) in [-1, 1].
"""

from __future__ import annotations

import tensorflow as tf

from tfface.face3d import FaceRenderer
from tfface.face3d.poisson_tf import poisson_blend_tf


def visible_face(face_mask: tf.Tensor, occluder_mask: tf.Tensor) -> tf.Tensor:
    """Eq. 5.2's ground truth M_gt = M_f (1 - M_occluder): the face minus the occluder.

    Both SynthFaces (`face_mask` = the face without occluder) and the occlusion job
    (`face_mask` = already the visible face) give M_gt this way.
    """
    face_mask = tf.cast(face_mask, tf.float32)
    return face_mask * (1.0 - tf.cast(occluder_mask, tf.float32))


def occlusion_mask(render_mask: tf.Tensor, visible: tf.Tensor) -> tf.Tensor:
    """Eq. 5.1: M_o = M_m - M_m (.) M_f, the rendered face that is not visible face."""
    render_mask = tf.cast(render_mask, tf.float32)
    return render_mask - render_mask * tf.cast(visible, tf.float32)


def erode(mask: tf.Tensor, pixels: int) -> tf.Tensor:
    """Binary erosion of (B, S, S, 1) masks by a (2 pixels + 1)^2 square (0: unchanged).

    Pixels outside the image count as set, so a mask touching the border keeps it."""
    if pixels < 0:
        raise ValueError(f"erosion must be >= 0 pixels, got {pixels}")
    if pixels == 0:
        return mask
    window = 2 * pixels + 1
    return 1.0 - tf.nn.max_pool2d(1.0 - mask, window, 1, "SAME")


def noise_filled(image: tf.Tensor, mask: tf.Tensor, noise: tf.Tensor) -> tf.Tensor:
    """I_n: `image` with the `mask` pixels replaced by `noise` clipped to [-1, 1] (B12)."""
    mask = tf.cast(mask, tf.float32)
    noise = tf.clip_by_value(tf.cast(noise, tf.float32), -1.0, 1.0)
    return tf.cast(image, tf.float32) * (1.0 - mask) + noise * mask


def pseudo_target(
    clean: tf.Tensor,
    render: tf.Tensor,
    face_mask: tf.Tensor,
    render_mask: tf.Tensor,
    iterations: int,
) -> tf.Tensor:
    """I_p (L1817, methods B13): the clean face Poisson-blended into the render.

    Omega = M_f (.) M_m eroded by 1 pixel, guidance = the gradients of the clean image,
    boundary = the render; the render elsewhere in M_m and the clean image outside M_m (the
    SSIM loss only reads M_m). Gradients are stopped (a target).

    Args:
        clean: the unoccluded image (B, S, S, 3) in [-1, 1].
        render: I_m (B, S, S, 3) in [-1, 1].
        face_mask: M_f of the clean image; render_mask: M_m.
        iterations: conjugate-gradient iterations.
    """
    region = erode(face_mask * render_mask, 1)[..., 0] > 0.5  # (B, S, S)
    blended = poisson_blend_tf(clean, render, region, max_iterations=iterations)
    target = render_mask * blended + (1.0 - render_mask) * clean
    return tf.stop_gradient(tf.clip_by_value(target, -1.0, 1.0))


def render_face(
    renderer: FaceRenderer, coefficients: tf.Tensor, image_size: int
) -> tuple[tf.Tensor, tf.Tensor]:
    """(I_m (B, S, S, 3) in [-1, 1], -1 off the face; M_m (B, S, S, 1) in {0, 1}) of (B, C)
    3DMM coefficients (Fig. 5.2's render)."""
    rendered = renderer(coefficients, image_size)
    return 2.0 * rendered.image - 1.0, rendered.mask


def exact_generator_targets(
    renderer: FaceRenderer, batch: dict, image_size: int, iterations: int
) -> dict[str, tf.Tensor]:
    """What N_G's `generator_inputs="data"` reads from a record alone: {'render' I_m,
    'render_mask' M_m of the record's exact coefficients, 'pseudo_target' I_p of them}.

    Args:
        batch: 'coefficients' (B, C), 'image_unoccluded' (B, S, S, 3) in [-1, 1] and
            'face_mask' (B, S, S, 1) of the clean face.
        iterations: the Poisson blend's conjugate-gradient iterations.
    """
    render, render_mask = render_face(renderer, batch["coefficients"], image_size)
    face = tf.cast(batch["face_mask"], tf.float32)
    pseudo = pseudo_target(batch["image_unoccluded"], render, face, render_mask, iterations)
    return {"render": render, "render_mask": render_mask, "pseudo_target": pseudo}
