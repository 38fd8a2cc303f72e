"""Beam job identity_augmentation (a generator export adds synthesized faces of the same
identities) and image_folder --identity-from-folders (ROOT/<identity>/*.jpg)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from pipelines import identity_augmentation, image_folder
from tfface.data.features import encode_example

SIZE = 16


class MirrorRotator(tf.Module):
    """A stand-in for warp_rotation's `rotate_to_yaw` export (same inputs and output):
    mirrors the image and writes target_yaw into its first pixel, so the test can see which
    value each copy was made with."""

    @tf.function(
        input_signature=[
            tf.TensorSpec([None, SIZE, SIZE, 3], tf.uint8, name="image"),
            tf.TensorSpec([None], tf.float32, name="target_yaw"),
        ]
    )
    def rotate_to_yaw(self, image, target_yaw):
        mirrored = tf.reverse(image, axis=[2])
        marker = tf.cast(target_yaw, tf.uint8)[:, None, None, None] * tf.ones_like(image[:, :1, :1])
        top = tf.concat([marker, mirrored[:, :1, 1:]], axis=2)
        return {"image": tf.concat([top, mirrored[:, 1:]], axis=1)}


@pytest.fixture(scope="module")
def generator(tmp_path_factory) -> Path:
    """<base>/rotator/1: an export with a `rotate_to_yaw` signature."""
    version = tmp_path_factory.mktemp("models") / "rotator" / "1"
    module = MirrorRotator()
    signature = module.rotate_to_yaw.get_concrete_function()
    tf.saved_model.save(module, str(version), signatures={"rotate_to_yaw": signature})
    return version.parent


def identity_dataset(folder: Path) -> Path:
    """3 identities x yaws (0, 10, 45): 9 records, 6 train / 3 test (by identity)."""
    folder.mkdir()
    rng = np.random.default_rng(0)
    writers = {
        split: tf.io.TFRecordWriter(str(folder / f"{split}-00000-of-00001.tfrecord"))
        for split in ("train", "test")
    }
    for identity in range(3):
        split = "test" if identity == 2 else "train"
        for yaw in (0.0, 10.0, 45.0):
            record = {
                "key": f"person{identity}/yaw{int(yaw)}",
                "split": split,
                "image": rng.integers(0, 256, (SIZE, SIZE, 3), dtype=np.uint8),
                "identity": identity,
                "pose": [yaw, 0.0, 0.0],
                "domain": "rgb",
            }
            writers[split].write(encode_example(record))
    for writer in writers.values():
        writer.close()
    return folder


def test_copies_keep_identity_and_split_and_take_the_drawn_yaw(generator, tmp_path, dataset):
    source = identity_dataset(tmp_path / "source")
    arguments = ["--input", str(source), "--generator", str(generator)]
    arguments += ["--signature", "rotate_to_yaw", "--value", "target_yaw=30,60"]
    arguments += ["--max-abs-yaw", "15", "--copies", "2", "--output"]
    info = identity_augmentation.main([*arguments, str(tmp_path / "out")])
    # 9 originals + 2 copies of each of the 6 records with |yaw| <= 15
    assert info["accepted"] == 21 and info["counts"] == {"train": 14, "validation": 0, "test": 7}
    records = dataset.records(tmp_path / "out")
    originals = {key: record for key, record in records.items() if "synthesized" not in key}
    assert len(originals) == 9
    copies = {key: record for key, record in records.items() if "synthesized" in key}
    drawn = set()
    for key, copy in copies.items():
        source_record = originals[key.rsplit("/synthesized", 1)[0]]
        assert abs(source_record["pose"][0]) <= 15
        assert (
            copy["identity"] == source_record["identity"]
            and copy["split"] == source_record["split"]
        )
        yaw = copy["pose"][0]
        assert yaw in (30.0, 60.0) and copy["image"][0, 0, 0] == yaw
        np.testing.assert_array_equal(copy["image"][1:], source_record["image"][1:, ::-1])
        assert copy["metadata_names"] == ["synthesized"] and "label_map_11" not in copy
        drawn.add(yaw)
    assert drawn == {30.0, 60.0}


def test_selection_by_key_and_ratio_is_seeded_and_yaw_limited() -> None:
    dofn = identity_augmentation.IdentityAugmentationDoFn(
        "unused", "rotate_to_yaw", {}, 0.5, 1, 30.0, 7, fractions={"train": 1.0}, salt="s"
    )
    records = [{"key": f"k{number}", "pose": [0.0, 0.0, 0.0]} for number in range(400)]
    chosen = [dofn.eligible(record) for record in records]
    assert chosen == [dofn.eligible(record) for record in records]
    assert 0.4 < np.mean(chosen) < 0.6
    assert not dofn.eligible({"key": "k0", "pose": [45.0, 0.0, 0.0]})
    assert not dofn.eligible({"key": "k0"})  # no pose: the yaw limit cannot hold
    dofn.ratio = 0.0
    assert not any(dofn.eligible(record) for record in records)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--signature", "serving_default"], "no signature 'serving_default'"),
        (["--signature", "rotate_to_yaw"], "give --value NAME=V1,V2 for"),
        (["--signature", "rotate_to_yaw", "--value", "target_yaw"], "NAME=V1,V2"),
        (["--signature", "rotate_to_yaw", "--value", "target_yaw=a"], "must be numbers"),
        (["--signature", "rotate_to_yaw", "--value", "target_yaw=1", "--ratio", "2"], "--ratio"),
    ],
)
def test_bad_arguments_are_refused(generator, tmp_path, capsys, extra, message) -> None:
    source = identity_dataset(tmp_path / "source")
    arguments = ["--input", str(source), "--generator", str(generator), *extra]
    with pytest.raises(SystemExit):
        identity_augmentation.main([*arguments, "--output", str(tmp_path / "out")])
    assert message in capsys.readouterr().err


def test_image_folder_labels_identities_by_folder(tmp_path, images, dataset) -> None:
    root = tmp_path / "casia"
    for name, count in (("0000045", 2), ("0000099", 1), ("0000102", 3)):
        for number in range(count):
            images.save(root / name / f"{number:03d}.jpg", images.random(number, 24))
    arguments = ["--input", str(root), "--size", "16", "--identity-from-folders"]
    info = image_folder.main([*arguments, "--output", str(tmp_path / "out")])
    assert info["identities"] == ["0000045", "0000099", "0000102"]
    records = dataset.records(tmp_path / "out")
    labels = {key.split("/")[-2]: record["identity"] for key, record in records.items()}
    assert labels == {"0000045": 0, "0000099": 1, "0000102": 2} and len(records) == 6
    images.save(root / "loose.jpg", images.random(9, 24))
    with pytest.raises(SystemExit):
        image_folder.main([*arguments, "--output", str(tmp_path / "bad")])
