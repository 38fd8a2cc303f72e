"""The `synthfaces` Beam job: contents, splits by identity, determinism, 1 vs 2 workers, validation."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from pipelines import synthfaces
from tfface.cli.main import main as cli_main
from tfface.data.features import decode_example_numpy
from tfface.data.validate import validate_dataset

ARGUMENTS = [
    "--identities",
    "4",
    "--size",
    "32",
    "--uv-size",
    "32",
    "--yaws",
    "0",
    "40",
    "--domains",
    "rgb",
    "nir",
]


def read_records(directory: Path) -> list[bytes]:
    files = sorted(str(path) for path in directory.glob("*.tfrecord"))
    return sorted(record.numpy() for record in tf.data.TFRecordDataset(files))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("synthfaces")
    synthfaces.main(
        [
            "--output",
            str(output),
            *ARGUMENTS,
            "--occluders",
            "hat",
            "--pair-with-frontal",
            "--splits",
            "train=0.5,validation=0.25,test=0.25",
        ]
    )
    return output


def test_counts_info_and_contents(built: Path) -> None:
    info = json.loads((built / "dataset_info.json").read_text())
    assert (
        info["inputs"] == info["accepted"] == 4 * 2 * 2 * 2
    )  # identities x yaws x domains x (plain, hat)
    assert info["rejected"] == 0 and info["rejects_by_reason"] == {}
    assert sum(info["counts"].values()) == 32
    assert info["domains"] == {"nir": 16, "rgb": 16}
    assert abs(sum(info["class_pixel_frequencies"]["label_map_11"]) - 1.0) < 1e-4
    assert "target_image" in info["features"] and info["shards"]["train"] == 4
    records = [decode_example_numpy(record) for record in read_records(built)]
    splits_by_identity: dict[int, set[str]] = {}
    for record in records:
        splits_by_identity.setdefault(record["identity"], set()).add(record["split"])
        assert record["image"].shape[:2] == (32, 32)
        assert record["target_pose"].tolist() == [0.0, 0.0, 0.0]
        if record["occluder"] == "hat":
            assert record["occlusion_mask"].any()
    assert all(
        len(splits) == 1 for splits in splits_by_identity.values()
    )  # an identity never spans two splits
    assert validate_dataset(built).ok


def test_shared_scene_pairs_share_the_background(tmp_path: Path) -> None:
    output = tmp_path / "pairs"
    synthfaces.main(
        ["--output", str(output), "--identities", "2", "--size", "32", "--uv-size", "16"]
        + ["--yaws", "30", "--pair-with-frontal", "--shared-scene"]
        + ["--splits", "train=1,validation=0,test=0"]
    )
    info = json.loads((output / "dataset_info.json").read_text())
    assert info["synth_config"]["scene_per_pose"] is False
    for record in (decode_example_numpy(record) for record in read_records(output)):
        background = (record["label_map_11"] == 0) & (record["target_label_map_11"] == 0)
        corners = np.zeros_like(background)
        corners[:4, :4] = corners[:4, -4:] = True  # far from the head at 32 px
        assert background[corners].all()
        np.testing.assert_array_equal(record["image"][corners], record["target_image"][corners])


def shard_bytes(directory: Path) -> dict[str, bytes]:
    """Every TFRecord shard of a job's output, by file name."""
    return {path.name: path.read_bytes() for path in sorted(directory.glob("*.tfrecord"))}


def test_same_shard_bytes_on_a_rerun_and_with_two_workers(built: Path, tmp_path: Path) -> None:
    """The sink writes each shard in key order (pipelines/common/ordered_shards.py)."""
    first, second = tmp_path / "one", tmp_path / "two"
    synthfaces.main(["--output", str(first), *ARGUMENTS])
    synthfaces.main(
        [
            "--output",
            str(second),
            *ARGUMENTS,
            "--direct_num_workers=2",
            "--direct_running_mode=multi_processing",
        ]
    )
    one_worker = shard_bytes(first)
    assert len(one_worker) == 4 + 1 + 1  # train shards (--shards default 4), validation, test
    assert one_worker == shard_bytes(second)
    rerun = tmp_path / "rerun"
    synthfaces.main(["--output", str(rerun), *ARGUMENTS])
    assert one_worker == shard_bytes(rerun)


def test_validate_finds_tampering(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    copy = tmp_path / "copy"
    copy.mkdir()
    for path in built.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    info = json.loads((copy / "dataset_info.json").read_text())
    info["counts"]["train"] += 1
    (copy / "dataset_info.json").write_text(json.dumps(info))
    report = validate_dataset(copy)
    assert not report.ok and any("dataset_info says" in problem for problem in report.problems)
    assert cli_main(["data", "validate", str(copy)]) == 1
    assert cli_main(["data", "validate", str(built)]) == 0
    assert "OK" in capsys.readouterr().out


def test_cli_build_passes_beam_options_through(tmp_path: Path) -> None:
    output = tmp_path / "cli"
    code = cli_main(
        [
            "data",
            "build",
            "synthfaces",
            "--output",
            str(output),
            "--identities",
            "1",
            "--size",
            "24",
            "--uv-size",
            "24",
            "--runner",
            "DirectRunner",
        ]
    )
    assert code == 0
    assert json.loads((output / "dataset_info.json").read_text())["accepted"] == 1


def test_tfds_builder_loads_a_built_dataset(tmp_path: Path) -> None:
    import tensorflow_datasets as tfds

    import tfface.data.tfds  # noqa: F401  (registers the builders)

    builder = tfds.builder("tfface_synthfaces/tiny", data_dir=str(tmp_path))
    builder.download_and_prepare()
    total = sum(split.num_examples for split in builder.info.splits.values())
    assert total == 4 * 2  # tiny: 4 identities x 2 yaws
    dataset = tfds.load(
        "tfface_synthfaces/tiny", split=list(builder.info.splits)[0], data_dir=str(tmp_path)
    )
    example = next(iter(dataset))
    assert example["image"].shape == (64, 64, 3) and example["landmarks"].shape == (68, 3)
    assert set(np.unique(example["label_map_11"].numpy())) <= set(range(11))
