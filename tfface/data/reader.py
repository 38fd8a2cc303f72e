"""The tf.data reader of tfface datasets: shards in parallel -> parsed, decoded, augmented batches.

    dataset = make_dataset("data/train-*.tfrecord", features=("image", "label_map_11"),
                           batch_size=12, image_size=256, crops=True, augment=AugmentConfig())

Every element is a dict. Images ('image', 'image_unoccluded', 'target_image',
'uv_texture') become float32 (H, W, C) in [-1, 1]; label maps become one-hot
float32 (H, W, classes) (plus '<name>_index' uint8 (H, W) when `one_hot`);
masks float32 (H, W, 1) in {0, 1}; 'uv_coords' float32 (H, W, 2) with
'visibility' (H, W, 1); landmarks (68, 3); poses (3,); identity int64; text
features tf.string. `batch_size` is the GLOBAL batch size: hand the dataset to
`strategy.experimental_distribute_dataset` and each replica gets its share.
Batching needs equal image sizes: pass `image_size` for datasets of mixed sizes.
Geometric augmentation is applied to images, masks and label maps alike and is
refused together with landmarks or UV coordinates (it would not transform them).
"""

from __future__ import annotations

from collections.abc import Sequence

import tensorflow as tf

from tfface.data import augment as augmentation
from tfface.data.crops import (
    COMPONENTS,
    CropSizes,
    append_regions,
    component_crops,
    component_masks,
)
from tfface.data.features import FEATURES, parsing_spec

IMAGE_FEATURES = ("image", "image_unoccluded", "target_image", "uv_texture", "uv_blend")
UV_MAP_FEATURES = ("uv_texture", "uv_blend")
"""Images in the UV layout: 3 channels, never resized to the image size nor augmented."""
LABEL_FEATURES = {"label_map_19": 19, "label_map_11": 11, "target_label_map_11": 11}
MASK_FEATURES = ("face_mask", "occlusion_mask", "hole_mask")
GEOMETRY_FEATURES = ("landmarks", "target_landmarks", "uv_coords")
LANDMARK_FEATURES = ("landmarks", "target_landmarks")


def _resize_if_needed(array: tf.Tensor, size: int | None, method: str) -> tf.Tensor:
    """Resizes (H, W, C) to size x size unless it already has that size; keeps the dtype."""
    if size is None:
        return array
    same = tf.logical_and(tf.equal(tf.shape(array)[0], size), tf.equal(tf.shape(array)[1], size))

    def resize() -> tf.Tensor:
        resized = tf.image.resize(
            array, [size, size], method=method, antialias=method == "bilinear"
        )
        if array.dtype.is_integer:
            resized = tf.cast(
                tf.round(tf.clip_by_value(resized, array.dtype.min, array.dtype.max)), array.dtype
            )
        return tf.cast(resized, array.dtype)

    resized = tf.cond(same, lambda: array, resize)
    return tf.ensure_shape(resized, [size, size, array.shape[-1]])


def _decode_image(data: tf.Tensor, channels: int, size: int | None) -> tf.Tensor:
    """Encoded image -> uint8 (H, W, channels), resized (antialiased) if needed."""
    image = tf.io.decode_image(data, channels=channels, expand_animations=False)
    return _resize_if_needed(image, size, "bilinear")


def _decode_nearest(
    data: tf.Tensor, size: int | None, dtype: tf.DType = tf.uint8, channels: int = 1
) -> tf.Tensor:
    return _resize_if_needed(
        tf.io.decode_png(data, channels=channels, dtype=dtype), size, "nearest"
    )


def _empty_mask(raw: dict[str, tf.Tensor], size: int | None) -> tf.Tensor:
    """All-zero (H, W, 1) mask for an example without that mask."""
    if size is not None:
        return tf.zeros([size, size, 1], tf.uint8)
    shape = tf.shape(tf.io.decode_image(raw["image"], expand_animations=False))
    return tf.zeros([shape[0], shape[1], 1], tf.uint8)


