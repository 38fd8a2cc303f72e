"""Beam job image_folder: one domain and unpaired A/B folders, bad files included."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pipelines import image_folder


def write_folder(root: Path, images) -> None:
    wide = np.zeros((48, 64, 3), np.uint8)
    wide[:, :8] = (255, 0, 0)
    wide[:, 56:] = (255, 0, 0)
    wide[:, 8:56] = (0, 200, 0)
    images.save(root / "a" / "wide.png", wide)
    images.save(root / "a" / "two.jpg", images.random(2, 40))
    images.save(root / "b" / "three.PNG", images.random(3, 64))
    images.truncated_jpeg(root / "b" / "broken.jpg", images.random(4, 64))
    images.save(root / "tiny.png", images.random(5, 8))
    (root / "notes.txt").write_text("not an image, not listed")
    images.save(root / ".hidden" / "skip.png", images.random(6, 32))


def test_one_domain_counts_crop_and_determinism(tmp_path: Path, images, dataset) -> None:
    write_folder(tmp_path / "photos", images)
    arguments = [
        "--input",
        str(tmp_path / "photos"),
        "--size",
        "32",
        "--min-size",
        "16",
        "--domain",
        "face",
    ]
    first, second = tmp_path / "first", tmp_path / "second"
    info = image_folder.main([*arguments, "--output", str(first)])
    image_folder.main([*arguments, "--output", str(second)])
    dataset.check_counts(first, inputs=5, accepted=3, rejects={"corrupt_image": 1, "too_small": 1})
    assert dataset.rejects(first) == {
        "image_folder/face/b/broken.jpg": "corrupt_image",
        "image_folder/face/tiny.png": "too_small",
    }
    assert dataset.serialized(first) == dataset.serialized(second)
    assert info["domains"] == {"face": 3}
    records = dataset.records(first)
    assert sorted(records) == [
        "image_folder/face/a/two.jpg",
        "image_folder/face/a/wide.png",
        "image_folder/face/b/three.PNG",
    ]
    wide = records["image_folder/face/a/wide.png"]
    assert wide["image"].shape == (32, 32, 3) and wide["domain"] == "face"
    green = np.broadcast_to([0, 200, 0], (32, 32, 3))
    np.testing.assert_array_equal(wide["image"], green)  # the centre crop drops the red


def test_unpaired_domains_and_group_depth(tmp_path: Path, images, dataset) -> None:
    for index in range(3):
        images.save(tmp_path / "A" / "subject1" / f"{index}.png", images.random(index, 32))
        images.save(tmp_path / "B" / f"{index}.jpg", images.random(10 + index, 32))
    output = tmp_path / "ab"
    info = image_folder.main(
        ["--input-a", str(tmp_path / "A"), "--input-b", str(tmp_path / "B"), "--output", str(output),
         "--size", "16", "--fit", "stretch", "--group-depth", "1", "--splits", "train=0.5,validation=0,test=0.5"]
    )  # fmt: skip
    dataset.check_counts(output, inputs=6, accepted=6, rejects={})
    assert info["domains"] == {"painting": 3, "photo": 3}
    records = dataset.records(output)
    photo_splits = {
        record["split"] for key, record in records.items() if record["domain"] == "photo"
    }
    assert len(photo_splits) == 1  # one folder, one group, one split
    assert all(record["image"].shape == (16, 16, 3) for record in records.values())
