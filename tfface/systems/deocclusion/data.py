"""The data recipe of deocclusion: occluded faces, their ground truth and 3DMM coefficients.

Data: `tfface data build synthfaces ... --occluders sunglasses medical_mask ...
--coefficients` (SynthFaces writes each face bare and behind every listed occluder). A record
holds the occluded `image` (Eq. 5.2's I), `image_unoccluded` (I_f, the image itself when
bare), `face_mask` (the face classes of the face without occluder), `occlusion_mask` (the
occluder's mask, empty when bare), the 68 `landmarks` and the `coefficients` of the
dataset's morphable model (N_R's targets, and the exact render I_m, M_m of N_G's
`generator_inputs="data"`). The visible-face ground truth of N_S is face_mask minus the
occluder (`masks.visible_face`).

With `generator_inputs="data"` the render I_m, M_m and the Poisson pseudo target I_p depend
on the record alone, so they are computed once per record here (`masks.exact_generator_
targets`, cached in memory) instead of in every train step: the tiny preset's step is
about a third faster.

Real faces with real occluders (folders of faces, face masks and RGBA hands, glasses,
masks) come from `tfface data build occlusion --reconstruction EXPORT --morphable-model
NPZ` (pipelines/occlusion.py): the same features, with the pseudo ground-truth
`coefficients` and `landmarks` of a face_reconstruction export's fit of the CLEAN face
(methods B2), `face_mask` = the clean face, and the morphable model copied beside the
records: this recipe reads them as it reads SynthFaces'.
"""

from __future__ import annotations

import tensorflow as tf

from tfface.data.reader import make_dataset
from tfface.face3d import FaceRenderer
from tfface.systems.data_recipes import feature_batches
from tfface.systems.deocclusion.masks import exact_generator_targets
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
    With `model.generator_inputs="data"` also 'render', 'pseudo_target' (B, S, S, 3) in
    [-1, 1] and 'render_mask' (B, S, S, 1) of the record's coefficients (module docstring).

    Raises:
        ValueError: the records have no coefficients, or another model's.
    """
    model_path = morphable_model_path(config)
    count = coefficient_count(load_model(model_path))
    check_coefficients(split_pattern(data_dir, split), count, model_path)
    if config.model.generator_inputs == "data":
        batches = _batches_with_exact_renders(config, data_dir, split, model_path)
    else:
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


def _batches_with_exact_renders(config, data_dir: str, split: str, model_path: str):
    """Repeated global batches of the records plus `exact_generator_targets`, rendered once
    per record (cached), then shuffled with `data.seed` as `feature_batches` does."""
    size = config.data.image_size
    renderer = FaceRenderer(load_model(model_path), cull_backfaces=True)
    iterations = config.model.poisson_iterations

    def add_targets(records: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        return {**records, **exact_generator_targets(renderer, records, size, iterations)}

    examples = (
        make_dataset(
            split_pattern(data_dir, split),
            features=DEOCCLUSION_FEATURES,
            batch_size=32,
            image_size=size,
            shuffle=False,
            deterministic=True,
            drop_remainder=False,
        )
        .map(add_targets)
        .unbatch()
        .cache()
    )
    if config.data.shuffle_buffer > 0:
        examples = examples.shuffle(config.data.shuffle_buffer, seed=config.data.seed)
    return (
        examples.repeat()
        .batch(config.train.batch_size, drop_remainder=True)
        .prefetch(tf.data.AUTOTUNE)
    )
