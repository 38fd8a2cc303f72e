"""Beam job masks: a QD-IMD-style mask folder (bad files included) and generated free-form masks."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pipelines import masks
from tfface.data.free_form_masks import FreeFormMaskConfig, free_form_mask


def test_folder_and_generated_masks(tmp_path: Path, images, dataset) -> None:
    folder = tmp_path / "qd_imd"
    stroke = np.zeros((48, 48), np.uint8)
    stroke[10:20, 4:40] = 255
    images.save(folder / "a.png", stroke)
    images.save(folder / "sub" / "b.png", np.stack([255 - stroke] * 3, axis=-1))  # RGB, dark hole
    images.save(folder / "empty.png", np.zeros((48, 48), np.uint8))
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    output = tmp_path / "out"
    info = masks.main(
        ["--input", str(folder), "--generate", "3", "--seed", "5", "--max-hole-ratio", "0.3",
         "--output", str(output), "--size", "24"]
    )  # fmt: skip
    dataset.check_counts(
        output, inputs=7, accepted=5, rejects={"corrupt_image": 1, "empty_mask": 1}
    )
    assert info["free_form_config"]["max_hole_ratio"] == 0.3
    records = dataset.records(output)
    hole = records["masks/folder/a.png"]["hole_mask"]
    assert hole.shape == (24, 24) and set(np.unique(hole)) == {0, 255}
    assert hole[7, 10] == 255 and hole[2, 10] == 0  # rows 10..19 of 48 -> 5..9 of 24
    # not inverted: the dark stroke of b.png is not a hole
    assert records["masks/folder/sub/b.png"]["hole_mask"][7, 10] == 0
    for index in range(3):
        record = records[f"masks/generated/seed5/{index:07d}"]
        expected = free_form_mask(24, (5, index), FreeFormMaskConfig(max_hole_ratio=0.3))
        np.testing.assert_array_equal(record["hole_mask"] == 255, expected)
        assert (
            record["metadata_names"] == ["hole_ratio"] and 0 < record["metadata_values"][0] <= 0.3
        )


def test_invert(tmp_path: Path, images, dataset) -> None:
    stroke = np.full((32, 32), 255, np.uint8)
    stroke[8:16, 8:24] = 0
    images.save(tmp_path / "in" / "m.png", stroke)
    output = tmp_path / "out"
    masks.main(
        ["--input", str(tmp_path / "in"), "--invert", "--output", str(output), "--size", "32"]
    )
    hole = dataset.records(output)["masks/folder/m.png"]["hole_mask"]
    assert hole[10, 10] == 255 and hole[0, 0] == 0 and int((hole == 255).sum()) == 8 * 16
