"""The export spec of image-to-image systems (`call(image) -> image`, pix2pix-like).

    SystemSpec(name="pix2pix", ..., export_signatures=image_to_image_signatures)

gives `serving_default`: uint8 `image` (B, S, S, 3) -> uint8 `image`, and `encoded`:
`image_bytes` (B,) PNG / JPEG -> uint8 `image`, where S is `system.image_size`, or the
generator's input size, or unknown (fully convolutional networks). `tfface export` also
adds `serving_bytes` (`tfface.signatures.bytes_signatures`), which is `encoded` plus a PNG copy of the
output (`image_png_bytes`); `encoded` stays for the clients that use it.
"""

from __future__ import annotations

from typing import Any

from tfface.signatures.evaluation_target import paired_target
from tfface.signatures.inputs import (
    DEFAULT_WARMUP_SIZE,
    encoded_image_input,
    image_input,
)
from tfface.signatures.signature import DEFAULT_SIGNATURE, ExportSignature

TRANSLATION_TARGET = paired_target("image-to-image translation: the paired target image")


def system_image_size(system: Any) -> int | None:
    """The side of the images `system` takes, if it says (attribute or first network input)."""
    size = getattr(system, "image_size", None)
    if size:
        return int(size)
    for network_name in getattr(system, "network_names", ()):
        shape = getattr(system.network(network_name), "input_shape", None)
        if isinstance(shape, tuple) and len(shape) == 4 and shape[1] and shape[1] == shape[2]:
            return int(shape[1])
    return None


def image_to_image_signatures(system: Any) -> dict[str, ExportSignature]:
    """`serving_default` (uint8 image -> image) and `encoded` (image bytes -> image)."""
    size = system_image_size(system)

    def translate(inputs: dict) -> dict:
        return {"image": system(inputs["image"], training=False)}

    def translate_encoded(inputs: dict) -> dict:
        return {"image": system(inputs["image_bytes"], training=False)}

    return {
        DEFAULT_SIGNATURE: ExportSignature(
            inputs={"image": image_input(size)},
            function=translate,
            description="translate uint8 RGB images",
            evaluation_target=TRANSLATION_TARGET,
        ),
        "encoded": ExportSignature(
            inputs={"image_bytes": encoded_image_input(size or DEFAULT_WARMUP_SIZE)},
            function=translate_encoded,
            description="translate encoded images (PNG, JPEG, BMP, GIF)",
            evaluation_target=TRANSLATION_TARGET,
        ),
    }
