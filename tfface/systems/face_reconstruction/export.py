"""The serving export of face_reconstruction: `serving_default` = `reconstruct(image)`.

`image` uint8 (B, S, S, 3) ->
- `coefficients` float32 (B, C): the 3DMM coefficients (`tfface.face3d.coefficients` layout
  of the system's morphable model);
- `render` uint8 (B, S, S, 3): the fitted face rendered (black off the face);
- `render_mask` float32 (B, S, S, 1): 1 where the render covers the pixel;
- `uv_coords` float32 (B, S, S, 2): (u, v) in [0, 1] of the visible surface, 0 off it;
- `landmarks` float32 (B, 68, 2): iBUG-68 (x, y) in pixels.

`tfface export` adds `serving_bytes` (encoded images in, `render_png_bytes` besides).
"""

from __future__ import annotations

from tfface.signatures.evaluation_target import reconstructs_input
from tfface.signatures.inputs import image_input
from tfface.signatures.signature import DEFAULT_SIGNATURE, ExportSignature

RECONSTRUCTS_INPUT = reconstructs_input("face_reconstruction renders the face of its input")


def face_reconstruction_signatures(system) -> dict[str, ExportSignature]:
    """`serving_default`: reconstruct(image) (module docstring)."""

    def reconstruct(inputs: dict) -> dict:
        return system.reconstruct(inputs["image"])

    return {
        DEFAULT_SIGNATURE: ExportSignature(
            inputs={"image": image_input(system.image_size)},
            function=reconstruct,
            image_outputs=("render",),
            evaluation_target=RECONSTRUCTS_INPUT,
            description="fit the 3D morphable model to faces: coefficients, the render, its "
            "mask, per-pixel UV coordinates and 68 landmarks (pixels)",
        )
    }
