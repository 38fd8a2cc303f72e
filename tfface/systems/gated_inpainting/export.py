"""Serving signatures of the gated inpainting baseline: `inpaint(image, hole_mask) -> image`.

See `tfface.systems.inpainting_export` (serving_default = inpaint: uint8 image (B, S, S, 3)
and uint8 hole mask (B, S, S, 1), 255 = hole; `inpaint_unit_mask` with a float32 mask).
"""

from __future__ import annotations

from serving.signatures import register_export
from tfface.systems.inpainting_export import inpainting_signatures

register_export("gated_inpainting", inpainting_signatures)
