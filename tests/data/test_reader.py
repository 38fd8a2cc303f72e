"""The tf.data reader: shapes, dtypes, ranges, one-hot, crops, augmentation alignment, determinism."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from pipelines import synthfaces
from tfface.data.augment import AugmentConfig, augment_images, augment_label_maps, draw_transforms
from tfface.data.crops import CropSizes, append_regions, component_crops
from tfface.data.reader import make_dataset


@pytest.fixture(scope="module")
def dataset_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("reader")
    synthfaces.main(
        [
            "--output",
            str(output),
            "--identities",
            "3",
            "--size",
            "64",
            "--uv-size",
            "32",
            "--yaws",
            "0",
            "30",
            "--occluders",
            "hand",
            "--splits",
            "train=1,validation=0,test=0",
        ]
    )
    return output


def test_shapes_dtypes_and_ranges(dataset_dir: Path) -> None:
    dataset = make_dataset(
        str(dataset_dir / "train-*.tfrecord"),
        features=(
            "image",
            "label_map_11",
            "label_map_19",
            "face_mask",
            "occlusion_mask",
            "image_unoccluded",
            "pose",
            "identity",
            "domain",
        ),
        batch_size=4,
        image_size=64,
    )
    batch = next(iter(dataset))
    assert batch["image"].shape == (4, 64, 64, 3) and batch["image"].dtype == tf.float32
    assert (
        -1.0 <= float(tf.reduce_min(batch["image"])) and float(tf.reduce_max(batch["image"])) <= 1.0
    )
    assert batch["label_map_11"].shape == (4, 64, 64, 11)
    np.testing.assert_allclose(tf.reduce_sum(batch["label_map_11"], axis=-1).numpy(), 1.0)
    np.testing.assert_array_equal(
        tf.argmax(batch["label_map_11"], axis=-1).numpy(), batch["label_map_11_index"].numpy()
    )
    assert batch["label_map_19"].shape == (4, 64, 64, 19)
    assert batch["face_mask"].shape == (4, 64, 64, 1)
    assert set(np.unique(batch["occlusion_mask"].numpy())) <= {0.0, 1.0}
    assert batch["pose"].shape == (4, 3) and batch["identity"].dtype == tf.int64
    assert batch["domain"].dtype == tf.string


def test_absent_masks_read_as_empty_and_unoccluded_as_the_image(dataset_dir: Path) -> None:
    dataset = make_dataset(
        str(dataset_dir / "train-*.tfrecord"),
        features=("image", "occlusion_mask", "image_unoccluded"),
        batch_size=0,
        shuffle=False,
        deterministic=True,
    )
    saw_plain = saw_occluded = False
    for example in dataset:
        if float(tf.reduce_sum(example["occlusion_mask"])) == 0:
            saw_plain = True
            np.testing.assert_array_equal(
                example["image"].numpy(), example["image_unoccluded"].numpy()
            )
        else:
            saw_occluded = True
    assert saw_plain and saw_occluded


def test_resizing_scales_landmarks_and_reads_uv(dataset_dir: Path) -> None:
    full = next(
        iter(
            make_dataset(
                str(dataset_dir / "train-*.tfrecord"),
                features=("landmarks", "uv_coords"),
                batch_size=0,
                shuffle=False,
                deterministic=True,
            )
        )
    )
    half = next(
        iter(
            make_dataset(
                str(dataset_dir / "train-*.tfrecord"),
                features=("landmarks", "uv_coords"),
                batch_size=0,
                image_size=32,
                shuffle=False,
                deterministic=True,
            )
        )
    )
    np.testing.assert_allclose(half["landmarks"].numpy(), full["landmarks"].numpy() / 2, rtol=1e-5)
    assert half["uv_coords"].shape == (32, 32, 2) and half["visibility"].shape == (32, 32, 1)
    assert (
        0.0 <= float(tf.reduce_min(full["uv_coords"]))
        and float(tf.reduce_max(full["uv_coords"])) <= 1.0
    )


def test_component_crops_are_centred_on_their_component() -> None:
    labels = np.zeros((64, 64), np.uint8)
    labels[20:24, 40:46] = 4  # left eye (image right)
    labels[20:24, 14:20] = 5
    labels[44:50, 24:40] = 8  # mouth
    image = np.zeros((64, 64, 3), np.float32)
    image[..., 0] = np.arange(64)[None, :] / 64.0
    crops = component_crops(
        tf.constant(image[None]), tf.constant(labels[None]), CropSizes.for_image_size(64)
    )
    assert crops["crop_left_eye"].shape == (1, 8, 12, 3) and crops["crop_mouth"].shape == (
        1,
        20,
        36,
        3,
    )
    top, left = crops["box_left_eye"].numpy()[0]
    assert top <= 20 and top + 8 >= 24 and left <= 40 and left + 12 >= 46
    np.testing.assert_array_equal(
        crops["crop_left_eye"].numpy()[0], image[top : top + 8, left : left + 12]
    )
    # A component at the border: the crop is shifted to stay inside.
    labels_edge = np.zeros((64, 64), np.uint8)
    labels_edge[60:63, 0:4] = 8
    edge = component_crops(
        tf.constant(image[None]), tf.constant(labels_edge[None]), CropSizes.for_image_size(64)
    )
    top, left = edge["box_mouth"].numpy()[0]
    assert top == 64 - 20 and left == 0


def test_append_region_enlarges_by_ten_percent() -> None:
    labels = np.zeros((100, 100), np.uint8)
    labels[40:60, 30:70] = 4
    original = (labels == 4).sum()
    enlarged = append_regions(tf.constant(labels[None]), (4,)).numpy()[0, ..., 0].sum()
    assert 1.15 * original < enlarged < 1.30 * original  # 1.1^2 = 1.21 in area


def test_paired_augmentation_keeps_image_and_labels_aligned() -> None:
    labels = np.zeros((64, 64), np.uint8)
    labels[10:30, 5:25] = 4  # a left-eye square
    image = np.where(labels[..., None] == 4, 1.0, -1.0).astype(np.float32) * np.ones(
        (1, 1, 3), np.float32
    )
    config = AugmentConfig(
        scale_probability=1,
        shift_probability=1,
        rotation_probability=1,
        gamma_probability=0,
        flip_probability=0,
    )
    seeds = tf.constant([[7, index] for index in range(5)], tf.int64)
    transforms = draw_transforms(config, seeds, 64, 64)
    new_images = augment_images(tf.constant(np.stack([image] * 5)), transforms).numpy()
    new_labels = augment_label_maps(tf.constant(np.stack([labels] * 5)), transforms, 11).numpy()
    for index in range(5):
        bright = new_images[index, ..., 0] > 0.0
        assert (bright == (new_labels[index] == 4)).mean() > 0.97
        assert not np.array_equal(new_labels[index], labels)
    flip = AugmentConfig(
        scale_probability=0,
        shift_probability=0,
        rotation_probability=0,
        gamma_probability=0,
        flip_probability=1,
    )
    transforms = draw_transforms(flip, tf.constant([[1, 2]], tf.int64), 64, 64)
    flipped = augment_label_maps(tf.constant(labels[None]), transforms, 11).numpy()[0]
    # The square moves to the other side and becomes the other eye's class.
    assert (flipped[10:30, 64 - 25 : 64 - 5] == 5).all() and not (flipped == 4).any()


def test_augmented_reader_is_deterministic(dataset_dir: Path) -> None:
    def first_batch():
        dataset = make_dataset(
            str(dataset_dir / "train-*.tfrecord"),
            features=("image", "label_map_11"),
            batch_size=2,
            image_size=64,
            augment=AugmentConfig(),
            crops=True,
            deterministic=True,
            seed=3,
        )
        return next(iter(dataset))

    a, b = first_batch(), first_batch()
    for key in a:
        np.testing.assert_array_equal(a[key].numpy(), b[key].numpy())


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"features": ("image", "colour")}, ValueError),
        ({"features": ("image",), "crops": True}, ValueError),
        (
            {"features": ("image", "landmarks"), "augment": AugmentConfig(), "image_size": 64},
            ValueError,
        ),
        ({"features": ("image",), "augment": AugmentConfig()}, ValueError),
    ],
)
def test_bad_arguments(dataset_dir: Path, kwargs: dict, error: type) -> None:
    with pytest.raises(error):
        make_dataset(str(dataset_dir / "train-*.tfrecord"), **kwargs)


def test_missing_files_are_reported(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no TFRecord"):
        make_dataset(str(tmp_path / "nothing-*.tfrecord"))


def test_an_unshuffled_read_has_one_order(dataset_dir: Path) -> None:
    """shuffle=False: the shards' records taken in turn (one from each sorted shard, as
    interleave does deterministically), whatever `deterministic` and the parallelism say."""
    files = sorted(str(path) for path in dataset_dir.glob("train-*.tfrecord"))
    assert 1 < len(files) <= 8  # one interleave cycle over every shard
    shards = [
        [
            tf.train.Example.FromString(record.numpy()).features.feature["key"].bytes_list.value[0]
            for record in tf.data.TFRecordDataset(path)
        ]
        for path in files
    ]
    in_turn = [
        shard[index]
        for index in range(max(map(len, shards)))
        for shard in shards
        if index < len(shard)
    ]
    dataset = make_dataset(
        str(dataset_dir / "train-*.tfrecord"),
        features=("image", "key"),
        batch_size=0,
        shuffle=False,
        num_parallel_calls=4,
    )
    assert [example["key"].numpy() for example in dataset] == in_turn
