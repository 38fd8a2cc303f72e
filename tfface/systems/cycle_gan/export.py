"""The serving export of `cycle_gan`: both directions of the translation.

- `serving_default` (what `tfface predict` calls) and `a_to_b`: uint8 `image` (B, S, S, 3)
  of domain A (photos) -> uint8 `image` G(x) of domain B (paintings).
- `b_to_a`: uint8 `image` of domain B -> F(y) of domain A.
- `encoded`: `image_bytes` (B,) PNG / JPEG -> `image`, A -> B (`image_to_image_signatures`).

`tfface export` adds the `*_bytes` siblings. `tfface evaluate` scores `serving_default` /
`a_to_b` against the records' `target_image` (SynthFaces `--pair-domains rgb painting`: the
exact painting of the same face).
"""

from __future__ import annotations

from tfface.signatures.image_to_image import image_to_image_signatures
from tfface.signatures.inputs import image_input
from tfface.signatures.signature import DEFAULT_SIGNATURE, ExportSignature


def cycle_gan_signatures(system) -> dict[str, ExportSignature]:
    """`serving_default`, `encoded`, `a_to_b` and `b_to_a` (module docstring)."""
    signatures = image_to_image_signatures(system)
    signatures["a_to_b"] = signatures[DEFAULT_SIGNATURE]
    signatures["b_to_a"] = ExportSignature(
        inputs={"image": image_input(system.image_size)},
        function=lambda inputs: {"image": system.b_to_a(inputs["image"])},
        description="translate uint8 RGB images of domain B (paintings) into domain A (photos)",
    )
    return signatures
