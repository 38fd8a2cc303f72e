"""The data recipe of deocclusion: occluded faces, their ground truth and 3DMM coefficients.

Data: `tfface data build synthfaces ... --occluders sunglasses medical_mask ...
--coefficients` (SynthFaces writes each face bare and behind every listed occluder). A record
holds the occluded `image` (Eq. 5.2's I), `image_unoccluded` (I_f, the image itself when
bare), `face_mask` (the face classes of the face without occluder), `occlusion_mask` (the
occluder's mask, empty when bare), the 68 `landmarks` and the `coefficients` of the
dataset's morphable model (N_R's targets, and the exact render I_m, M_m of N_G's
`generator_inputs="data"`). The visible-face ground truth of N_S is face_mask minus the
occluder (`masks.visible_face`).

Real faces with real occluders (folders of image + mask: hands, glasses, masks) come from
`tfface data build occlusion` (pipelines/occlusion.py, the same features without
coefficients); N_R needs coefficients, so such data trains a system whose N_R is
initialised from `model.reconstruction_checkpoint` with `generator_inputs="networks"`
(N_R's loss then needs coefficients too: see README).
"""

from __future__ import annotations

import tensorflow as tf

from tfface.systems.data_recipes import feature_batches
from tfface.systems.face_reconstruction.data import check_coefficients
from tfface.systems.face_reconstruction.morphable import (
    coefficient_count,
    load_model,
    morphable_model_path,
)
from tfface.systems.splits import split_pattern

DEOCCLUSION_FEATURES = (
    "image",
    "image_unoccluded",
    "face_mask",
    "occlusion_mask",
    "landmarks",
    "coefficients",
)


def deocclusion_batches(config, data_dir: str, split: str = "train") -> tf.data.Dataset:
    """Repeated GLOBAL batches of `split`: 'image', 'image_unoccluded' (B, S, S, 3) in
    [-1, 1], 'face_mask', 'occlusion_mask' (B, S, S, 1) in {0, 1}, 'landmarks' (B, 68, 3)
    pixels, 'coefficients' (B, C), and 'noise' (B, S, S, 3) ~ N(0, 1): the noise that
    replaces the occlusion in N_G's input I_n (methods B12), drawn per global batch from
    (data.seed, batch index), so every replica split and every rerun sees the same values.

    Raises:
        ValueError: the records have no coefficients, or another model's.
    """
    model_path = morphable_model_path(config)
    count = coefficient_count(load_model(model_path))
    check_coefficients(split_pattern(data_dir, split), count, model_path)
    batches = feature_batches(config, data_dir, split, DEOCCLUSION_FEATURES)

    seed = tf.constant(config.data.seed, tf.int64)

    def prepare(index: tf.Tensor, batch: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        image = batch["image"]
        return {
            **batch,
            "noise": tf.random.stateless_normal(tf.shape(image), tf.stack([seed, index])),
            "face_mask": tf.cast(batch["face_mask"], tf.float32),
            "occlusion_mask": tf.cast(batch["occlusion_mask"], tf.float32),
            "coefficients": tf.ensure_shape(batch["coefficients"], [None, count]),
        }

    return batches.enumerate().map(prepare, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
