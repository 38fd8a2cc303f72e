"""Beam job wild_faces on scikit-image's astronaut photo (a real face) plus images without one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipelines import wild_faces
from tfface.geometry.alignment import face_template, transform_points, umeyama

skimage_data = pytest.importorskip("skimage.data")


def astronaut(size: int) -> np.ndarray:
    """The head-and-shoulders crop of skimage's astronaut (Eileen Collins), resized."""
    crop = skimage_data.astronaut()[0:256, 96:352]
    return np.asarray(Image.fromarray(crop).resize((size, size), Image.Resampling.LANCZOS))


@pytest.fixture(scope="module")
def photo_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("photos")
    face = astronaut(128)
    Image.fromarray(face).save(root / "face.png")
    Image.fromarray(astronaut(64)).save(root / "tiny.png")  # face about 27 px
    Image.fromarray(np.full((64, 64, 3), (90, 140, 200), np.uint8)).save(root / "flat.png")
    Image.fromarray(np.concatenate([face, face[:, ::-1]], axis=1)).save(root / "two.png")
    Image.fromarray(face).save(root / "broken.jpg", quality=90)
    (root / "broken.jpg").write_bytes((root / "broken.jpg").read_bytes()[:900])
    return root


def run(root: Path, output: Path, *extra: str) -> dict:
    return wild_faces.main(
        [
            "--input",
            str(root),
            "--output",
            str(output),
            "--size",
            "112",
            "--detector-min-face",
            "16",
            *extra,
        ]
    )


def test_detection_rejects_and_alignment(photo_root: Path, tmp_path: Path, dataset) -> None:
    output = tmp_path / "largest"
    run(photo_root, output)
    dataset.check_counts(
        output, inputs=5, accepted=2, rejects={"corrupt_image": 1, "no_face": 1, "tiny_face": 1}
    )
    assert dataset.rejects(output) == {
        "wild_faces/broken.jpg": "corrupt_image",
        "wild_faces/flat.png": "no_face",
        "wild_faces/tiny.png": "tiny_face",
    }
    records = dataset.records(output)
    assert sorted(records) == ["wild_faces/face.png", "wild_faces/two.png"]
    record = records["wild_faces/face.png"]
    assert record["image"].shape == (112, 112, 3) and record["domain"] == "photo"
    values = dict(zip(record["metadata_names"], record["metadata_values"], strict=True))
    assert values["confidence"] > 0.95 and values["face_size"] >= 40
    # re-detected in the aligned face, the landmarks sit where the similarity fit puts them
    from mtcnn import MTCNN

    detector = MTCNN()
    original = wild_faces.parse_detections(
        detector.detect_faces(astronaut(128), output_type="numpy", box_format="xyxy")
    )[0]
    matrix = umeyama(original.landmarks, face_template(112))
    aligned = wild_faces.parse_detections(
        detector.detect_faces(record["image"], output_type="numpy", box_format="xyxy")
    )[0]
    assert np.abs(aligned.landmarks - transform_points(matrix, original.landmarks)).max() < 2.5
    eyes = aligned.landmarks[:2]
    assert np.abs(eyes - face_template(112)[:2]).max() < 3.0


def test_keep_all_faces(photo_root: Path, tmp_path: Path, dataset) -> None:
    output = tmp_path / "all"
    run(photo_root, output, "--keep", "all")
    dataset.check_counts(
        output, inputs=6, accepted=3, rejects={"corrupt_image": 1, "no_face": 1, "tiny_face": 1}
    )
    records = dataset.records(output)
    assert sorted(records) == [
        "wild_faces/face.png#face0",
        "wild_faces/two.png#face0",
        "wild_faces/two.png#face1",
    ]
    assert {
        record["split"] for key, record in records.items() if key.startswith("wild_faces/two")
    } == {records["wild_faces/two.png#face0"]["split"]}


def test_parse_detections_layout() -> None:
    row = np.array([0, 10, 20, 50, 80, 0.99, 1, 2, 3, 4, 5, 11, 12, 13, 14, 15], dtype=float)
    face = wild_faces.parse_detections(row[None], scale=0.5)[0]
    assert face.box == (20, 40, 80, 120) and face.size == 120
    np.testing.assert_allclose(face.landmarks, [[2, 22], [4, 24], [6, 26], [8, 28], [10, 30]])
