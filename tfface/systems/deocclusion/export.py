"""The serving export of deocclusion: `serving_default` = `deocclude`, and `segment_face`.

- `serving_default` (deocclude): `image` uint8 (B, S, S, 3) ->
  `image` uint8 (B, S, S, 3), the de-occluded face I^ (Fig. 5.2);
  `occlusion_mask` float32 (B, S, S, 1) in {0, 1}, M_o of Eq. 5.1 (what was inpainted);
  `face_mask` float32 (B, S, S, 1) in {0, 1}, N_S's visible face M_f.
- `segment_face`: `image` uint8 (B, S, S, 3) -> `face_mask` float32 (B, S, S, 1) in {0, 1}
  and `face_probability` float32 (B, S, S, 1) in [0, 1].

`tfface export` adds `serving_bytes` (encoded images in, PNG bytes out). `tfface evaluate
EXPORT --data DIR` scores `deocclude`'s `image` against the records' `image_unoccluded`
(the face beneath the occluder; whole images).
"""

from __future__ import annotations

import tensorflow as tf

from tfface.signatures.evaluation_target import unoccluded_target
from tfface.signatures.inputs import image_input
from tfface.signatures.signature import DEFAULT_SIGNATURE, ExportSignature

SEGMENT_FACE = "segment_face"
DEOCCLUDED_FACE = unoccluded_target(
    "deocclusion aims at the face beneath the occluder (per-occluder Table 5.1 inside the "
    "occluded region: tfface.systems.deocclusion.evaluation)"
)


def deocclusion_signatures(system) -> dict[str, ExportSignature]:
    """`serving_default` (deocclude) and `segment_face` (module docstring)."""

    def deocclude(inputs: dict) -> dict:
        outputs = system.deocclude(inputs["image"])
        return {key: outputs[key] for key in ("image", "occlusion_mask", "face_mask")}

    def segment_face(inputs: dict) -> dict:
        probability = system.segment_face(inputs["image"])
        threshold = system.model_config.mask_threshold
        return {
            "face_mask": tf.cast(probability > threshold, tf.float32),
            "face_probability": probability,
        }

    return {
        DEFAULT_SIGNATURE: ExportSignature(
            inputs={"image": image_input(system.image_size)},
            function=deocclude,
            evaluation_target=DEOCCLUDED_FACE,
            description="remove occluders from faces: the de-occluded image, the occlusion "
            "mask that was inpainted and the visible-face mask",
        ),
        SEGMENT_FACE: ExportSignature(
            inputs={"image": image_input(system.image_size)},
            function=segment_face,
            image_outputs=(),
            description="segment the visible face (occluders excluded): mask and probability",
        ),
    }
