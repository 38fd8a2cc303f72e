"""The data recipe of pose editing: oriented pose pairs with the preprocessing of L1223-1232.

Records: pose pairs with both views' 68 3D landmarks, `pipelines/synthfaces.py
--pair-with-frontal --shared-scene` ('image', 'target_image', 'landmarks',
'target_landmarks'; exact on SynthFaces). A seeded fraction `model.reverse_fraction` of the
pairs is turned around (the frontal view as source), so frontal pairs train editing to any
pose. Each batch then gets the reader-side preprocessing (TF ops, `preprocess_pairs`): the
similarity alignment of the source to the target on the exposed half, the aligned
landmarks, the landmark segmentation maps of the aligned source and the target, and the
occluded copy S_occ of the source for the unpaired branch (Eq. 3.9).
"""

from __future__ import annotations

import tensorflow as tf

from tfface.systems.data_recipes import feature_batches
from tfface.systems.pose_editing.config import PoseEditingConfig
from tfface.systems.pose_editing.landmarks import align_source
from tfface.systems.pose_editing.segmentation import landmark_segmentation
from tfface.systems.splits import split_pattern

PAIR_FEATURES = ("image", "target_image", "landmarks", "target_landmarks", "pose", "target_pose")
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


def check_pairs(pattern: str) -> None:
    """Raises ValueError unless the records are pose pairs with both views' landmarks."""
    from tfface.data.example_files import first_example, present_features

    absent = sorted(set(PAIR_FEATURES).difference(present_features(first_example(pattern))))
    if absent:
        raise ValueError(
            f"pose_editing trains on pose pairs with 3D landmarks, but {pattern} lacks "
            f"{absent}: build SynthFaces with `tfface data build synthfaces ... "
            "--pair-with-frontal --shared-scene` (records without target_landmarks: rebuild)"
        )


def pose_editing_batches(
    config: PoseEditingConfig, data_dir: str, split: str = "train"
) -> tf.data.Dataset:
    """Repeated GLOBAL batches of preprocessed pose pairs from `split` (module docstring).

    Directions and occlusions are drawn with stateless generators seeded by (data.seed,
    batch index): the same every run, on any number of replicas. Adds 'occluded_image'
    S_occ = the source with zero-filled rectangles.
    """
    check_pairs(split_pattern(data_dir, split))
    pairs = feature_batches(config, data_dir, split, PAIR_FEATURES)
    model, seed, size = config.model, config.data.seed, config.data.image_size

    def prepare(index: tf.Tensor, batch: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        key = tf.stack([tf.cast(seed, tf.int64), index])
        draws = tf.random.stateless_uniform(tf.shape(batch["pose"])[:1], key)  # (B,) [0, 1)
        prepared = preprocess_pairs(orient_pairs(batch, draws < model.reverse_fraction), size)
        holes = rectangle_occlusions(tf.shape(batch["image"]), key + 1, model.occlusion_fraction)
        prepared["occluded_image"] = prepared["image"] * (1.0 - holes)
        return prepared

    # No tensor-dependent Python control flow: skip AutoGraph's (slow) source conversion.
    prepare = tf.autograph.experimental.do_not_convert(prepare)
    return pairs.enumerate().map(prepare, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
