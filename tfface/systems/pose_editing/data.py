"""The data recipe of pose editing: oriented pose pairs with the preprocessing of L1223-1232.

Records (Yin 2022 L1348-1357), pose pairs 'image', 'target_image', 'pose', 'target_pose':
- SynthFaces, `pipelines/synthfaces.py --pair-with-frontal --shared-scene`: both views'
  exact 68 3D landmarks ('landmarks', 'target_landmarks') are in the records;
- real pairs without landmarks, e.g. Multi-PIE from `pipelines/multipie.py` (each view
  with its frontal partner): the landmarks of both views come from the face_reconstruction
  export named by `model.landmark_model` (`tfface.systems.reconstruction_landmarks`), reader-side.
`model.unpaired_data` optionally names a second dataset of single images (CelebA-style:
`pipelines/image_folder.py`, `celebamask_hq.py`, `wild_faces.py`) for the unpaired branch:
S_occ is then one of those images occluded (their landmarks: the records' or the export's),
else the pair's source. A seeded fraction `model.reverse_fraction` of the pairs is turned
around (the frontal view as source), so frontal pairs train editing to any pose. Each
batch then gets the reader-side preprocessing (TF ops, `preprocess_pairs`): the similarity
alignment of the source to the target on the exposed half, the aligned landmarks, the
landmark segmentation maps of the aligned source and the target, and the occluded copy
S_occ for the unpaired branch (Eq. 3.9).
"""

from __future__ import annotations

import tensorflow as tf

from tfface.systems.data_recipes import feature_batches
from tfface.systems.pose_editing.config import PoseEditingConfig
from tfface.systems.pose_editing.landmarks import align_source
from tfface.systems.pose_editing.segmentation import landmark_segmentation
from tfface.systems.reconstruction_landmarks import ReconstructionLandmarks
from tfface.systems.splits import split_pattern

PAIR_IMAGES = ("image", "target_image", "pose", "target_pose")
LANDMARK_FEATURES = ("landmarks", "target_landmarks")
PAIR_FEATURES = (*PAIR_IMAGES, *LANDMARK_FEATURES)
MAX_RECTANGLES = 3


def orient_pairs(batch: dict[str, tf.Tensor], reverse: tf.Tensor) -> dict[str, tf.Tensor]:
    """Pairs with the examples where `reverse` (bool (B,)) is True turned around.

    Args:
        batch: 'image', 'target_image' (B, S, S, 3); 'landmarks', 'target_landmarks'
            (B, 68, 3) pixels; 'pose', 'target_pose' (B, 3) degrees.
    """
    flip_images = reverse[:, tf.newaxis, tf.newaxis, tf.newaxis]
    flip_vectors = reverse[:, tf.newaxis]
    oriented = {}
    for source, target, flip in (
        ("image", "target_image", flip_images),
        ("landmarks", "target_landmarks", flip_images[..., 0]),
        ("pose", "target_pose", flip_vectors),
    ):
        oriented[source] = tf.where(flip, batch[target], batch[source])
        oriented[target] = tf.where(flip, batch[source], batch[target])
    return oriented


