"""The serving export of uv_completion: `serving_default` = complete_uv, and `render_pose`.

- `serving_default` (complete_uv): `image` uint8 (B, S, S, 3) -> `uv_texture` uint8
  (B, U, U, 3) (UV_pred), `uv_sampled` uint8 (B, U, U, 3) (UV_spl), `face_mask` float32
  (B, S, S, 1) (m). No 3D fit (section 4.3.1).
- `render_pose` (with the coefficient head): `image`, `target_yaw` and `target_pitch`
  float32 (B,) degrees in [-90, 90] -> `image` uint8 (the completed face re-rendered at that
  yaw and pitch, black off the face), `render_mask`, `uv_texture`. `tfface predict
  --target-yaw` picks it (the one signature with a target_yaw input).
"""

from __future__ import annotations

import tensorflow as tf

from tfface.signatures.inputs import image_input
from tfface.signatures.signature import DEFAULT_SIGNATURE, ExportInput, ExportSignature

RENDER_POSE = "render_pose"
MAX_ANGLE = 90.0


def angle_input(what: str) -> ExportInput:
    """float32 (B,) degrees in [-90, 90], range-checked in the graph."""
    return ExportInput(
        spec=tf.TensorSpec([None], tf.float32),
        value_range=(-MAX_ANGLE, MAX_ANGLE),
        warmup_shape=(1,),
        warmup_value=0.0,
        description=f"float32 target {what} per image, degrees in [-{MAX_ANGLE:g}, {MAX_ANGLE:g}]",
    )


def uv_completion_signatures(system) -> dict[str, ExportSignature]:
    """`serving_default` and, with the coefficient head, `render_pose` (module docstring)."""
    size = system.image_size

    def complete_uv(inputs: dict) -> dict:
        completed = system.complete(inputs["image"])
        return {
            "uv_texture": completed["uv_texture"],
            "uv_sampled": completed["uv_sampled"],
            "face_mask": completed["mask"],
        }

    def render_pose(inputs: dict) -> dict:
        return system.render_pose(inputs["image"], inputs["target_yaw"], inputs["target_pitch"])

    signatures = {
        DEFAULT_SIGNATURE: ExportSignature(
            inputs={"image": image_input(size)},
            function=complete_uv,
            image_outputs=("uv_texture", "uv_sampled"),
            description="complete the UV texture of faces: uv_texture = completed UV map, "
            "uv_sampled = the sampler's incomplete UV map, face_mask = the attention mask",
        )
    }
    if system.model_config.coefficient_head:
        signatures[RENDER_POSE] = ExportSignature(
            inputs={
                "image": image_input(size),
                "target_yaw": angle_input("yaw"),
                "target_pitch": angle_input("pitch"),
            },
            function=render_pose,
            image_outputs=("image", "uv_texture"),
            description="re-render faces at target_yaw / target_pitch degrees with their "
            "completed UV texture (image black off the face)",
        )
    return signatures
