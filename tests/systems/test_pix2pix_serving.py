"""pix2pix served: `tfface predict` over gRPC translates a photo into the export's painting
(serving_default and translate), and `tfface evaluate` scores the export against the exact
SynthFaces painting of the same face (issue #23 items 8 and 9)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image
from system_cases import CASES

from tfface.cli.main import main

sys.path.insert(0, str(Path(__file__).parents[1] / "serving"))
from server_process import start_server  # noqa: E402

CASE = next(case for case in CASES if case.system == "pix2pix")


@pytest.fixture(scope="module")
def export(exported_case):
    """The contract's tiny pix2pix export (shared within the session)."""
    return exported_case(CASE)


def test_predict_translates_a_photo_with_either_signature(export, trained_case, tmp_path) -> None:
    batch = next(iter(trained_case(CASE)["batches"]))
    photo = np.round((batch["source"].numpy()[0] + 1.0) * 127.5).astype(np.uint8)
    Image.fromarray(photo).save(tmp_path / "photo.png")
    loaded = tf.saved_model.load(str(export.version_dir))
    expected = loaded.signatures["serving_default"](image=photo[None])["image"].numpy()
    translated = loaded.signatures["translate"](image=photo[None])["image"].numpy()
    np.testing.assert_array_equal(translated, expected)
    name = export.version_dir.parent.name
    server = start_server("--model-base", str(export.version_dir.parents[1]), "--model-name", name)
    try:
        base = ["predict", "--server", server.grpc_address, "--model", name]
        base += ["--input", str(tmp_path / "photo.png")]
        for signature in ("serving_default", "translate"):
            output = tmp_path / f"{signature}.png"
            assert main([*base, "--signature", signature, "--output", str(output)]) == 0
            written = np.asarray(Image.open(output))
            np.testing.assert_array_equal(written.reshape(expected.shape), expected)
    finally:
        assert server.terminate() == 0


def test_evaluate_scores_the_translation_against_the_exact_painting(
    export, synthfaces_data, tmp_path
) -> None:
    out = tmp_path / "report"
    arguments = ["evaluate", str(export.version_dir), "--data", synthfaces_data(CASE.data)]
    arguments += ["--split", "train", "--metrics", "l1,ssim,psnr", "--batch-size", "4"]
    arguments += ["--grid-examples", "0", "--out", str(out)]
    assert main(arguments) == 0
    report = json.loads((out / "report.json").read_text())
    assert report["data"]["target"] == "target_image"
    assert report["metrics"]["psnr"]["count"] == 8
    assert 0.0 < report["metrics"]["l1"]["mean"] < 1.0  # [0, 1] units
