"""The serving export of face_reconstruction: `serving_default` = `reconstruct(image)`.

`image` uint8 (B, S, S, 3) ->
- `coefficients` float32 (B, C): the 3DMM coefficients (`tfface.face3d.coefficients` layout
  of the system's morphable model);
- `render` uint8 (B, S, S, 3): the fitted face rendered (black off the face);
- `render_mask` float32 (B, S, S, 1): 1 where the render covers the pixel;
- `uv_coords` float32 (B, S, S, 2): (u, v) in [0, 1] of the visible surface, 0 off it;
- `landmarks` float32 (B, 68, 2): iBUG-68 (x, y) in pixels;
- `landmarks_3d` float32 (B, 68, 3): the morphable model's 68 landmark vertices under the
  predicted pose (`landmarks_3d`): (x, y) as `landmarks`, depth in pixels (larger is nearer
  the camera, 0 at the head's rotation centre): SynthFaces' exact-landmark frame, the one
  `pose_editing` conditions on.

`landmarks`: `image` -> `landmarks_3d` alone (no rendering: the cheap signature the
`pose_editing` data path calls on real photos, `model.landmark_model`).

`tfface export` adds `serving_bytes` (encoded images in, `render_png_bytes` besides).
"""

from __future__ import annotations

import tensorflow as tf

from tfface.face3d.camera import rotation_matrix
from tfface.signatures.evaluation_target import reconstructs_input
from tfface.signatures.inputs import image_input
from tfface.signatures.signature import DEFAULT_SIGNATURE, ExportSignature

RECONSTRUCTS_INPUT = reconstructs_input("face_reconstruction renders the face of its input")
LANDMARKS_SIGNATURE = "landmarks"


def landmarks_3d(renderer, coefficients: tf.Tensor, image_size: int) -> tf.Tensor:
    """float32 (B, 68, 3): the 68 landmark vertices posed by `coefficients` (B, C).

    (x, y): the renderer's projection in pixels (`FaceRenderer.landmarks`); depth: the
    rotated vertex's z (R x, without the translation: 0 at the head's rotation centre) times
    the camera's pixels per model unit at the head (focal * S orthographic; focal * S /
    (distance - t_z) perspective), larger nearer the camera. For SynthFaces' orthographic
    model this is exactly its records' `landmarks` (x right, y down, depth in pixels).
    """
    coefficients = tf.convert_to_tensor(coefficients, tf.float32)
    parts = renderer.layout.split(coefficients)
    shape = renderer.shape(parts["identity"], parts["expression"])  # (B, V, 3) model space
    points = tf.gather(shape, renderer.landmark_indices, axis=1)  # (B, 68, 3)
    rotated = tf.einsum("bij,bnj->bni", rotation_matrix(parts["angles"]), points)
    model = renderer.model
    scale = tf.fill(tf.shape(coefficients)[:1], float(model.camera_focal * image_size))  # (B,)
    if model.camera_model == "perspective":
        scale = scale / (model.camera_distance - parts["translation"][:, 2])
    depth = rotated[..., 2] * scale[:, tf.newaxis]  # (B, 68) pixels
    screen = renderer.landmarks(coefficients, image_size)  # (B, 68, 3), x, y pixels
    return tf.concat([screen[..., :2], depth[..., tf.newaxis]], axis=-1)


def face_reconstruction_signatures(system) -> dict[str, ExportSignature]:
    """`serving_default`: reconstruct(image); `landmarks`: landmarks_3d (module docstring)."""
    size = system.image_size

    def reconstruct(inputs: dict) -> dict:
        outputs = system.reconstruct(inputs["image"])
        return {
            **outputs,
            "landmarks_3d": landmarks_3d(system.renderer, outputs["coefficients"], size),
        }

    def landmarks(inputs: dict) -> dict:
        coefficients = system.regressor(tf.cast(inputs["image"], tf.float32), training=False)
        return {"landmarks_3d": landmarks_3d(system.renderer, coefficients, size)}

    return {
        DEFAULT_SIGNATURE: ExportSignature(
            inputs={"image": image_input(system.image_size)},
            function=reconstruct,
            image_outputs=("render",),
            evaluation_target=RECONSTRUCTS_INPUT,
            description="fit the 3D morphable model to faces: coefficients, the render, its "
            "mask, per-pixel UV coordinates and 68 landmarks (pixels; 2-D and 3-D)",
        ),
        LANDMARKS_SIGNATURE: ExportSignature(
            inputs={"image": image_input(size)},
            function=landmarks,
            image_outputs=(),
            evaluation_target=RECONSTRUCTS_INPUT,
            description="the 68 3-D landmarks (x, y, depth pixels) of the fitted model alone",
        ),
    }