def rectangle_occlusions(
    shape: tf.Tensor, seed: tf.Tensor, fraction: tuple[float, float]
) -> tf.Tensor:
    """float32 (B, S, S, 1) masks of 1-3 random rectangles, 1 = occluded (sec. 4.9 choice).

    Each example gets k ~ U{1, 2, 3} axis-aligned rectangles (aspect ratio in [0.5, 2]) of
    area a / k each, a ~ U(fraction) of the image (overlaps make the union smaller), from a
    stateless seed (2,).
    """
    batch, size = shape[0], shape[1]
    seeds = tf.random.experimental.stateless_split(tf.cast(seed, tf.int64), 4)
    count = tf.random.stateless_uniform([batch], seeds[0], 1, MAX_RECTANGLES + 1, tf.int32)
    area = tf.random.stateless_uniform([batch], seeds[1], fraction[0], fraction[1])
    side = tf.sqrt(area / tf.cast(count, tf.float32))  # (B,) each rectangle's side / S
    aspect = tf.sqrt(tf.random.stateless_uniform([batch, MAX_RECTANGLES, 1], seeds[2], 0.5, 2.0))
    extent = side[:, tf.newaxis, tf.newaxis] * tf.concat([aspect, 1.0 / aspect], -1)  # (B, K, 2)
    corner = tf.random.stateless_uniform([batch, MAX_RECTANGLES, 2], seeds[3]) * (1.0 - extent)
    positions = (tf.cast(tf.range(size), tf.float32) + 0.5) / tf.cast(size, tf.float32)  # (S,)
    inside_x = (positions[tf.newaxis, tf.newaxis] >= corner[..., 0:1]) & (
        positions[tf.newaxis, tf.newaxis] < corner[..., 0:1] + extent[..., 0:1]
    )  # (B, K, S)
    inside_y = (positions[tf.newaxis, tf.newaxis] >= corner[..., 1:2]) & (
        positions[tf.newaxis, tf.newaxis] < corner[..., 1:2] + extent[..., 1:2]
    )
    used = tf.range(MAX_RECTANGLES)[tf.newaxis] < count[:, tf.newaxis]  # (B, K)
    rectangles = (
        inside_y[:, :, :, tf.newaxis] & inside_x[:, :, tf.newaxis, :] & used[:, :, None, None]
    )  # (B, K, S, S)
    return tf.cast(tf.reduce_any(rectangles, axis=1), tf.float32)[..., tf.newaxis]


def preprocess_pairs(batch: dict[str, tf.Tensor], size: int) -> dict[str, tf.Tensor]:
    """Adds the preprocessing of L1223-1232 to a batch of oriented pairs.

    Returns the batch plus 'aligned_image' I_tf (B, S, S, 3) (0 outside the source),
    'aligned_landmarks' (B, 68, 3) pixels, 'aligned_segmentation' I_seg_tf and
    'target_segmentation' J_seg one-hot (B, S, S, NUM_CLASSES).
    """
    aligned = align_source(batch["image"], batch["landmarks"], batch["target_landmarks"])
    return {
        **batch,
        "aligned_image": aligned["aligned_image"],
        "aligned_landmarks": aligned["aligned_landmarks"],
        "aligned_segmentation": landmark_segmentation(aligned["aligned_landmarks"], size),
        "target_segmentation": landmark_segmentation(batch["target_landmarks"], size),
    }


def pair_landmark_source(pattern: str, landmark_model: str) -> str:
    """'records' (the pairs carry both views' landmarks) or 'model' (the export gives them).

    Raises:
        ValueError: not pose pairs, or pairs without landmarks and no model.landmark_model.
    """
    from tfface.data.example_files import first_example, present_features

    present = present_features(first_example(pattern))
    absent = sorted(set(PAIR_IMAGES).difference(present))
    if absent:
        raise ValueError(
            f"pose_editing trains on pose pairs, but {pattern} lacks {absent}: build SynthFaces "
            "with `tfface data build synthfaces ... --pair-with-frontal --shared-scene` or "
            "Multi-PIE pairs with `tfface data build multipie` (single images go to "
            "model.unpaired_data)"
        )
    if set(LANDMARK_FEATURES) <= present:
        return "records"
    if landmark_model:
        return "model"
    raise ValueError(
        f"{pattern} has pose pairs without both views' 3D landmarks "
        f"({sorted(set(LANDMARK_FEATURES).difference(present))} absent): set "
        "model.landmark_model to a face_reconstruction export (real photos, e.g. Multi-PIE) "
        "or rebuild SynthFaces with --pair-with-frontal"
    )


