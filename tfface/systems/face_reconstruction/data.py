"""The data recipe of face_reconstruction: faces with their exact 3DMM coefficients.

Data: `tfface data build synthfaces ... --coefficients [--occluders ...]`. Each record
holds the (possibly occluded) `image` the regressor sees, the face without occluder
(`image_unoccluded`, the image itself when unoccluded) that the photometric and identity
losses compare the render with, the `face_mask` of the face without occluder, the 68
`landmarks` and the `coefficients` of the dataset's morphable model. The occluded copies
make the regressor occlusion-robust: it must predict the face's coefficients from the
occluded image (Yin 2022 sec. 5.3.3 trains against occluded copies).
"""

from __future__ import annotations

import tensorflow as tf

from tfface.systems.data_recipes import feature_batches
from tfface.systems.face_reconstruction.morphable import (
    coefficient_count,
    load_model,
    morphable_model_path,
)
from tfface.systems.splits import split_pattern

FIT_FEATURES = ("image", "image_unoccluded", "face_mask", "landmarks", "coefficients")


def check_coefficients(pattern: str, expected: int, model_path: str) -> None:
    """Raises ValueError unless the first record of `pattern` has `expected` coefficients."""
    from tfface.data.example_files import first_example

    feature = first_example(pattern).features.feature.get("coefficients")
    found = len(feature.float_list.value) if feature is not None else 0
    if found == 0:
        raise ValueError(
            f"face_reconstruction trains on faces with 3DMM coefficients, but {pattern} has "
            "none: build SynthFaces with `tfface data build synthfaces ... --coefficients`"
        )
    if found != expected:
        raise ValueError(
            f"the records of {pattern} hold {found} coefficients, but the morphable model "
            f"{model_path} has {expected}: the data belong to another model"
        )


def fit_batches(config, data_dir: str, split: str = "train") -> tf.data.Dataset:
    """Repeated GLOBAL batches of `split`: 'image', 'image_unoccluded' (B, S, S, 3) in
    [-1, 1], 'face_mask' (B, S, S, 1), 'landmarks' (B, 68, 3) pixels, 'coefficients' (B, C)."""
    model_path = morphable_model_path(config)
    count = coefficient_count(load_model(model_path))
    check_coefficients(split_pattern(data_dir, split), count, model_path)
    batches = feature_batches(config, data_dir, split, FIT_FEATURES)

    def fix_shape(batch: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        return {**batch, "coefficients": tf.ensure_shape(batch["coefficients"], [None, count])}

    return batches.map(fix_shape, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
