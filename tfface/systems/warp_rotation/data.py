"""The data recipe of warp_rotation: oriented pose pairs (Sevastopolskiy 2019 sec. 4.1.1).

Data: pose pairs, the records of `pipelines/synthfaces.py --pair-with-frontal
--shared-scene` or `pipelines/multipie.py` ('image', 'target_image', 'pose', 'target_pose';
the targets are frontal). `--shared-scene` gives both views of a SynthFaces pair one
lighting and background, as in Multi-PIE, where all views of a shot share them (sec.
4.1.1); without it the target's background and lighting are unpredictable from the input.
A seeded fraction `model.reverse_fraction` of the pairs is turned around (input = the
frontal view, target = the other view, target yaw = its yaw), so frontal pairs train
rotation to any yaw.
"""

from __future__ import annotations

import tensorflow as tf

from tfface.systems.data_recipes import feature_batches
from tfface.systems.splits import split_pattern
from tfface.systems.warp_rotation.config import WarpRotationConfig

PAIR_FEATURES = ("image", "target_image", "pose", "target_pose")


def orient_pairs(batch: dict[str, tf.Tensor], reverse: tf.Tensor) -> dict[str, tf.Tensor]:
    """Training inputs from pose pairs, the examples where `reverse` is True turned around.

    Args:
        batch: 'image', 'target_image' float32 (B, S, S, 3); 'pose', 'target_pose' (B, 3).
        reverse: bool (B,).

    Returns:
        'image', 'target_image' (B, S, S, 3), 'target_yaw' and 'source_yaw' float32 (B,).
    """
    flip = reverse[:, tf.newaxis, tf.newaxis, tf.newaxis]
    return {
        "image": tf.where(flip, batch["target_image"], batch["image"]),
        "target_image": tf.where(flip, batch["image"], batch["target_image"]),
        "target_yaw": tf.where(reverse, batch["pose"][:, 0], batch["target_pose"][:, 0]),
        "source_yaw": tf.where(reverse, batch["target_pose"][:, 0], batch["pose"][:, 0]),
    }


def check_pairs(pattern: str) -> None:
    """Raises ValueError unless the dataset's records are pose pairs."""
    from tfface.data.example_files import first_example, present_features

    missing = set(PAIR_FEATURES) - present_features(first_example(pattern))
    if missing:
        raise ValueError(
            f"warp_rotation trains on pose pairs, but {pattern} lacks {sorted(missing)}: build "
            "SynthFaces with `tfface data build synthfaces ... --pair-with-frontal "
            "--shared-scene` or use the Multi-PIE job (pipelines/multipie.py)"
        )


def pose_pair_batches(
    config: WarpRotationConfig, data_dir: str, split: str = "train"
) -> tf.data.Dataset:
    """Repeated GLOBAL batches of oriented pose pairs from `split` (train, validation or test).

    The direction of each pair is drawn with a stateless generator seeded by (data.seed,
    batch index): the same every run, on any number of replicas.
    """
    check_pairs(split_pattern(data_dir, split))
    pairs = feature_batches(config, data_dir, split, PAIR_FEATURES)
    fraction = config.model.reverse_fraction
    seed = config.data.seed

    def orient(index: tf.Tensor, batch: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        draws = tf.random.stateless_uniform(
            tf.shape(batch["pose"])[:1], tf.stack([tf.cast(seed, tf.int64), index])
        )  # (B,) in [0, 1)
        return orient_pairs(batch, draws < fraction)

    return pairs.enumerate().map(orient, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