def unpaired_batches(
    config: PoseEditingConfig, split: str, estimate: ReconstructionLandmarks | None
) -> tf.data.Dataset:
    """Repeated batches {'unpaired_image' (B, S, S, 3), 'unpaired_landmarks' (B, 68, 3)
    pixels} of model.unpaired_data's single images (their records' landmarks, else the
    export's; no export and no landmarks: ValueError)."""
    from tfface.data.example_files import first_example, present_features

    data_dir = config.model.unpaired_data
    pattern = split_pattern(data_dir, split)
    if "image" not in present_features(first_example(pattern)):
        raise ValueError(f"model.unpaired_data {data_dir}: its records have no 'image'")
    has_landmarks = "landmarks" in present_features(first_example(pattern))
    if not has_landmarks and estimate is None:
        raise ValueError(
            f"model.unpaired_data {data_dir} has no 3D 'landmarks': set model.landmark_model "
            "to a face_reconstruction export"
        )
    features = ("image", "landmarks") if has_landmarks else ("image",)
    images = feature_batches(config, data_dir, split, features)

    def rename(batch: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        landmarks = batch["landmarks"] if has_landmarks else estimate(batch["image"])
        return {"unpaired_image": batch["image"], "unpaired_landmarks": landmarks}

    return images.map(tf.autograph.experimental.do_not_convert(rename))


def pose_editing_batches(
    config: PoseEditingConfig, data_dir: str, split: str = "train"
) -> tf.data.Dataset:
    """Repeated GLOBAL batches of preprocessed pose pairs from `split` (module docstring).

    Directions and occlusions are drawn with stateless generators seeded by (data.seed,
    batch index): the same every run, on any number of replicas. Adds 'unpaired_image' S
    and 'unpaired_landmarks' (model.unpaired_data's, else the pair's source) and
    'occluded_image' S_occ = S with zero-filled rectangles.
    """
    model, seed, size = config.model, config.data.seed, config.data.image_size
    pattern = split_pattern(data_dir, split)
    from_records = pair_landmark_source(pattern, model.landmark_model) == "records"
    estimate = None
    if model.landmark_model:
        estimate = ReconstructionLandmarks(model.landmark_model)
    pairs = feature_batches(config, data_dir, split, PAIR_FEATURES if from_records else PAIR_IMAGES)
    if not from_records:

        def add_landmarks(batch: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
            both = estimate(tf.concat([batch["image"], batch["target_image"]], 0))
            source, target = tf.split(both, 2, axis=0)
            return {**batch, "landmarks": source, "target_landmarks": target}

        pairs = pairs.map(tf.autograph.experimental.do_not_convert(add_landmarks))
    pairs = pairs.enumerate()
    if model.unpaired_data:
        unpaired = unpaired_batches(config, split, estimate)
        pairs = tf.data.Dataset.zip(pairs, unpaired).map(
            lambda indexed, single: (indexed[0], {**indexed[1], **single})
        )

    def prepare(index: tf.Tensor, batch: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        key = tf.stack([tf.cast(seed, tf.int64), index])
        draws = tf.random.stateless_uniform(tf.shape(batch["pose"])[:1], key)  # (B,) [0, 1)
        oriented = orient_pairs(batch, draws < model.reverse_fraction)
        prepared = preprocess_pairs(oriented, size)
        unpaired = batch.get("unpaired_image", prepared["image"])  # S, (B, S, S, 3)
        prepared["unpaired_image"] = unpaired
        prepared["unpaired_landmarks"] = batch.get("unpaired_landmarks", prepared["landmarks"])
        holes = rectangle_occlusions(tf.shape(unpaired), key + 1, model.occlusion_fraction)
        prepared["occluded_image"] = unpaired * (1.0 - holes)
        return prepared

    # No tensor-dependent Python control flow: skip AutoGraph's (slow) source conversion.
    prepare = tf.autograph.experimental.do_not_convert(prepare)
    return pairs.map(prepare, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
