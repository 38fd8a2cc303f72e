"""Inpainting batches: holes from the records, from a masks dataset, or free-form strokes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from tfface.config import ConfigError
from tfface.data.features import encode_example
from tfface.data.free_form_masks import free_form_mask
from tfface.data.hole_masks import (
    HoleMaskConfig,
    inpainting_batches,
    records_have_hole_masks,
    resolve_source,
)

SIZE = 32


def write_records(path: Path, count: int, with_holes: bool) -> str:
    """`count` random images (with stripes of holes when asked) as one shard; returns its glob."""
    rng = np.random.default_rng(0)
    with tf.io.TFRecordWriter(str(path / "train-00000-of-00001.tfrecord")) as writer:
        for index in range(count):
            record = {"key": f"r{index}", "image": rng.integers(0, 256, (SIZE, SIZE, 3), np.uint8)}
            if with_holes:
                hole = np.zeros((SIZE, SIZE), np.uint8)
                hole[index : index + 3] = 255
                record["hole_mask"] = hole
            writer.write(encode_example(record))
    return str(path / "train-*.tfrecord")


@pytest.fixture
def plain(tmp_path: Path) -> str:
    folder = tmp_path / "plain"
    folder.mkdir()
    return write_records(folder, 8, with_holes=False)


def test_free_form_holes_are_seeded_per_stream_position(plain: str) -> None:
    holes = HoleMaskConfig(seed=5, max_hole_ratio=0.2)
    assert resolve_source(holes, plain) == "free_form" and not records_have_hole_masks(plain)
    batches = list(inpainting_batches(plain, SIZE, 4, holes, shuffle_buffer=0).take(3))
    assert batches[0]["image"].shape == (4, SIZE, SIZE, 3)
    masks = np.concatenate([batch["hole_mask"].numpy() for batch in batches])  # (12, S, S, 1)
    for number in (0, 5, 11):  # example n of the stream is stroke mask (seed, n)
        expected = free_form_mask(SIZE, (5, number), holes.free_form())
        np.testing.assert_array_equal(masks[number, ..., 0], expected.astype(np.float32))
    assert set(np.unique(masks)) == {0.0, 1.0} and masks.mean(axis=(1, 2, 3)).max() <= 0.2
    again = next(iter(inpainting_batches(plain, SIZE, 4, holes, shuffle_buffer=0).skip(2)))
    np.testing.assert_array_equal(again["hole_mask"].numpy(), masks[8:])  # resumable


def test_holes_stored_in_the_records(tmp_path: Path) -> None:
    pattern = write_records(tmp_path, 4, with_holes=True)
    assert (
        records_have_hole_masks(pattern) and resolve_source(HoleMaskConfig(), pattern) == "dataset"
    )
    batch = next(iter(inpainting_batches(pattern, SIZE, 4, shuffle_buffer=0)))
    assert sorted(batch) == ["hole_mask", "image"]
    rows = batch["hole_mask"].numpy()[..., 0].max(axis=2)  # (4, S): rows with holes
    for example in range(4):
        assert rows[example, example : example + 3].all() and rows[example].sum() == 3


def test_holes_from_a_masks_dataset(plain: str, tmp_path: Path) -> None:
    from pipelines import masks

    output = tmp_path / "masks"
    masks.main(["--generate", "6", "--seed", "2", "--output", str(output), "--size", "48"])
    holes = HoleMaskConfig(mask_data=str(output))
    assert resolve_source(holes, plain) == "mask_data"
    batches = list(inpainting_batches(plain, SIZE, 4, holes, shuffle_buffer=0).take(2))
    mask = batches[0]["hole_mask"].numpy()
    assert mask.shape == (4, SIZE, SIZE, 1) and set(np.unique(mask)) == {0.0, 1.0}
    assert all(mask.reshape(4, -1).max(axis=1) == 1.0)  # every generated mask has a hole
    with pytest.raises(FileNotFoundError, match="no hole-mask TFRecord files"):
        next(iter(inpainting_batches(plain, SIZE, 4, HoleMaskConfig(mask_data=str(tmp_path)))))


def test_config_errors() -> None:
    with pytest.raises(ConfigError, match="needs holes.mask_data"):
        HoleMaskConfig(source="mask_data")
    with pytest.raises(ConfigError, match="holes.source must be one of"):
        HoleMaskConfig(source="everywhere")
    with pytest.raises(ConfigError, match="min_width <= max_width"):
        HoleMaskConfig(min_width=0.2, max_width=0.1)
