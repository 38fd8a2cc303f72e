"""Beam job paired_folders: pairing, metadata, IQR outlier cleaning and mean normalisation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipelines import paired_folders

TARGET_MEANS = {"s1/0": 90, "s1/1": 100, "s1/2": 110, "s1/3": 250, "s1/4": 120, "s1/5": 105}


@pytest.fixture
def pair_root(tmp_path: Path, images) -> Path:
    source, target = tmp_path / "source", tmp_path / "target"
    for name, mean in TARGET_MEANS.items():
        images.save(source / f"{name}.png", np.full((40, 40, 3), 120, np.uint8))
        nir = np.full((40, 40), mean, np.uint8)
        nir[10:20, 10:20] = max(mean - 40, 0)  # some structure
        images.save(target / f"{name}.jpg", np.stack([nir] * 3, axis=-1))
    images.save(source / "s2" / "0.png", images.random(1, 40))
    images.save(target / "s2" / "0.png", images.random(2, 40))
    images.save(source / "s2" / "x.png", images.random(3, 40))  # no target
    images.save(target / "s2" / "y.png", images.random(4, 40))  # no source
    (source / "s2" / "c.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")  # corrupt source
    images.save(target / "s2" / "c.png", images.random(5, 40))
    rows = ["path,yaw,pitch,gaze_x,subject"]
    rows += [
        f"{name}.png,{index * 10},-5,0.{index},alice"
        for index, name in enumerate(TARGET_MEANS)
        if name != "s1/5"
    ]
    rows += [
        "s1/5,1,2,abc,alice",
        "s2/c.png,0,0,0.5,bob",
        "s9/none.png,0,0,0,zed",
    ]  # bad row, row without pair
    (tmp_path / "meta.csv").write_text("\n".join(rows) + "\n")  # s2/0 has no row
    return tmp_path


def run(root: Path, output: Path, *extra: str) -> dict:
    return paired_folders.main(
        [
            "--source",
            str(root / "source"),
            "--target",
            str(root / "target"),
            "--output",
            str(output),
            "--size",
            "16",
            *extra,
        ]
    )


def test_pairing_metadata_and_outliers(pair_root: Path, dataset) -> None:
    output = pair_root / "clean"
    info = run(
        pair_root,
        output,
        "--metadata",
        str(pair_root / "meta.csv"),
        "--clean-outliers",
        "--target-mode",
        "gray",
    )
    rejects = {
        "bad_metadata": 1,
        "corrupt_image": 1,
        "missing_metadata": 1,
        "outlier": 1,
        "unpaired": 2,
    }
    dataset.check_counts(output, inputs=10, accepted=4, rejects=rejects)
    assert dataset.rejects(output) == {
        "paired_folders/s1/3": "outlier",
        "paired_folders/s1/5": "bad_metadata",
        "paired_folders/s2/0": "missing_metadata",
        "paired_folders/s2/c": "corrupt_image",
        "paired_folders/source/s2/x.png": "unpaired",
        "paired_folders/target/s2/y.png": "unpaired",
    }
    assert info["metadata_text_columns"] == ["subject"] and info["metadata_rows_without_pair"] == 1
    records = dataset.records(output)
    assert sorted(records) == [f"paired_folders/s1/{index}" for index in (0, 1, 2, 4)]
    record = records["paired_folders/s1/2"]
    assert record["image"].shape == (16, 16, 3) and record["target_image"].shape == (16, 16)
    np.testing.assert_allclose(record["pose"], [20, -5, 0])
    assert record["metadata_names"] == ["gaze_x"]
    np.testing.assert_allclose(record["metadata_values"], [0.2], rtol=1e-6)
    assert record["domain"] == "rgb"


def test_without_cleaning_the_outlier_stays(pair_root: Path, dataset) -> None:
    output = pair_root / "raw"
    run(pair_root, output)
    dataset.check_counts(output, inputs=10, accepted=7, rejects={"corrupt_image": 1, "unpaired": 2})
    assert "paired_folders/s1/3" in dataset.records(output)


def test_mean_normalisation(pair_root: Path, dataset) -> None:
    fixed = pair_root / "fixed"
    run(pair_root, fixed, "--mean-normalize", "--target-mean", "100")
    for record in dataset.records(fixed).values():
        assert abs(record["target_image"].mean() - 100) < 1.5
    automatic = pair_root / "automatic"
    run(pair_root, automatic, "--mean-normalize", "--clean-outliers")
    records = dataset.records(automatic)
    means = [record["target_image"].mean() for record in records.values()]
    assert len(records) == 6  # s1/3 is an outlier
    assert max(means) - min(means) < 1.5  # every target scaled to the same mu0
    assert 90 < means[0] < 130  # mu0 = mean of the non-outlier targets, far below the outlier's 250


def test_iqr_rule() -> None:
    means = {"a": 90.0, "b": 100.0, "c": 110.0, "d": 120.0, "e": 250.0, "f": 0.0}
    assert paired_folders.iqr_outliers(means) == {"e", "f"}
    assert paired_folders.iqr_outliers({"a": 0.0, "b": 100.0, "c": 255.0}) == set()  # too few
