"""The serving export of warp_rotation: `serving_default` (rotate to frontal) and `rotate_to_yaw`.

- `serving_default`: `image` uint8 (B, S, S, 3) -> `image` (the rotated face, uint8),
  `warped` (the warped image, holes painted black, uint8), `hole_mask` float32 (B, S, S, 1)
  (1 where the sampler left a hole). The target is frontal (yaw 0), as in the thesis.
- `rotate_to_yaw` (models with `model.target_yaw_input`): the same, plus `target_yaw`
  float32 (B,) in degrees within [-90, 90]; other values fail with INVALID_ARGUMENT.

`tfface export` adds `serving_bytes` and `rotate_to_yaw_bytes` (`tfface.signatures.bytes_signatures`):
`image_bytes` (one PNG / JPEG per example, centre-cropped and resized to S in the graph)
instead of `image`, and `image_png_bytes` / `warped_png_bytes` besides the outputs above.

A SignatureDef has no optional inputs (TF Serving requires every input of a signature), so
the optional target yaw of `rotate(image[, target_yaw])` is a second signature.
"""

from __future__ import annotations

from tfface.signatures.evaluation_target import paired_target
from tfface.signatures.inputs import angle_input, image_input
from tfface.signatures.signature import DEFAULT_SIGNATURE, ExportInput, ExportSignature
from tfface.systems.warp_rotation.config import MAX_TARGET_YAW

ROTATE_TO_YAW = "rotate_to_yaw"
IMAGE_OUTPUTS = ("image", "warped")


def target_yaw_input() -> ExportInput:
    """float32 (B,) target yaws in degrees, range-checked in the graph (NaN is refused too)."""
    return angle_input("target yaw (> 0 turns the face to the image's right)", MAX_TARGET_YAW)


def warp_rotation_signatures(system) -> dict[str, ExportSignature]:
    """`serving_default` and, with a target-yaw input, `rotate_to_yaw` (module docstring)."""
    size = system.image_size

    def rotate(inputs: dict) -> dict:
        return system({"image": inputs["image"]}, training=False)

    def rotate_to_yaw(inputs: dict) -> dict:
        return system(
            {"image": inputs["image"], "target_yaw": inputs["target_yaw"]}, training=False
        )

    signatures = {
        DEFAULT_SIGNATURE: ExportSignature(
            inputs={"image": image_input(size)},
            function=rotate,
            image_outputs=IMAGE_OUTPUTS,
            evaluation_target=paired_target("warp_rotation rotates its input to the paired view"),
            description="rotate faces to frontal; warped = forward-warped input (holes "
            "black), hole_mask = 1 where the warp left a hole",
        )
    }
    if system.model_config.target_yaw_input:
        signatures[ROTATE_TO_YAW] = ExportSignature(
            inputs={"image": image_input(size), "target_yaw": target_yaw_input()},
            function=rotate_to_yaw,
            image_outputs=IMAGE_OUTPUTS,
            evaluation_target=paired_target("warp_rotation rotates its input to the paired view"),
            description="rotate faces to target_yaw degrees (outputs as serving_default)",
        )
    return signatures
