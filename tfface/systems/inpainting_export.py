"""Serving signatures of the inpainting systems: `inpaint(image, hole_mask) -> image`.

The `EXPORTS` of warp_inpainting and gated_inpainting (`tfface/systems/inpainting_system.py`).
The exported graph runs the system's forward pass (warp_inpainting: the configured sampler,
nearest hole filling and the merger); no XLA clusters (TF Serving compatible).

- `serving_default` = `inpaint`: uint8 `image` (B, S, S, 3) and uint8 `hole_mask`
  (B, S, S, 1), 255 = hole, 0 = known (the TFRecord convention) -> uint8 `image` with the
  holes filled and the known pixels kept.
- `inpaint_unit_mask`: the same with a float32 `hole_mask` in {0, 1}, 1 = hole.
- `tfface export` adds the encoded-image siblings (`tfface.signatures.bytes_signatures`):
  `serving_bytes` / `inpaint_bytes` take `image_bytes` and `hole_mask_bytes` (an 8-bit
  greyscale PNG, 0 / 255), `inpaint_unit_mask_bytes` takes `image_bytes` and the float mask.

Any other mask value answers INVALID_ARGUMENT ("input 'hole_mask' must hold only the values
0, 255"), and so do other sizes or channel counts ("input 'hole_mask' must be uint8 (batch,
S, S, 1)"; the graph's input checks, `tfface/signatures/input_checks.py`). The input names follow
the evaluation contract (`tfface.metrics.evaluation_inputs`: `hole_mask` is fed from the
dataset's holes, or from seeded free-form strokes when it has none), so `tfface evaluate`
measures MSE / SSIM (whole image and holes), IS and FID of these exports.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

from tfface.signatures.evaluation_target import reconstructs_input
from tfface.signatures.image_codec import LABELS
from tfface.signatures.inputs import image_input
from tfface.signatures.signature import DEFAULT_SIGNATURE, ExportInput, ExportSignature

HOLE_VALUES = {tf.uint8: 255.0, tf.float32: 1.0}


def hole_mask_to_unit(mask: tf.Tensor) -> tf.Tensor:
    """uint8 {0, 255} or float {0, 1} (B, S, S, 1) -> float32 {0, 1} (other values are refused
    before, by the input's `allowed_values`: `tfface/signatures/input_checks.py`)."""
    return tf.cast(mask, tf.float32) / HOLE_VALUES[mask.dtype]


def hole_mask_input(size: int, dtype: tf.DType = tf.uint8) -> ExportInput:
    """A (B, S, S, 1) hole mask (uint8 0 / 255 or float32 0 / 1), float32 {0, 1} in the graph."""
    hole_value = HOLE_VALUES[dtype]
    return ExportInput(
        spec=tf.TensorSpec([None, size, size, 1], dtype),
        normalize=hole_mask_to_unit,
        warmup_shape=(1, size, size, 1),
        warmup_value=0,
        description=f"{dtype.name} hole masks (batch, {size}, {size}, 1): "
        f"{hole_value:g} = hole, 0 = known pixel",
        picture=LABELS if dtype == tf.uint8 else None,  # 0 / 255 PNG masks decode into it
        allowed_values=(0.0, hole_value),
    )


def inpainting_signatures(system: Any) -> dict[str, ExportSignature]:
    """`serving_default` / `inpaint` (uint8 mask) and `inpaint_unit_mask` (float32 mask)."""
    size = int(system.image_size)

    def inpaint(inputs: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        image = inputs["image"]  # (B, S, S, 3) in [-1, 1]
        holes = inputs["hole_mask"]  # (B, S, S, 1) in {0, 1}
        filled = system({"image": image, "hole_mask": holes}, training=False)
        return {"image": filled}  # float32 (B, S, S, 3) in [-1, 1] -> uint8 at the edge

    def signature(dtype: tf.DType, description: str) -> ExportSignature:
        return ExportSignature(
            inputs={"image": image_input(size), "hole_mask": hole_mask_input(size, dtype)},
            function=inpaint,
            description=description,
            evaluation_target=reconstructs_input(
                "inpainting fills holes cut into its input: the target is the unholed image"
            ),
        )

    uint8_description = "inpaint: fill the holes (hole_mask 255) of image, keep the known pixels"
    return {
        DEFAULT_SIGNATURE: signature(tf.uint8, uint8_description),
        "inpaint": signature(tf.uint8, uint8_description),
        "inpaint_unit_mask": signature(
            tf.float32, "inpaint with a float32 hole_mask in {0, 1} (1 = hole)"
        ),
    }
