"""deocclusion served: `tfface predict` on its export (`deocclude`, the default signature, and
`segment_face`) over gRPC writes what the SavedModel answers."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from learning_check import held_out_batch
from PIL import Image
from system_kit import OCCLUSIONS, Case

from tfface.cli.main import main

sys.path.insert(0, str(Path(__file__).parents[1] / "serving"))
from server_process import start_server  # noqa: E402


@pytest.fixture(scope="module")
def export(exported_case):
    """The contract's tiny deocclusion export (shared within the session)."""
    return exported_case(Case("deocclusion", OCCLUSIONS))


def test_predict_deoccludes_and_segments_pictures(export, trained_case, tmp_path, capsys) -> None:
    batch = next(iter(trained_case(Case("deocclusion", OCCLUSIONS))["batches"]))
    faces = np.round((batch["image"].numpy()[:2] + 1.0) * 127.5).astype(np.uint8)
    files = []
    for index, face in enumerate(faces):
        files.append(tmp_path / f"face{index}.png")
        Image.fromarray(face).save(files[-1])
    loaded = tf.saved_model.load(str(export.version_dir))
    name = export.version_dir.parent.name
    server = start_server("--model-base", str(export.version_dir.parents[1]), "--model-name", name)
    try:
        base = ["predict", "--server", server.grpc_address, "--model", name]
        for index, file in enumerate(files):
            out = tmp_path / f"clean{index}.png"
            assert main([*base, "--input", str(file), "--output", str(out)]) == 0
            expected = loaded.signatures["serving_default"](image=faces[index : index + 1])
            written = np.asarray(Image.open(out))
            np.testing.assert_array_equal(written, expected["image"].numpy()[0])
            for mask in ("occlusion_mask", "face_mask"):
                np.testing.assert_array_equal(
                    np.load(tmp_path / f"clean{index}_{mask}.npy"), expected[mask].numpy()
                )
            summary = json.loads((tmp_path / f"clean{index}.json").read_text())
            assert summary["outputs"]["occlusion_mask"]["shape"] == [1, 64, 64, 1]
        capsys.readouterr()
        out = tmp_path / "face.png"
        segment = ["--signature", "segment_face", "--input", str(files[0]), "--output", str(out)]
        assert main([*base, *segment]) == 0
        expected = loaded.signatures["segment_face"](image=faces[:1])
        np.testing.assert_array_equal(
            np.load(tmp_path / "face_face_mask.npy"), expected["face_mask"].numpy()
        )
        np.testing.assert_allclose(
            np.load(tmp_path / "face_face_probability.npy"),
            expected["face_probability"].numpy(),
            atol=1e-6,
        )
        assert "face_mask" in capsys.readouterr().out
    finally:
        assert server.terminate() == 0


def test_evaluate_scores_the_deoccluded_image_against_the_face_beneath(
    export, synthfaces_data, tmp_path, capsys
) -> None:
    data_dir = synthfaces_data(OCCLUSIONS)
    out = tmp_path / "evaluation"
    arguments = ["evaluate", str(export.version_dir), "--data", data_dir, "--split", "train"]
    arguments += ["--metrics", "l1", "--max-examples", "6", "--batch-size", "3"]
    assert main([*arguments, "--grid-examples", "2", "--out", str(out)]) == 0
    report = json.loads((out / "report.json").read_text())
    assert report["data"]["target"] == "image_unoccluded"
    assert (
        "target: image_unoccluded (deocclusion aims at the face beneath" in capsys.readouterr().out
    )
    records = held_out_batch(data_dir, ("image", "image_unoccluded"), 6, deterministic=True)

    def as_uint8(images: tf.Tensor) -> np.ndarray:
        return np.round(np.clip((images.numpy() + 1.0) * 127.5, 0.0, 255.0))

    served = tf.saved_model.load(str(export.version_dir)).signatures["serving_default"]
    output = served(image=as_uint8(records["image"]).astype(np.uint8))["image"].numpy()
    target = as_uint8(records["image_unoccluded"])
    expected = np.mean(np.abs(output - target) / 255.0, axis=(1, 2, 3))
    assert report["metrics"]["l1"]["count"] == 6
    assert report["metrics"]["l1"]["mean"] == pytest.approx(float(expected.mean()), abs=1e-5)
    occluded_input = np.mean(np.abs(as_uint8(records["image"]) - target) / 255.0, axis=(1, 2, 3))
    assert not np.allclose(expected, occluded_input)  # scored against the clean face
