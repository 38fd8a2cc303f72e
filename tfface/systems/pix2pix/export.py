"""The serving export of `pix2pix`: uint8 source images in, uint8 translations out.

- `serving_default` (what `tfface predict` calls) and `translate`: `image` uint8 (B, S, S, 3)
  -> `image` uint8 (B, S, S, 3) = G(x), the translation family's common name.
- `encoded`: `image_bytes` (B,) PNG / JPEG -> `image` (`image_to_image_signatures`).

`tfface export` adds the `*_bytes` siblings. `tfface evaluate` scores `image` against the
records' paired target (SynthFaces `--pair-domains`: the exact painting of the same face).
"""

from __future__ import annotations

from tfface.signatures.image_to_image import image_to_image_signatures
from tfface.signatures.signature import DEFAULT_SIGNATURE, ExportSignature


def pix2pix_signatures(system) -> dict[str, ExportSignature]:
    """`serving_default`, `encoded` and `translate` (module docstring)."""
    signatures = image_to_image_signatures(system)
    signatures["translate"] = signatures[DEFAULT_SIGNATURE]
    return signatures
