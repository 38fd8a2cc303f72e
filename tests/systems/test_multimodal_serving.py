"""multimodal served: `tfface predict` over gRPC on its export (the mean style and several
random styles per render) and `tfface evaluate` against the paired NIR target (issue #22 items 5
and 6)."""

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

CASE = next(case for case in CASES if case.system == "multimodal")


@pytest.fixture(scope="module")
def export(exported_case):
    """The contract's tiny multimodal export (shared within the session)."""
    return exported_case(CASE)


def test_predict_translates_a_render_in_one_and_in_several_styles(
    export, trained_case, tmp_path, capsys
) -> None:
    batch = next(iter(trained_case(CASE)["batches"]))
    render = np.round((batch["source"].numpy()[0] + 1.0) * 127.5).astype(np.uint8)
    Image.fromarray(render).save(tmp_path / "render.png")
    np.save(tmp_path / "seed.npy", np.array([7], np.int64))
    np.save(tmp_path / "count.npy", np.array([3], np.int32))
    loaded = tf.saved_model.load(str(export.version_dir))
    name = export.version_dir.parent.name
    server = start_server("--model-base", str(export.version_dir.parents[1]), "--model-name", name)
    try:
        base = ["predict", "--server", server.grpc_address, "--model", name]
        base += ["--input", str(tmp_path / "render.png")]
        assert main([*base, "--output", str(tmp_path / "nir.png")]) == 0
        expected = loaded.signatures["serving_default"](image=render[None])["image"].numpy()
        written = np.asarray(Image.open(tmp_path / "nir.png"))
        np.testing.assert_array_equal(written.reshape(expected.shape), expected)

        styles = ["--signature", "translate_random", "--output", str(tmp_path / "styles.png")]
        styles += ["--input-array", f"seed={tmp_path / 'seed.npy'}"]
        styles += ["--input-array", f"count={tmp_path / 'count.npy'}"]
        assert main([*base, *styles]) == 0
        summary = json.loads((tmp_path / "styles.json").read_text())
        assert summary["outputs"]["image"]["shape"] == [3, 64, 64, 1]
        capsys.readouterr()
        np.save(tmp_path / "count.npy", np.array([0], np.int32))
        assert main([*base, *styles]) == 1
        assert "count" in capsys.readouterr().err
    finally:
        assert server.terminate() == 0


def test_evaluate_scores_the_translation_against_the_paired_nir(
    export, synthfaces_data, tmp_path
) -> None:
    out = tmp_path / "report"
    arguments = ["evaluate", str(export.version_dir), "--data", synthfaces_data(CASE.data)]
    arguments += ["--split", "train", "--metrics", "ssim,psnr,fid", "--batch-size", "4"]
    arguments += ["--grid-examples", "0", "--feature-weights", "random", "--out", str(out)]
    assert main(arguments) == 0
    report = json.loads((out / "report.json").read_text())
    assert report["data"]["target"] == "target_image"
    assert report["metrics"]["psnr"]["count"] > 0
    assert np.isfinite(report["metrics"]["ssim"]["mean"])
    assert np.isfinite(report["metrics"]["fid"]["value"])  # grey images tiled for InceptionV3
