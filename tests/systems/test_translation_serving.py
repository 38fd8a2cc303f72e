"""The translation family served (issue #23 items 8 and 9): `tfface predict` over gRPC
answers every translation signature of each export (pix2pix: serving_default, translate;
cycle_gan: serving_default, a_to_b, b_to_a) exactly as the SavedModel does, and `tfface
evaluate` scores the photo -> painting output against the exact SynthFaces painting."""

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

SIGNATURES = {
    "pix2pix": ("serving_default", "translate"),
    "cycle_gan": ("serving_default", "a_to_b", "b_to_a"),
}
"""The translation signatures of each system's export."""
PHOTO_KEY = {"pix2pix": "source", "cycle_gan": "domain_a"}
"""The batch key of a photo in each system's data."""


@pytest.fixture(scope="module", params=sorted(SIGNATURES))
def case(request):
    return next(case for case in CASES if case.system == request.param)


def test_predict_answers_every_translation_signature(
    case, exported_case, trained_case, tmp_path
) -> None:
    export = exported_case(case)
    batch = next(iter(trained_case(case)["batches"]))
    photo = np.round((batch[PHOTO_KEY[case.system]].numpy()[0] + 1.0) * 127.5).astype(np.uint8)
    Image.fromarray(photo).save(tmp_path / "photo.png")
    loaded = tf.saved_model.load(str(export.version_dir))
    name = export.version_dir.parent.name
    server = start_server("--model-base", str(export.version_dir.parents[1]), "--model-name", name)
    try:
        base = ["predict", "--server", server.grpc_address, "--model", name]
        base += ["--input", str(tmp_path / "photo.png")]
        for signature in SIGNATURES[case.system]:
            expected = loaded.signatures[signature](image=photo[None])["image"].numpy()
            output = tmp_path / f"{signature}.png"
            assert main([*base, "--signature", signature, "--output", str(output)]) == 0
            written = np.asarray(Image.open(output))
            np.testing.assert_array_equal(written.reshape(expected.shape), expected)
    finally:
        assert server.terminate() == 0


def test_evaluate_scores_the_translation_against_the_exact_painting(
    case, exported_case, synthfaces_data, tmp_path
) -> None:
    export = exported_case(case)
    out = tmp_path / "report"
    arguments = ["evaluate", str(export.version_dir), "--data", synthfaces_data(case.data)]
    arguments += ["--split", "train", "--metrics", "l1,ssim,psnr", "--batch-size", "4"]
    arguments += ["--grid-examples", "0", "--out", str(out)]
    assert main(arguments) == 0
    report = json.loads((out / "report.json").read_text())
    assert report["data"]["target"] == "target_image"
    assert report["metrics"]["psnr"]["count"] == 8
    assert 0.0 < report["metrics"]["l1"]["mean"] < 1.0  # [0, 1] units
