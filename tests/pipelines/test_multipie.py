"""Beam job multipie: layout parsing, frontal pairing, camera yaws, protocols and rejects."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipelines import multipie


def multipie_path(
    root: Path,
    subject: int,
    session: int,
    recording: int,
    camera: str,
    illumination: int,
    token: str | None = None,
) -> Path:
    token = token or camera.replace("_", "")
    name = f"{subject:03d}_{session:02d}_{recording:02d}_{token}_{illumination:02d}.png"
    return (
        root
        / f"session{session:02d}"
        / "multiview"
        / f"{subject:03d}"
        / f"{recording:02d}"
        / camera
        / name
    )


@pytest.fixture
def multipie_root(tmp_path: Path, images) -> Path:
    root = tmp_path / "data"
    counter = iter(range(100))

    def add(*args, **kwargs) -> Path:
        return images.save(
            multipie_path(root, *args, **kwargs), images.random(next(counter), 48, 64)
        )

    add(1, 1, 1, "05_1", 7)
    add(1, 1, 1, "14_0", 7)
    add(1, 1, 1, "08_1", 7)  # camera above head height
    add(1, 1, 1, "19_0", 8)  # no frontal with illumination 08
    add(201, 1, 1, "05_1", 7)
    add(201, 1, 1, "24_0", 7)
    add(160, 2, 1, "05_1", 0)
    add(160, 2, 1, "11_0", 0)
    add(1, 1, 1, "05_1", 9, token="050")  # folder and file name disagree
    add(2, 1, 1, "05_1", 7)
    truncated = add(2, 1, 1, "13_0", 7)
    truncated.write_bytes(truncated.read_bytes()[:60])
    frontal = add(3, 1, 1, "05_1", 7)
    frontal.write_bytes(frontal.read_bytes()[:60])
    add(3, 1, 1, "04_1", 7)
    return root


def test_hash_split_pairs_and_rejects(multipie_root: Path, tmp_path: Path, dataset) -> None:
    output = tmp_path / "hash"
    info = multipie.main(["--input", str(multipie_root), "--output", str(output), "--size", "24"])
    rejects = {
        "bad_name": 1,
        "corrupt_image": 2,
        "corrupt_target": 1,
        "missing_frontal": 1,
        "non_horizontal_camera": 1,
    }
    dataset.check_counts(output, inputs=13, accepted=7, rejects=rejects)
    assert info["split_source"] == "hash"
    assert (
        dataset.rejects(output)["multipie/session01/multiview/001/01/08_1/001_01_01_081_07.png"]
        == "non_horizontal_camera"
    )
    records = dataset.records(output)
    side = records["multipie/session01/multiview/001/01/14_0/001_01_01_140_07.png"]
    front = records["multipie/session01/multiview/001/01/05_1/001_01_01_051_07.png"]
    assert side["image"].shape == (24, 24, 3)
    np.testing.assert_allclose(side["pose"], [-15, 0, 0])
    np.testing.assert_allclose(side["target_pose"], [0, 0, 0])
    np.testing.assert_array_equal(side["target_image"], front["image"])
    np.testing.assert_array_equal(front["target_image"], front["image"])
    assert side["identity"] == 1
    assert side["metadata_names"] == ["session", "recording", "illumination", "camera_yaw"]
    np.testing.assert_allclose(side["metadata_values"], [1, 1, 7, -15])
    yaws = {tuple(record["pose"]) for record in records.values()}
    assert (90.0, 0.0, 0.0) in yaws and (-90.0, 0.0, 0.0) in yaws
    by_subject: dict[int, set[str]] = {}
    for record in records.values():
        by_subject.setdefault(record["identity"], set()).add(record["split"])
    assert all(len(splits) == 1 for splits in by_subject.values())  # a subject never spans splits


def test_setting1_protocol(multipie_root: Path, tmp_path: Path, dataset) -> None:
    output = tmp_path / "setting1"
    info = multipie.main(
        [
            "--input",
            str(multipie_root),
            "--output",
            str(output),
            "--size",
            "24",
            "--protocol",
            "setting1",
        ]
    )
    rejects = {
        "bad_name": 1,
        "corrupt_image": 2,
        "corrupt_target": 1,
        "missing_frontal": 1,
        "non_horizontal_camera": 1,
        "protocol_excluded": 2,
    }
    dataset.check_counts(output, inputs=13, accepted=5, rejects=rejects)
    assert info["counts"] == {"train": 3, "validation": 0, "test": 2}
    for record in dataset.records(output).values():
        assert record["split"] == ("train" if record["identity"] <= 150 else "test")


def test_setting2_and_parsing_on_the_driver(multipie_root: Path) -> None:
    items = multipie.list_items(str(multipie_root), "setting2", neutral_only=False)
    assert len(items) == 13
    kept = [item for item in items if item.reject is None]
    assert {(item.subject, item.split) for item in kept} == {
        (1, "train"),
        (2, "train"),
        (3, "train"),
        (160, "train"),
        (201, "test"),
    }
    neutral = multipie.list_items(str(multipie_root), "setting2", neutral_only=True)
    assert [item.reject for item in neutral] == [
        item.reject for item in items
    ]  # every fixture image is recording 01
    assert multipie.parse_path("session01/multiview/001/01/05_1/001_01_01_051_07.png") == {
        "subject": 1, "session": 1, "recording": 1, "camera": "05_1", "illumination": 7,
    }  # fmt: skip
    assert multipie.parse_path("session01/multiview/001/02/05_1/001_01_01_051_07.png") is None
    assert len(multipie.CAMERA_YAWS) == 13
    assert multipie.protocol_split(150, 1, "setting1") == ("train", None)
    assert multipie.protocol_split(151, 1, "setting1") == ("test", None)
    assert multipie.protocol_split(10, 3, "setting1") == (None, "protocol_excluded")
    assert multipie.protocol_split(200, 4, "setting2") == ("train", None)
    assert multipie.protocol_split(201, 4, "setting2") == ("test", None)
