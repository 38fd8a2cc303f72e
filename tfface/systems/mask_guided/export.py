"""Serving signatures of the mask-guided system (S1408 2022 sec. 4.4 editing tasks).

The system's `EXPORTS` (`MaskGuidedSystem` in `tfface/systems/mask_guided/system.py`).
Every signature takes uint8
images (B, S, S, 3) and uint8 PORTRAIT_11 label maps (B, S, S) (class indices 0..10,
see `tfface.data.labels.PORTRAIT_11`); the graph normalises images to [-1, 1] and
one-hot encodes the label maps (labels >= 11 answer INVALID_ARGUMENT).

- `serving_default` = edit (sec. 4.4.2): `image`, its `label_map` and the
  `edited_label_map` -> `image`, the face re-drawn in the edited structure (component
  appearance from `image`, background from `image`). Swapping in another face's whole
  mask (`swap_mask`) is the same call.
- `synthesize` (sec. 4.4.1): the structure of `label_map` with the background of `image`
  and the component appearance of `source_image` (whose mask is `source_label_map`).
- `parse`: the face parser P_F: `image` -> uint8 `label_map` (B, S, S) and float32
  `probabilities` (B, S, S, 11) (softmax of P_F's logits).

`tfface export` adds their encoded-image siblings (`tfface.signatures.bytes_signatures`):
`serving_bytes`, `synthesize_bytes` and `parse_bytes` take each picture input `x` as
`x_bytes`, one PNG / JPEG per example (label maps as 8-bit greyscale PNG of class
indices), centre-cropped and resized to S in the graph, and also return the uint8 picture
outputs PNG-encoded (`image_png_bytes`, `label_map_png_bytes`).

Input names follow the evaluation contract (`tfface.metrics.evaluation_inputs`): `image` and
`label_map` come from a dataset's `image` / `label_map_11`, so `tfface evaluate` runs the
reconstruction (edit with the unchanged mask) on a held-out split.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

from tfface.signatures.evaluation_target import reconstructs_input
from tfface.signatures.inputs import image_input, label_map_input
from tfface.signatures.signature import DEFAULT_SIGNATURE, ExportSignature
from tfface.systems.mask_guided.components import CLASSES


def mask_guided_signatures(system: Any) -> dict[str, ExportSignature]:
    """`serving_default` (edit), `synthesize` and `parse` of a `MaskGuidedSystem`."""
    size = system.image_size

    def edit(inputs: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        image = inputs["image"]  # float32 (B, S, S, 3) in [-1, 1]
        edited = system(
            {
                "source_image": image,
                "source_mask": inputs["label_map"],  # one-hot (B, S, S, 11)
                "target_image": image,
                "target_mask": inputs["edited_label_map"],
            },
            training=False,
        )
        return {"image": edited}  # float32 (B, S, S, 3) in [-1, 1]

    def synthesize(inputs: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        generated = system(
            {
                "source_image": inputs["source_image"],
                "source_mask": inputs["source_label_map"],
                "target_image": inputs["image"],
                "target_mask": inputs["label_map"],
            },
            training=False,
        )
        return {"image": generated}

    def parse(inputs: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        logits = system.face_parser(inputs["image"], training=False)  # (B, S, S, 11)
        return {
            "label_map": tf.cast(tf.argmax(logits, axis=-1), tf.uint8),  # (B, S, S) in 0..10
            "probabilities": tf.nn.softmax(logits, axis=-1),  # float32 (B, S, S, 11) in [0, 1]
        }

    return {
        DEFAULT_SIGNATURE: ExportSignature(
            inputs={
                "image": image_input(size),
                "label_map": label_map_input(CLASSES, size),
                "edited_label_map": label_map_input(CLASSES, size),
            },
            function=edit,
            evaluation_target=reconstructs_input(
                "mask_guided reconstructs its input when the mask is unchanged"
            ),
            description="edit: the face of `image` (mask `label_map`) re-drawn in the structure "
            "of `edited_label_map` (PORTRAIT_11 labels)",
        ),
        "synthesize": ExportSignature(
            inputs={
                "image": image_input(size),
                "label_map": label_map_input(CLASSES, size),
                "source_image": image_input(size),
                "source_label_map": label_map_input(CLASSES, size),
            },
            function=synthesize,
            evaluation_target=reconstructs_input(
                "mask_guided reconstructs its input when source and target are the same face"
            ),
            description="synthesize: the structure of `label_map` and background of `image` "
            "with the component appearance of `source_image` (mask `source_label_map`)",
        ),
        "parse": ExportSignature(
            inputs={"image": image_input(size)},
            function=parse,
            image_outputs=(),
            evaluation_target=reconstructs_input("the parser labels its input image"),
            description="parse: PORTRAIT_11 label map and class probabilities of `image`",
        ),
    }
