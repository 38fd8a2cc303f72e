"""The serving export of uv_completion: `serving_default` = complete_uv, and `render_pose`.

- `serving_default` (complete_uv): `image` uint8 (B, S, S, 3) -> `uv_texture` uint8
  (B, U, U, 3) (UV_pred), `uv_sampled` uint8 (B, U, U, 3) (UV_spl), `face_mask` float32
  (B, S, S, 1) (m). No 3D fit (section 4.3.1).
- `render_pose` (with the coefficient head): `image`, `target_yaw` and `target_pitch`
  float32 (B,) degrees in [-90, 90] -> `image` uint8 (the completed face re-rendered at that
  yaw and pitch, black off the face), `render_mask`, `uv_texture`. `tfface predict
  --target-yaw` picks it (the one signature with a target_yaw input).

The no-sampler ablation (`model.use_sampler` false, Fig. 4.7) trains its generator on the
traditional UV_gt, so its export completes THAT instead (no sampler, no `render_pose`):

- `serving_default` (complete_traditional_uv): `uv_incomplete` uint8 (B, U, U, 3), the
  incomplete UV map unwrapped from the image through a 3D fit (0 = black off the valid
  texels; `uv_targets.incomplete_uv` of a `uv_fits` / SynthFaces record's image,
  `uv_coords`, visibility and `face_mask`), and `uv_valid` float32 (B, U, U, 1) in [0, 1],
  its valid texels -> `uv_texture` uint8 (B, U, U, 3). `tfface predict --input uv.png
  --mask valid.png` feeds it (the grayscale valid map: > 127 = valid).

`tfface evaluate` scores `serving_default`'s `uv_texture` against SynthFaces' exact texture
(`uv_texture`, data built with `--with-uv-texture`); it cannot feed the no-sampler export
(datasets store no incomplete UV map): `python -m tfface.systems.uv_completion.evaluation`
compares such runs.
"""

from __future__ import annotations

import tensorflow as tf

from tfface.signatures.evaluation_target import exact_uv_texture
from tfface.signatures.inputs import angle_input, image_input
from tfface.signatures.signature import DEFAULT_SIGNATURE, ExportInput, ExportSignature

RENDER_POSE = "render_pose"
MAX_ANGLE = 90.0
UV_TARGET = exact_uv_texture(
    "the completed UV map against SynthFaces' exact texture (raw albedo: the system bakes "
    "the image's lighting into its UV maps, so lighting differences count too)",
    "uv_texture",
)


def valid_map_input(uv_size: int) -> ExportInput:
    """float32 (B, U, U, 1) valid texels in [0, 1], range-checked in the graph."""
    return ExportInput(
        spec=tf.TensorSpec([None, uv_size, uv_size, 1], tf.float32),
        value_range=(0.0, 1.0),
        warmup_value=1.0,
        description=f"float32 valid texels of uv_incomplete (batch, {uv_size}, {uv_size}, 1), "
        "1 = valid, 0 = missing",
    )


def traditional_signatures(system) -> dict[str, ExportSignature]:
    """The no-sampler ablation's `serving_default` (module docstring)."""
    uv_size = system.uv_size

    def complete_traditional_uv(inputs: dict) -> dict:
        return {
            "uv_texture": system.complete_traditional(inputs["uv_incomplete"], inputs["uv_valid"])
        }

    return {
        DEFAULT_SIGNATURE: ExportSignature(
            inputs={"uv_incomplete": image_input(uv_size), "uv_valid": valid_map_input(uv_size)},
            function=complete_traditional_uv,
            image_outputs=("uv_texture",),
            description="complete incomplete UV maps from a 3D fit (the no-sampler ablation): "
            "uv_texture = completed UV map",
            evaluation_target=UV_TARGET,
        )
    }


def uv_completion_signatures(system) -> dict[str, ExportSignature]:
    """`serving_default` and, with the coefficient head, `render_pose`; the no-sampler
    ablation's traditional completion (module docstring)."""
    if not system.model_config.use_sampler:
        return traditional_signatures(system)
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
            evaluation_target=UV_TARGET,
        )
    }
    if system.model_config.coefficient_head:
        signatures[RENDER_POSE] = ExportSignature(
            inputs={
                "image": image_input(size),
                "target_yaw": angle_input("target yaw", MAX_ANGLE),
                "target_pitch": angle_input("target pitch", MAX_ANGLE),
            },
            function=render_pose,
            image_outputs=("image", "uv_texture"),
            description="re-render faces at target_yaw / target_pitch degrees with their "
            "completed UV texture (image black off the face)",
        )
    return signatures