def _decode_function(names: tuple[str, ...], image_channels: int, image_size: int | None):
    """Per-example parsing and decoding (everything that cannot be batched)."""
    extra = ["width"] if set(LANDMARK_FEATURES) & set(names) and image_size else []
    if any(name in MASK_FEATURES for name in names) or "image_unoccluded" in names:
        extra += [
            "image",
            "height",
        ]  # the shape of absent masks / the stand-in for an absent ground truth
    spec = parsing_spec(list(dict.fromkeys([*names, *extra])))

    def decode(index: tf.Tensor, serialized: tf.Tensor) -> dict[str, tf.Tensor]:
        raw = tf.io.parse_single_example(serialized, spec)
        output: dict[str, tf.Tensor] = {"_index": index}
        for name in names:
            value = raw[name]
            if (
                name == "image_unoccluded"
            ):  # absent on unoccluded examples: the image is its own ground truth
                value = tf.where(tf.equal(value, ""), raw["image"], value)
            if name in IMAGE_FEATURES:
                uv_map = name in UV_MAP_FEATURES
                output[name] = _decode_image(
                    value, 3 if uv_map else image_channels, None if uv_map else image_size
                )
            elif name in LABEL_FEATURES:
                output[name] = _decode_nearest(value, image_size)[..., 0]
            elif name in MASK_FEATURES:
                output[name] = tf.cond(
                    tf.equal(value, ""),
                    lambda: _empty_mask(raw, image_size),
                    lambda value=value: tf.cast(_decode_nearest(value, image_size) > 127, tf.uint8),
                )
            elif name == "uv_coords":
                uv = tf.cast(_decode_nearest(value, image_size, tf.uint16, 3), tf.float32) / 65535.0
                output["uv_coords"] = uv[..., :2]
                output["visibility"] = tf.cast(uv[..., 2:] > 0.5, tf.float32)
            elif name in LANDMARK_FEATURES:
                landmarks = tf.reshape(value, [68, 3])
                if image_size:
                    landmarks = landmarks * (
                        tf.cast(image_size, tf.float32) / tf.cast(raw["width"][0], tf.float32)
                    )
                output[name] = landmarks
            elif FEATURES[name].kind in ("bytes_list", "float_list"):
                output[name] = tf.sparse.to_dense(value)
            elif FEATURES[name].kind == "int" and FEATURES[name].length == 1:
                output[name] = value[0]
            else:
                output[name] = value
        return output

    return decode


