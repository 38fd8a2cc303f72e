"""The data recipe of uv_completion: faces, their fit, UV_gt, S_gt, UV_bl and real crops.

Data: `tfface data build synthfaces --output DIR ... --coefficients --uv-completion
[--with-uv-texture]`. The records hold the image, m_gt (`face_mask`), the fit's per-pixel
UV coordinates and visibility (`uv_coords`), the 3DMM `coefficients`, the `pose` and the
pseudo-complete UV_bl (`uv_blend`, made by the Beam job: two Poisson blends, section
4.3.2.1); with `--with-uv-texture` also SynthFaces' exact texture (`uv_texture`, evaluation
only). This recipe recomputes UV_gt, S_gt and the valid texels with the Beam job's own
function (`uv_targets.incomplete_uv`) and cuts the real partial crops (section 4.3.2.2, A10):

- 'centre_real' (B, h, wc, 3) with 'centre_flag' (B,) 1 when the image is frontal
  (|yaw| < frontal_yaw) and the crop is covered to crop_coverage;
- 'side_real' (B, h, ws, 3) with 'side_flag': from profile images (|yaw| > profile_yaw),
  the covered side (the left one, or the right one mirrored).

Real crops have their holes filled from the mirror, then by the nearest valid texel.
Real data: any records with these features work; the fit of a photo comes from the
face_reconstruction export (its `uv_coords` and `coefficients` outputs): the `uv_fits` Beam
job writes such records for photo folders (pipelines/uv_fits.py).
"""

from __future__ import annotations

import tensorflow as tf

from tfface.face3d import mirror_fill
from tfface.ops.hole_filling import nearest_fill
from tfface.systems.data_recipes import feature_batches
from tfface.systems.morphable_data import coefficient_count
from tfface.systems.splits import split_pattern
from tfface.systems.uv_completion.layout import load_model, morphable_model_path, partial_crops
from tfface.systems.uv_completion.uv_targets import default_erosion, incomplete_uv

TRAINING_FEATURES = ("image", "face_mask", "uv_coords", "coefficients", "pose", "uv_blend")


def record_features(pattern: str) -> tuple[str, ...]:
    """The features the recipe reads from `pattern`, checked (ValueError with the fix)."""
    from tfface.data.example_files import first_example

    stored = first_example(pattern).features.feature
    missing = [name for name in TRAINING_FEATURES if name not in stored]
    if missing:
        raise ValueError(
            f"uv_completion needs records with {', '.join(TRAINING_FEATURES)}; {pattern} lacks "
            f"{', '.join(missing)}: build them with `tfface data build synthfaces ... "
            "--coefficients --uv-completion [--with-uv-texture]`"
        )
    return TRAINING_FEATURES + (("uv_texture",) if "uv_texture" in stored else ())


def coverage(valid: tf.Tensor) -> tf.Tensor:
    """(B, h, w, 1) -> (B,) fraction of valid texels."""
    return tf.reduce_mean(valid, axis=[1, 2, 3])


def add_uv_targets(batch: dict[str, tf.Tensor], model_config) -> dict[str, tf.Tensor]:
    """Adds 'uv_gt', 'sampling_map', 'uv_valid' (B, U, U, .), the real crops and flags, and
    brings 'uv_blend' / 'uv_texture' to (B, U, U, 3) (module docstring)."""
    size, uv_size = model_config.image_size, model_config.uv_size
    erosion = model_config.mask_erosion
    erosion = default_erosion(size) if erosion < 0 else erosion
    uv_gt, sampling_map, valid = incomplete_uv(
        batch["image"],
        batch["uv_coords"],
        batch["visibility"],
        batch["face_mask"],
        uv_size,
        erosion,
    )
    batch = dict(batch)
    for name in ("uv_blend", "uv_texture"):
        if name in batch and batch[name].shape[1] != uv_size:
            batch[name] = tf.image.resize(batch[name], [uv_size, uv_size], antialias=True)
    filled, filled_valid = mirror_fill(uv_gt, valid)
    filled = nearest_fill(filled, filled_valid)  # (B, U, U, 3): only the crops use it
    crops = partial_crops(filled, model_config)
    valid_crops = partial_crops(valid, model_config)
    enough = {
        name: coverage(value) >= model_config.crop_coverage for name, value in valid_crops.items()
    }
    yaw = tf.abs(batch["pose"][:, 0])  # degrees
    profile = yaw > model_config.profile_yaw
    use_left = enough["left"]
    batch.update(
        uv_gt=uv_gt,
        sampling_map=sampling_map,
        uv_valid=valid,
        centre_real=crops["centre"],
        centre_flag=tf.cast((yaw < model_config.frontal_yaw) & enough["centre"], tf.float32),
        side_real=tf.where(use_left[:, None, None, None], crops["left"], crops["right"]),
        side_flag=tf.cast(profile & (use_left | enough["right"]), tf.float32),
    )
    return batch


def uv_batches(config, data_dir: str, split: str = "train") -> tf.data.Dataset:
    """Repeated GLOBAL batches of `split` (module docstring): 'image' (B, S, S, 3) in
    [-1, 1], 'face_mask', 'visibility' (B, S, S, 1), 'uv_coords' (B, S, S, 2),
    'coefficients' (B, C), 'pose' (B, 3) degrees, 'uv_blend' [, 'uv_texture'], 'uv_gt'
    (B, U, U, 3) in [-1, 1], 'sampling_map' (B, U, U, 2), 'uv_valid' (B, U, U, 1), the crops
    and flags."""
    model_path = morphable_model_path(config)
    count = coefficient_count(load_model(model_path))
    features = record_features(split_pattern(data_dir, split))
    model_config = config.resolved_model()

    def prepare(batch: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        coefficients = batch["coefficients"]
        tf.debugging.assert_equal(
            tf.shape(coefficients)[1],
            count,
            message=f"the records' coefficients do not belong to the morphable model {model_path}",
        )
        batch = {**batch, "coefficients": tf.ensure_shape(coefficients, [None, count])}
        return add_uv_targets(batch, model_config)

    batches = feature_batches(config, data_dir, split, features)
    return batches.map(prepare, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
