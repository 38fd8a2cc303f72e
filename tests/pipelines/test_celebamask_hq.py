"""Beam job celebamask_hq on a tiny fixture in the official layout, bad files included."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pipelines import celebamask_hq
from tfface.data.labels import CELEBAMASK_HQ_19, PORTRAIT_11

SIZE = 64  # fixture image side; output --size 32


def part(shape: int, top: int, bottom: int, left: int, right: int) -> np.ndarray:
    mask = np.zeros((shape, shape), np.uint8)
    mask[top:bottom, left:right] = 255
    return mask


def write_masks(root: Path, index: int, parts: dict[str, np.ndarray], save) -> None:
    for name, mask in parts.items():
        save(
            root / celebamask_hq.MASK_FOLDER / str(index // 2000) / f"{index:05d}_{name}.png", mask
        )


@pytest.fixture(scope="module")
def celebamask_root(tmp_path_factory, images) -> Path:
    root = tmp_path_factory.mktemp("celebamask") / "CelebAMask-HQ"
    image_dir = root / celebamask_hq.IMAGE_FOLDER
    face = {  # 64 px masks: skin everywhere in the middle, l_eye and hair overlap it
        "skin": part(SIZE, 8, 56, 8, 56),
        "l_eye": part(SIZE, 20, 28, 36, 48),
        "hair": part(SIZE, 0, 16, 0, 64),
        "nose": part(SIZE, 30, 40, 28, 36),
    }
    # 0: good, masks at image size
    images.save(image_dir / "0.jpg", images.random(0, SIZE))
    write_masks(root, 0, face, images.save)
    # 1: good, masks at the official 512 x 512 (image 64)
    images.save(image_dir / "1.jpg", images.random(1, SIZE))
    write_masks(
        root,
        1,
        {"skin": part(512, 64, 448, 64, 448), "hair": part(512, 0, 128, 0, 512)},
        images.save,
    )
    # 2: truncated JPEG
    images.truncated_jpeg(image_dir / "2.jpg", images.random(2, SIZE))
    write_masks(root, 2, face, images.save)
    # 3: skin mask missing
    images.save(image_dir / "3.jpg", images.random(3, SIZE))
    write_masks(root, 3, {"hair": face["hair"], "nose": face["nose"]}, images.save)
    # 4: a mask neither the image size nor 512
    images.save(image_dir / "4.jpg", images.random(4, SIZE))
    write_masks(root, 4, {"skin": face["skin"], "l_eye": part(48, 10, 20, 10, 20)}, images.save)
    # 5: unreadable mask
    images.save(image_dir / "5.jpg", images.random(5, SIZE))
    write_masks(root, 5, {"skin": face["skin"]}, images.save)
    (root / celebamask_hq.MASK_FOLDER / "0" / "00005_nose.png").write_bytes(b"not a png at all")
    # 2001 (mask folder 1): good
    images.save(image_dir / "2001.jpg", images.random(6, SIZE))
    write_masks(root, 2001, {"skin": face["skin"], "l_eye": face["l_eye"]}, images.save)
    # 7: masks without an image
    write_masks(root, 7, {"skin": face["skin"]}, images.save)
    return root


EXPECTED_REJECTS = {
    "corrupt_image": 1,
    "corrupt_mask:nose": 1,
    "missing_image": 1,
    "missing_part:skin": 1,
    "wrong_size:l_eye": 1,
}


def run(root: Path, output: Path, *extra: str) -> dict:
    return celebamask_hq.main(
        ["--input", str(root), "--output", str(output), "--size", "32", "--shards", "2", *extra]
    )


@pytest.fixture(scope="module")
def single_worker_output(celebamask_root: Path) -> Path:
    """One default run, shared by the tests that read it."""
    output = celebamask_root.parent / "single"
    run(celebamask_root, output)
    return output


def test_counts_rejects_fusion_and_contents(single_worker_output: Path, dataset) -> None:
    output = single_worker_output
    info = dataset.info(output)
    dataset.check_counts(output, inputs=8, accepted=3, rejects=EXPECTED_REJECTS)
    assert info["source"] == "celebamask_hq" and info["split_source"] == "hash"
    assert dataset.rejects(output) == {
        "celebamask_hq/2": "corrupt_image",
        "celebamask_hq/3": "missing_part:skin",
        "celebamask_hq/4": "wrong_size:l_eye",
        "celebamask_hq/5": "corrupt_mask:nose",
        "celebamask_hq/7": "missing_image",
    }
    records = dataset.records(output)
    assert sorted(records) == ["celebamask_hq/0", "celebamask_hq/1", "celebamask_hq/2001"]
    record = records["celebamask_hq/0"]
    assert record["image"].shape == (32, 32, 3) and record["image"].dtype == np.uint8
    label_19, label_11 = record["label_map_19"], record["label_map_11"]
    assert label_19.shape == label_11.shape == (32, 32)
    names_19 = {name: CELEBAMASK_HQ_19.index(name) for name in CELEBAMASK_HQ_19.names}
    # fusion order: l_eye over skin, hair over skin, nose over skin; background outside
    assert label_19[12, 20] == names_19["l_eye"] and label_11[12, 20] == PORTRAIT_11.index("l_eye")
    assert label_19[6, 16] == names_19["hair"] and label_11[6, 16] == PORTRAIT_11.index("hair")
    assert label_19[17, 15] == names_19["nose"] and label_11[17, 15] == PORTRAIT_11.index("nose")
    assert label_19[24, 8] == names_19["skin"]
    assert label_19[30, 1] == 0 and label_19[10, 1] == 0
    assert set(np.unique(label_19)) == {0, 1, 2, 4, 13}
    # the 512 x 512 masks are fused at 512 and resized: skin in the middle, hair on top
    other = records["celebamask_hq/1"]["label_map_19"]
    assert (
        other[16, 16] == names_19["skin"]
        and other[1, 16] == names_19["hair"]
        and other[30, 30] == 0
    )
    assert info["class_pixel_frequencies"]["label_map_19"][names_19["skin"]] > 0


def test_official_partition_overrides_the_hash_split(
    celebamask_root: Path, tmp_path: Path, dataset
) -> None:
    mapping = tmp_path / "CelebA-HQ-to-CelebA-mapping.txt"
    lines = ["idx         orig_idx    orig_file"]
    lines += [
        f"{index:<12}{index + 100:<12}{index + 101:06d}.jpg" for index in (0, 2, 3, 4, 5, 2001)
    ]  # 1 absent
    mapping.write_text("\n".join(lines) + "\n")
    partition = tmp_path / "list_eval_partition.txt"
    partition.write_text(
        "000101.jpg 2\n002102.jpg 1\n000103.jpg 0\n000104.jpg 0\n000105.jpg 0\n000106.jpg 0\n"
    )
    output = tmp_path / "official"
    info = run(celebamask_root, output, "--mapping", str(mapping), "--partition", str(partition))
    rejects = {**EXPECTED_REJECTS, "missing_partition": 1}
    dataset.check_counts(output, inputs=8, accepted=2, rejects=rejects)
    assert info["split_source"] == "official_partition"
    assert info["counts"] == {"train": 0, "validation": 1, "test": 1}
    records = dataset.records(output)
    assert records["celebamask_hq/0"]["split"] == "test"
    assert records["celebamask_hq/2001"]["split"] == "validation"
    assert dataset.rejects(output)["celebamask_hq/1"] == "missing_partition"


def test_two_worker_run_writes_the_same_records(
    celebamask_root: Path, single_worker_output: Path, tmp_path: Path, dataset
) -> None:
    single, multi = single_worker_output, tmp_path / "multi"
    run(celebamask_root, multi, "--direct_num_workers=2", "--direct_running_mode=multi_processing")
    assert dataset.serialized(single) == dataset.serialized(multi)
    assert dataset.info(single)["counts"] == dataset.info(multi)["counts"]
    assert dataset.rejects(single) == dataset.rejects(multi)


def test_tfds_builder_reads_the_manual_dir(celebamask_root: Path, tmp_path: Path) -> None:
    import tensorflow_datasets as tfds

    import tfface.data.tfds  # noqa: F401  (registers the builders)

    builder = tfds.builder("tfface_celebamask_hq/64", data_dir=str(tmp_path / "tfds"))
    builder.download_and_prepare(
        download_config=tfds.download.DownloadConfig(manual_dir=str(celebamask_root))
    )
    total = sum(split.num_examples for split in builder.info.splits.values())
    assert total == 3  # the same three good images the Beam job accepts
    split = next(iter(builder.info.splits))
    example = next(
        iter(tfds.load("tfface_celebamask_hq/64", split=split, data_dir=str(tmp_path / "tfds")))
    )
    assert example["image"].shape == (64, 64, 3) and example["label_map_11"].shape == (64, 64, 1)


def test_python_dash_m_runs_with_worker_processes(
    celebamask_root: Path, single_worker_output: Path, tmp_path: Path, dataset
) -> None:
    """`python -m pipelines.celebamask_hq` with two worker processes: the input items and
    DoFns must be importable by the workers (not pickled from `__main__`)."""
    output = tmp_path / "script"
    arguments = ["--input", str(celebamask_root), "--output", str(output), "--size", "32"]
    arguments += ["--shards", "2", "--direct_num_workers=2"]
    arguments += ["--direct_running_mode=multi_processing"]
    completed = subprocess.run(
        [sys.executable, "-m", "pipelines.celebamask_hq", *arguments],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert dataset.serialized(single_worker_output) == dataset.serialized(output)


def test_tfds_builder_exposes_the_official_validation_and_test_splits(
    celebamask_root: Path, tmp_path: Path
) -> None:
    import tensorflow_datasets as tfds

    import tfface.data.tfds  # noqa: F401  (registers the builders)

    manual = tmp_path / "manual"
    manual.mkdir()
    for folder in (celebamask_hq.IMAGE_FOLDER, celebamask_hq.MASK_FOLDER):
        (manual / folder).symlink_to(celebamask_root / folder)
    mapping = ["idx         orig_idx    orig_file"]
    mapping += [f"{index:<12}{index + 100:<12}{index + 101:06d}.jpg" for index in (0, 1, 2001)]
    (manual / "CelebA-HQ-to-CelebA-mapping.txt").write_text("\n".join(mapping) + "\n")
    # 0 -> test, 1 -> train, 2001 -> validation (the official partition file's codes 2, 0, 1)
    (manual / "list_eval_partition.txt").write_text("000101.jpg 2\n000102.jpg 0\n002102.jpg 1\n")
    builder = tfds.builder("tfface_celebamask_hq/64", data_dir=str(tmp_path / "tfds"))
    builder.download_and_prepare(
        download_config=tfds.download.DownloadConfig(manual_dir=str(manual))
    )
    splits = {name: split.num_examples for name, split in builder.info.splits.items()}
    assert splits == {"train": 1, "validation": 1, "test": 1}
    keys = {
        split: [
            example["key"].numpy().decode()
            for example in tfds.load(
                "tfface_celebamask_hq/64", split=split, data_dir=str(tmp_path / "tfds")
            )
        ]
        for split in splits
    }
    assert keys == {
        "train": ["celebamask_hq/1"],
        "validation": ["celebamask_hq/2001"],
        "test": ["celebamask_hq/0"],
    }
