"""The serving export of `multimodal`: one source render in, near-infrared faces out.

Every `image` input is a uint8 RGB source render (B, S, S, 3) (e.g. the colour-coded
`mask_texture` domain); every output is uint8 grey NIR (B', S, S, 1).

- `serving_default`: `image` -> `image`, the translation with the mean latent z = 0 (the
  mode of p(z); with style mapping s = L(0)). What `tfface predict` calls by default;
  `encoded` is the same on encoded images (`image_to_image_signatures`).
- `translate`: `image`, `z` float32 (B, latent_size) -> `image` = G(y, L(z)).
- `translate_random`: `image`, `seed` int64 (B,), `count` int32 (B,) (one value for the
  whole request, 1..64) -> `image` (B * count, S, S, 1): `count` styles per input, the
  `count` rows of z drawn from N(0, I) by one stateless draw seeded with (seed[i], 0),
  grouped by input (input i
  gives rows i * count .. i * count + count - 1). The same seed gives the same styles.
- `translate_like`: `image`, `reference` uint8 (B, S, S, 3) real NIR faces (grey repeated
  or RGB) -> `image` = G(y, E(reference)): the style of the reference (sec. 3.2.2.3); only
  for configurations with the latent encoder E (LR or IR).

`tfface export` adds the `*_bytes` siblings (encoded images in).
"""

from __future__ import annotations

import tensorflow as tf

from tfface.signatures.image_to_image import TRANSLATION_TARGET, image_to_image_signatures
from tfface.signatures.inputs import image_input, latent_input
from tfface.signatures.signature import ExportInput, ExportSignature

MAX_STYLES = 64
"""The largest `count` of translate_random."""


def multimodal_signatures(system) -> dict[str, ExportSignature]:
    """The signatures of the module docstring (translate_like only with a latent encoder)."""
    size = system.image_size

    def translate(inputs: dict) -> dict:
        return {"image": system.translate(inputs["image"], inputs["z"])}

    def translate_random(inputs: dict) -> dict:
        return {"image": system.translate_random(inputs["image"], inputs["seed"], inputs["count"])}

    signatures = image_to_image_signatures(system)  # serving_default and encoded: z = 0
    signatures.update(
        {
            "translate": ExportSignature(
                inputs={"image": image_input(size), "z": latent_input(system.latent_size)},
                function=translate,
                description="translate source renders to NIR in the style of latent codes z",
                evaluation_target=TRANSLATION_TARGET,
            ),
            "translate_random": ExportSignature(
                inputs={
                    "image": image_input(size),
                    "seed": ExportInput(
                        spec=tf.TensorSpec([None], tf.int64),
                        description="int64 seed per input (batch,)",
                    ),
                    "count": ExportInput(
                        spec=tf.TensorSpec([None], tf.int32),
                        warmup_value=1,
                        description=f"int32 styles per input (batch,), one value, 1..{MAX_STYLES}",
                        value_range=(1, MAX_STYLES),
                    ),
                },
                function=translate_random,
                description="count random NIR styles per source render (batch * count images, "
                "grouped by input)",
            ),
        }
    )
    if system.has_latent_encoder:

        def translate_like(inputs: dict) -> dict:
            return {"image": system.translate_like(inputs["image"], inputs["reference"])}

        signatures["translate_like"] = ExportSignature(
            inputs={"image": image_input(size), "reference": image_input(size)},
            function=translate_like,
            description="translate source renders to NIR in the style of real NIR references "
            "(through the latent encoder E)",
            evaluation_target=TRANSLATION_TARGET,
        )
    return signatures
