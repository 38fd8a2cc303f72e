"""Serving signatures of warp inpainting: `inpaint(image, hole_mask) -> image` (serving_default).

See `tfface.systems.inpainting_export` for the signatures (uint8 image (B, S, S, 3), uint8
hole mask (B, S, S, 1) with 255 = hole, or a float32 {0, 1} mask in `inpaint_unit_mask`).
The exported graph runs the configured sampler (forward or backward warping), nearest
hole filling and the merger; no XLA clusters (TF Serving compatible).
"""

from __future__ import annotations

from serving.signatures import register_export
from tfface.systems.inpainting_export import inpainting_signatures

register_export("warp_inpainting", inpainting_signatures)
