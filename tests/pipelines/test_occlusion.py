"""Beam job occlusion: folder faces with label-map masks and RGBA occluders, and SynthFaces occluders."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipelines import occlusion
from tfface.data.labels import CELEBAMASK_HQ_19


def rgba_shape(kind: str, size: int = 24) -> np.ndarray:
    rgba = np.zeros((size, size, 4), np.uint8)
    ys, xs = np.mgrid[0:size, 0:size]
    if kind == "disc":
        rgba[..., :3] = (240, 20, 20)
        rgba[..., 3] = np.where(
            (ys - size / 2) ** 2 + (xs - size / 2) ** 2 < (size / 2 - 1) ** 2, 255, 0
        )
    else:
        rgba[..., :3] = (20, 20, 240)
        rgba[size // 3 : 2 * size // 3, :, 3] = 255
    return rgba


@pytest.fixture
def occlusion_root(tmp_path: Path, images) -> Path:
    faces, masks = tmp_path / "faces", tmp_path / "masks"
    label = np.zeros((48, 48), np.uint8)
    label[8:44, 10:38] = CELEBAMASK_HQ_19.index("skin")
    label[16:22, 26:34] = CELEBAMASK_HQ_19.index("l_eye")
    label[0:8, :] = CELEBAMASK_HQ_19.index("hair")
    images.save(faces / "a.png", images.random(1, 48))
    images.save(masks / "a.png", label)
    images.save(faces / "sub" / "b.jpg", images.random(2, 48))
    images.save(masks / "sub" / "b.png", label)
    images.save(faces / "c.png", images.random(3, 48))  # no mask
    images.truncated_jpeg(faces / "broken.jpg", images.random(4, 48))
    images.save(masks / "broken.png", label)
    images.save(faces / "d.png", images.random(5, 48))
    no_face = np.full((48, 48), CELEBAMASK_HQ_19.index("hair"), np.uint8)
    images.save(masks / "d.png", no_face)
    images.save(faces / "e.png", images.random(6, 48))
    images.save(masks / "e.png", np.full((48, 48), 30, np.uint8))  # not a 19-class label
    images.save(tmp_path / "occluders" / "disc.png", rgba_shape("disc"))
    images.save(tmp_path / "occluders" / "bar.png", rgba_shape("bar"))
    images.save(tmp_path / "textures" / "wood.png", images.random(7, 16))
    return tmp_path


def run(root: Path, output: Path, *extra: str) -> dict:
    return occlusion.main(
        ["--input", str(root / "faces"), "--masks", str(root / "masks"), "--mask-type", "label19",
         "--occluders", str(root / "occluders"), "--textures", str(root / "textures"), "--variants", "2",
         "--size", "32", "--output", str(output), *extra]
    )  # fmt: skip


def test_folder_variants_ground_truth_and_determinism(occlusion_root: Path, dataset) -> None:
    first, second = occlusion_root / "first", occlusion_root / "second"
    info = run(occlusion_root, first)
    run(occlusion_root, second)
    rejects = {"bad_mask": 1, "corrupt_image": 1, "empty_face_mask": 1, "missing_mask": 1}
    dataset.check_counts(first, inputs=8, accepted=4, rejects=rejects)
    assert dataset.rejects(first) == {
        "occlusion/broken.jpg": "corrupt_image",
        "occlusion/c.png": "missing_mask",
        "occlusion/d.png": "empty_face_mask",
        "occlusion/e.png": "bad_mask",
    }
    assert dataset.serialized(first) == dataset.serialized(second)
    assert info["occluder_count"] == 2 and info["texture_count"] == 1
    records = dataset.records(first)
    assert sorted(records) == [
        "occlusion/a.png#0",
        "occlusion/a.png#1",
        "occlusion/sub/b.jpg#0",
        "occlusion/sub/b.jpg#1",
    ]
    face_11 = np.zeros((32, 32), bool)  # skin + l_eye of the fixture, at 32 px (hair excluded)
    face_11[6:30, 7:26] = True
    for key, record in records.items():
        occluded = record["occlusion_mask"] == 255
        visible = record["face_mask"] == 255
        assert occluded.any() and record["occluder"] in ("disc", "bar")
        np.testing.assert_array_equal(
            record["image"][~occluded], record["image_unoccluded"][~occluded]
        )
        assert not (visible & occluded).any()
        np.testing.assert_array_equal(
            visible[7:29, 8:25], face_11[7:29, 8:25] & ~occluded[7:29, 8:25]
        )
        assert not visible[:4].any()  # hair is not face
        # variants of a face share a split
        assert record["split"] == records[key.split("#")[0] + "#0"]["split"]
    assert not np.array_equal(
        records["occlusion/a.png#0"]["occlusion_mask"],
        records["occlusion/a.png#1"]["occlusion_mask"],
    )


def test_opaque_occluder_stops_the_job_on_the_driver(occlusion_root: Path, images) -> None:
    images.save(occlusion_root / "occluders" / "opaque.jpg", images.random(9, 16))
    with pytest.raises(SystemExit):
        run(occlusion_root, occlusion_root / "never")
    assert not (occlusion_root / "never").exists()


def test_from_synthfaces(tmp_path: Path, dataset) -> None:
    output = tmp_path / "synth"
    occlusion.main(
        ["--from-synthfaces", "--identities", "1", "--synth-occluders", "hand", "sunglasses", "--max-yaw", "20",
         "--size", "48", "--output", str(output)]
    )  # fmt: skip
    dataset.check_counts(output, inputs=2, accepted=2, rejects={})
    records = dataset.records(output)
    assert sorted(records) == [
        f"occlusion/synthfaces/seed0/identity00000/{name}" for name in ("hand", "sunglasses")
    ]
    for record in records.values():
        occluded = record["occlusion_mask"] == 255
        assert occluded.any() and record["identity"] == 0 and abs(record["pose"][0]) <= 20
        assert not ((record["face_mask"] == 255) & occluded).any()
        np.testing.assert_array_equal(
            record["image"][~occluded], record["image_unoccluded"][~occluded]
        )
