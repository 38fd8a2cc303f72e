"""The serving export of pose_editing: frontalise, `rotate_to_angles`, `rotate_to_pose`.

- `serving_default`: `image` uint8 (B, S, S, 3) -> `image` (the frontalised face, uint8),
  `sampled` (the PAS-sampled image J^_fake; the aligned input without PAS), `aligned` (I_tf).
  Source landmarks: our landmark estimator's; target: the learnt frontal template.
- `rotate_to_angles`: + `target_yaw` float32 (B,) in [-90, 90] and `target_pitch` (B,) in
  [-60, 60] degrees: the template posed at those angles.
- `rotate_to_angles_with_landmarks`: the same with given `source_landmarks`.
- `rotate_to_pose`: `image`, `source_landmarks` and `target_landmarks` float32 (B, 68, 3)
  iBUG-68 (x, y, depth) in pixels of the S x S image (e.g. from `tfface predict` of a
  face_reconstruction export, or the guide face's landmarks, L1355).

With `model.identity_model` (and identity_condition) the U-Net's decoder is conditioned on
the identity of the input `image` too; the embedding network is inside the export.

Every image output is uint8; `tfface export` adds the `*_bytes` siblings. `tfface evaluate`
compares `image` with the records' `target_image` (the paired view).
"""

from __future__ import annotations

import tensorflow as tf

from tfface.signatures.evaluation_target import paired_target
from tfface.signatures.inputs import angle_input, image_input
from tfface.signatures.signature import DEFAULT_SIGNATURE, ExportInput, ExportSignature
from tfface.systems.pose_editing.config import MAX_TARGET_PITCH, MAX_TARGET_YAW

ROTATE_TO_ANGLES = "rotate_to_angles"
ROTATE_TO_ANGLES_WITH_LANDMARKS = "rotate_to_angles_with_landmarks"
ROTATE_TO_POSE = "rotate_to_pose"
IMAGE_OUTPUTS = ("image", "sampled", "aligned")
TARGET = paired_target("pose_editing edits its input to the paired view's pose")


def landmark_input(what: str, size: int) -> ExportInput:
    """float32 (B, 68, 3) iBUG-68 landmarks (x, y, depth) in pixels."""
    return ExportInput(
        spec=tf.TensorSpec([None, 68, 3], tf.float32),
        value_range=(-4.0 * size, 4.0 * size),
        warmup_value=float(size) / 2.0,
        description=f"float32 (B, 68, 3) iBUG-68 landmarks of the {what}: x, y, depth in "
        f"pixels of the {size} x {size} image",
    )


def pose_editing_signatures(system) -> dict[str, ExportSignature]:
    """The four signatures of the module docstring."""
    size = system.image_size

    def function(inputs: dict) -> dict:
        return system(dict(inputs), training=False)

    def signature(inputs: dict, description: str) -> ExportSignature:
        return ExportSignature(
            inputs={"image": image_input(size), **inputs},
            function=function,
            image_outputs=IMAGE_OUTPUTS,
            evaluation_target=TARGET,
            description=description,
        )

    angles = {
        "target_yaw": angle_input("target yaw (> 0 turns to the image's right)", MAX_TARGET_YAW),
        "target_pitch": angle_input("target pitch", MAX_TARGET_PITCH),
    }
    source = {"source_landmarks": landmark_input("input image", size)}
    return {
        DEFAULT_SIGNATURE: signature(
            {}, "frontalise faces (landmarks estimated); sampled = PAS output, aligned = I_tf"
        ),
        ROTATE_TO_ANGLES: signature(
            angles, "edit faces to target_yaw / target_pitch degrees (landmarks estimated)"
        ),
        ROTATE_TO_ANGLES_WITH_LANDMARKS: signature(
            {**angles, **source}, "edit faces to the angles, with the input's landmarks given"
        ),
        ROTATE_TO_POSE: signature(
            {**source, "target_landmarks": landmark_input("target pose", size)},
            "edit faces to the pose of target_landmarks",
        ),
    }
