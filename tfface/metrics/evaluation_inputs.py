"""Inputs of an evaluation: the dataset split to stream, and the export's signature feeds.

``--data`` is a dataset directory written by a tfface Beam job (``<split>-*.tfrecord``
plus ``dataset_info.json``) or a glob pattern of TFRecord shards. Signature inputs
are fed from each batch, following the serving contract (uint8 at the edge):

| input | fed from | as |
|---|---|---|
| ``image`` | ``image`` | uint8 (B, H, W, 3) |
| ``mask``, ``hole_mask`` | ``hole_mask`` (*) | uint8 0 / 255 (float inputs: 0 / 1), rank of the spec |
| ``label_map`` | ``label_map_11`` | uint8 indices (B, H, W[, 1]), or one-hot if the spec is float (B, H, W, 11) |
| ``latent``, ``z``, ``noise``, ``style``, ``code`` | seeded N(0, 1) | float, per example from its key (reproducible) |
| ``target_yaw`` | ``target_pose`` yaw | float (B,) degrees (warp_rotation ``rotate_to_yaw``) |

Aliases (``INPUT_ALIASES``) feed second images and label maps from the same example, so a
mask-guided export's ``edited_label_map`` / ``source_image`` / ``source_label_map`` make
its edit and synthesize signatures reconstruct the example.

(*) A dataset without hole masks (SynthFaces) gets free-form masks
(``tfface.data.free_form_masks``, DeepFill v2 style) seeded by each example's key, so
inpainting exports are evaluated on the same holes in every run.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import numpy as np
import tensorflow as tf

LATENT_INPUTS = ("latent", "z", "noise", "style", "code", "latent_code")
INPUT_ALIASES = {
    "edited_label_map": "label_map",
    "source_label_map": "label_map",
    "source_image": "image",
    "hole_mask": "mask",  # the inpainting exports' `inpaint(image, hole_mask)`
}
"""Signature inputs fed like another input (the example's own image / label map)."""
TARGET_YAW_INPUT = "target_yaw"
"""Rotation exports' target yaw in degrees, fed from the paired target's pose."""
LABEL_MAP_CLASSES = 11
KEY_HASH_BUCKETS = 2**31 - 1


def resolve_data(data: str, split: str) -> tuple[str, dict | None]:
    """(glob pattern, dataset_info or None) for ``--data`` and ``--split``."""
    path = Path(data)
    info = None
    if path.is_dir():
        pattern = str(path / f"{split}-*.tfrecord")
        info_path = path / "dataset_info.json"
        if info_path.is_file():
            info = json.loads(info_path.read_text())
    else:
        pattern = data
    if not tf.io.gfile.glob(pattern):
        splits = sorted(
            {Path(file).name.split("-")[0] for file in tf.io.gfile.glob(f"{data}/*-*.tfrecord")}
        )
        hint = f"; splits here: {', '.join(splits)} (choose with --split)" if splits else ""
        raise FileNotFoundError(f"no TFRecord files match {pattern}{hint}")
    counts = (info or {}).get("counts", {})
    if path.is_dir() and counts.get(split) == 0:
        nonempty = ", ".join(f"{name} ({count})" for name, count in counts.items() if count)
        raise ValueError(f"split {split!r} of {data} has no examples; non-empty splits: {nonempty}")
    return pattern, info


def example_count(info: dict | None, split: str) -> int | None:
    """Number of examples of ``split`` from dataset_info.json, if known."""
    if info is None:
        return None
    count = info.get("counts", {}).get(split)
    return int(count) if count is not None else None


def stored_image_size(example: tf.train.Example, info: dict | None) -> int:
    """The square image side of the dataset (dataset_info's sizes, else the first example)."""
    sizes = sorted((info or {}).get("size_histogram", {}))
    if len(sizes) > 1:
        raise ValueError(
            f"the dataset has images of several sizes ({', '.join(sizes)}); pass --image-size"
        )
    if sizes:
        height, width = (int(side) for side in sizes[0].split("x"))
    else:
        features = example.features.feature
        height, width = (
            features["height"].int64_list.value[0],
            features["width"].int64_list.value[0],
        )
    if height != width:
        raise ValueError(
            f"images are {height}x{width}; pass --image-size to evaluate square images"
        )
    return int(height)


def to_uint8(images: tf.Tensor) -> tf.Tensor:
    """[-1, 1] float images -> uint8 (the reader's inverse, rounded)."""
    return tf.cast(tf.round(tf.clip_by_value((images + 1.0) * 127.5, 0.0, 255.0)), tf.uint8)


def takes_hole_mask(input_specs: dict[str, tf.TensorSpec]) -> bool:
    """Whether the signature has a hole-mask input (``mask`` or an alias of it)."""
    return any(INPUT_ALIASES.get(name, name) == "mask" for name in input_specs)


def needed_features(input_specs: dict[str, tf.TensorSpec]) -> set[str]:
    """Dataset features the signature's inputs are fed from."""
    input_specs = {INPUT_ALIASES.get(name, name): spec for name, spec in input_specs.items()}
    needed = {"image"}
    if "mask" in input_specs:
        needed.add("hole_mask")
    if "label_map" in input_specs:
        needed.add("label_map_11")
    if set(input_specs) & set(LATENT_INPUTS):
        needed.add("key")  # latent codes are seeded per example by its key
    if TARGET_YAW_INPUT in input_specs:
        needed.add("target_pose")
    known = {"image", "mask", "label_map", TARGET_YAW_INPUT, *LATENT_INPUTS}
    unknown = set(input_specs) - known
    if unknown:
        raise ValueError(
            f"cannot feed signature inputs {sorted(unknown)} from a dataset; known inputs: "
            f"image, mask, label_map, {TARGET_YAW_INPUT}, {', '.join(LATENT_INPUTS)}"
        )
    return needed


def latent_codes(spec: tf.TensorSpec, keys: tf.Tensor, sample: int, seed: int) -> tf.Tensor:
    """N(0, 1) codes (B, ...) of ``spec``, one per example, seeded by (seed, sample, key)."""
    shape = spec.shape.as_list()[1:]
    if any(size is None for size in shape):
        raise ValueError(f"latent input of unknown shape {spec.shape}; cannot sample it")
    hashes = tf.strings.to_hash_bucket_fast(keys, KEY_HASH_BUCKETS)

    def one(key_hash: tf.Tensor) -> tf.Tensor:
        seeds = tf.stack([tf.cast(seed * 1_000_003 + sample, tf.int64), key_hash])
        return tf.random.stateless_normal(shape, seed=seeds, dtype=spec.dtype)

    return tf.map_fn(one, hashes, fn_output_signature=tf.TensorSpec(shape, spec.dtype))


def feed_signature(
    input_specs: dict[str, tf.TensorSpec],
    batch: dict[str, tf.Tensor],
    sample: int = 0,
    seed: int = 0,
) -> dict[str, tf.Tensor]:
    """Keyword inputs of the signature from a reader batch (module table)."""
    feeds = {}
    for input_name, spec in input_specs.items():
        name = INPUT_ALIASES.get(input_name, input_name)
        if name == "image":
            if spec.dtype != tf.uint8:
                raise ValueError(
                    f"serving contract: 'image' inputs are uint8, got {spec.dtype.name}"
                )
            feeds[input_name] = to_uint8(batch["image"])
        elif name == "mask":
            mask = batch["hole_mask"]  # (B, H, W, 1) float {0, 1}
            mask = mask * 255.0 if spec.dtype == tf.uint8 else mask
            mask = mask[..., 0] if spec.shape.rank == 3 else mask
            feeds[input_name] = tf.cast(mask, spec.dtype)
        elif name == "label_map":
            labels = batch["label_map_11"]  # (B, H, W) uint8 indices (one_hot=False)
            if spec.dtype.is_floating:
                labels = tf.one_hot(tf.cast(labels, tf.int32), LABEL_MAP_CLASSES, dtype=spec.dtype)
            elif spec.shape.rank == 4:
                labels = tf.cast(labels[..., tf.newaxis], spec.dtype)
            feeds[input_name] = tf.cast(labels, spec.dtype)
        elif name == TARGET_YAW_INPUT:
            yaw = batch["target_pose"][:, 0]  # (B,) degrees: the paired target's yaw
            feeds[input_name] = tf.cast(yaw, spec.dtype)
        else:  # a latent input (needed_features checked the names)
            feeds[input_name] = latent_codes(spec, batch["key"], sample, seed)
    return feeds


def free_form_hole_masks(keys: tf.Tensor, image_size: int, seed: int) -> tf.Tensor:
    """(B,) example keys -> (B, S, S, 1) float32 {0, 1} free-form holes, seeded by (seed, key)."""
    from tfface.data.free_form_masks import free_form_mask

    def draw(values: np.ndarray) -> np.ndarray:
        masks = [free_form_mask(image_size, (seed, zlib.crc32(key))) for key in values]
        return (
            np.stack(masks)[..., None].astype(np.float32)
            if masks
            else np.zeros((0, image_size, image_size, 1), np.float32)
        )

    masks = tf.numpy_function(draw, [keys], tf.float32, stateful=False)
    return tf.ensure_shape(masks, [None, image_size, image_size, 1])