def _batch_function(
    names: tuple[str, ...],
    one_hot: bool,
    crops: bool,
    eye_pixels_only: bool,
    with_append_regions: bool,
    augment: augmentation.AugmentConfig | None,
    seed: int,
    image_size: int | None,
):
    """Per-batch work: augmentation, one-hot encoding, crops, append regions (vectorised)."""
    crop_sizes = CropSizes.for_image_size(image_size or 256)

    def process(batch: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        batch = dict(batch)
        index = batch.pop("_index")
        transforms = None
        if augment is not None:
            seeds = tf.stack([tf.fill(tf.shape(index), tf.cast(seed, tf.int64)), index], axis=-1)
            transforms = augmentation.draw_transforms(augment, seeds, image_size, image_size)
        for name in names:
            geometric = transforms is not None and name not in UV_MAP_FEATURES
            if name in IMAGE_FEATURES:
                # uint8 -> float [-1, 1] (gamma folded into a lookup) -> transformed.
                batch[name] = (
                    augmentation.augment_uint8_images(batch[name], transforms)
                    if geometric
                    else augmentation.to_unit_range(batch[name])
                )
            elif name in LABEL_FEATURES and geometric:
                batch[name] = augmentation.augment_label_maps(
                    batch[name], transforms, LABEL_FEATURES[name]
                )
            elif name in MASK_FEATURES:
                mask = tf.cast(batch[name], tf.float32)
                batch[name] = augmentation.augment_masks(mask, transforms) if geometric else mask
        labels_11 = batch.get("label_map_11")
        masks = component_masks(labels_11) if crops or with_append_regions else None
        if crops:
            batch.update(
                component_crops(batch["image"], labels_11, crop_sizes, eye_pixels_only, masks)
            )
        if with_append_regions:
            for component, component_labels in COMPONENTS.items():
                batch[f"append_{component}"] = append_regions(
                    labels_11, component_labels, mask=masks[component]
                )
        if one_hot:
            for name in names:
                if name in LABEL_FEATURES:
                    batch[f"{name}_index"] = batch[name]
                    # uint8 indices straight in: a cast to int32 first costs a quarter more.
                    batch[name] = tf.one_hot(batch[name], LABEL_FEATURES[name], dtype=tf.float32)
        return batch

    return process


def make_dataset(
    pattern: str | Sequence[str],
    features: Sequence[str] = ("image",),
    batch_size: int = 1,
    image_size: int | None = None,
    image_channels: int = 3,
    one_hot: bool = True,
    crops: bool = False,
    eye_pixels_only: bool = False,
    append_regions: bool = False,
    augment: augmentation.AugmentConfig | None = None,
    shuffle: bool = True,
    shuffle_buffer: int = 1024,
    repeat: bool = False,
    deterministic: bool = False,
    drop_remainder: bool = True,
    seed: int = 0,
    num_parallel_calls: int = tf.data.AUTOTUNE,
) -> tf.data.Dataset:
    """Builds the input pipeline (see the module docstring).

    Args:
        pattern: glob pattern(s) of TFRecord shards.
        features: schema feature names to read.
        batch_size: global batch size (0 = no batching).
        image_size: resize images / masks to this square size (None keeps the stored size).
        image_channels: channels of 'image' / 'image_unoccluded' / 'target_image' (1 for NIR).
        one_hot: label maps as one-hot float32 (plus '<name>_index').
        crops: add mask-guided component crops (needs 'image' and 'label_map_11').
        eye_pixels_only: eye crops keep only eye pixels.
        append_regions: add the 10% enlarged eye and mouth masks ('append_<component>').
        augment: joint paired augmentation, or None.
        shuffle / shuffle_buffer: shuffle files and examples.
        repeat: repeat forever.
        deterministic: same order and same augmentation every run (always, when
            `shuffle` is off: an unshuffled read is in file order).
        drop_remainder: drop the last incomplete batch (needed for distribution).
        seed: seed of shuffling and augmentation.
        num_parallel_calls: parallelism of reads and parsing.
    """
    names = tuple(dict.fromkeys(features))
    unknown = [name for name in names if name not in FEATURES]
    if unknown:
        raise ValueError(f"unknown features {unknown}; the schema has: {', '.join(FEATURES)}")
    if (crops or append_regions) and not {"image", "label_map_11"} <= set(names):
        raise ValueError(
            "component crops and append regions need the features 'image' and 'label_map_11'"
        )
    if augment is not None and any(name in GEOMETRY_FEATURES for name in names):
        raise ValueError(
            f"augmentation does not transform {GEOMETRY_FEATURES}; read them without augment"
        )
    if augment is not None and image_size is None:
        raise ValueError("augmentation needs a fixed image_size")
    if batch_size < 0:
        raise ValueError(f"batch_size must be >= 0, got {batch_size}")
    deterministic = deterministic or not shuffle
    patterns = [pattern] if isinstance(pattern, str) else list(pattern)
    files = sorted({path for item in patterns for path in tf.io.gfile.glob(item)})
    if not files:
        raise FileNotFoundError(f"no TFRecord files match {patterns}")

    file_dataset = tf.data.Dataset.from_tensor_slices(files)
    if shuffle:
        file_dataset = file_dataset.shuffle(
            len(files), seed=seed, reshuffle_each_iteration=not deterministic
        )
    dataset = file_dataset.interleave(
        tf.data.TFRecordDataset,
        cycle_length=min(len(files), 8),
        num_parallel_calls=num_parallel_calls,
        deterministic=deterministic,
    )
    if shuffle:
        dataset = dataset.shuffle(
            shuffle_buffer, seed=seed, reshuffle_each_iteration=not deterministic
        )
    if repeat:
        dataset = dataset.repeat()
    decode = _decode_function(names, image_channels, image_size)
    process = _batch_function(
        names, one_hot, crops, eye_pixels_only, append_regions, augment, seed, image_size
    )
    dataset = dataset.enumerate().map(
        decode, num_parallel_calls=num_parallel_calls, deterministic=deterministic
    )
    # Augmentation, one-hot, crops run on whole batches: one op per tensor instead of one per example.
    dataset = dataset.batch(batch_size or 1, drop_remainder=drop_remainder if batch_size else False)
    dataset = dataset.map(
        process, num_parallel_calls=num_parallel_calls, deterministic=deterministic
    )
    if not batch_size:
        dataset = dataset.unbatch()
    options = tf.data.Options()
    options.deterministic = deterministic
    return dataset.with_options(options).prefetch(tf.data.AUTOTUNE)
