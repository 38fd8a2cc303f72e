"""The serving export of face_recognition: the face-embedding model of tfface.

- `serving_default`: `image` uint8 (B, S, S, 3) -> `embedding` float32 (B, D), L2-normalised:
  what TF Serving clients, `tfface predict` and `tfface evaluate --identity-model` call;
- `embed`: `image` float32 (B, S, S, 3) in [-1, 1] -> `embedding` float32 (B, D), the same
  network with a float input, differentiable: what `tfface.weights.identity_network.
  load_identity_network` picks, so the export is the `model.identity_model` of the identity
  losses of other systems (warp_rotation, face_reconstruction) as it is.

`tfface export` adds `serving_bytes` (encoded images in).
"""

from __future__ import annotations

import tensorflow as tf

from tfface.signatures.inputs import DEFAULT_WARMUP_SIZE, image_input
from tfface.signatures.signature import DEFAULT_SIGNATURE, ExportInput, ExportSignature

EMBED_SIGNATURE = "embed"


def float_image_input(size: int | None) -> ExportInput:
    """float32 (B, size, size, 3) images in [-1, 1], passed through unchanged."""
    warmup = size or DEFAULT_WARMUP_SIZE
    return ExportInput(
        spec=tf.TensorSpec([None, size, size, 3], tf.float32),
        warmup_shape=(1, warmup, warmup, 3),
        warmup_value=0.0,
        description=f"float32 RGB images in [-1, 1] (batch, {size}, {size}, 3)",
        value_range=(-1.0, 1.0),
    )


def face_recognition_signatures(system) -> dict[str, ExportSignature]:
    """`serving_default` (uint8 images) and `embed` (float images): image -> embedding."""

    def embed(inputs: dict) -> dict:
        return {"embedding": system.embed(inputs["image"])}

    description = (
        "L2-normalised face embeddings (cosine similarity = identity similarity), "
        f"{system.model_config.embedding_size}-d"
    )
    return {
        DEFAULT_SIGNATURE: ExportSignature(
            inputs={"image": image_input(system.image_size)},
            function=embed,
            image_outputs=(),
            description=description,
        ),
        EMBED_SIGNATURE: ExportSignature(
            inputs={"image": float_image_input(system.image_size)},
            function=embed,
            image_outputs=(),
            description=description + "; float input in [-1, 1], differentiable",
        ),
    }
