"""The toy system's export spec (tests and benchmarks): three signatures over one generator.

- serving_default: uint8 image -> uint8 image + float32 "change" map (mean |output - input|)
- encoded: PNG / JPEG bytes -> uint8 image
- blend: image + 2-class label map + strength (B, 1) -> image (the generator's output where
  the mask is 1, mixed by strength): several inputs, a mask and a latent-like code.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf
from toy_system import register_toy

from tfface.signatures.image_to_image import image_to_image_signatures, system_image_size
from tfface.signatures.inputs import image_input, label_map_input, latent_input
from tfface.signatures.signature import DEFAULT_SIGNATURE, ExportSignature

MODEL = "toy"


def toy_images(count: int, seed: int = 0) -> np.ndarray:
    """uint8 (count, 8, 8, 3) random images."""
    return np.random.default_rng(seed).integers(0, 256, (count, 8, 8, 3), dtype=np.uint8)


def toy_signatures(system) -> dict[str, ExportSignature]:
    size = system_image_size(system)
    signatures = image_to_image_signatures(system)

    def translate(inputs: dict) -> dict:
        output = system(inputs["image"], training=False)
        return {"image": output, "change": tf.reduce_mean(tf.abs(output - inputs["image"]), -1)}

    def blend(inputs: dict) -> dict:
        output = system(inputs["image"], training=False)
        weight = inputs["mask"][..., 1:2] * inputs["strength"][:, None, None, :]
        return {"image": inputs["image"] + weight * (output - inputs["image"])}

    signatures[DEFAULT_SIGNATURE] = ExportSignature(
        inputs={"image": image_input(size)},
        function=translate,
        description="translate images; change = mean absolute change per pixel",
    )
    signatures["blend"] = ExportSignature(
        inputs={
            "image": image_input(size),
            "mask": label_map_input(2, size),
            "strength": latent_input(1),
        },
        function=blend,
        description="translate where mask == 1, mixed by strength",
    )
    return signatures


def register_toy_export() -> None:
    """Registers the toy system (exportable with `toy_signatures`) as 'toy' (idempotent)."""
    register_toy()
