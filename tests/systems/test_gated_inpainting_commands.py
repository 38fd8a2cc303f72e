"""`tfface train / export / evaluate / predict` on gated_inpainting (tiny preset, SynthFaces 64 px)."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from tfface.cli.main import main
from tfface.data.reader import make_dataset

sys.path.insert(0, str(Path(__file__).parents[1] / "serving"))
from server_process import start_server  # noqa: E402

SIZE = 64
MODEL = "gated"


@pytest.fixture(scope="module")
def export_base(faces_dir, tmp_path_factory) -> Path:
    """`tfface train gated_inpainting --preset tiny` for 2 steps with EMA, then `tfface export`."""
    root = tmp_path_factory.mktemp("gated_commands")
    run_dir, base = root / "run", root / "models"
    train = ["train", "gated_inpainting", "--preset", "tiny", "--data", faces_dir]
    overrides = ["--set", "train.steps=2", "--set", "model.ema_decay=0.9"]  # exports EMA weights
    assert main([*train, "--out", str(run_dir), *overrides]) == 0
    assert main(["export", str(run_dir), "--base", str(base), "--name", MODEL]) == 0
    card = json.loads((base / MODEL / "1" / "assets.extra" / "model_card.json").read_text())
    assert card["weights"] == "ema"
    return base


def test_evaluate_export(export_base, faces_dir, tmp_path) -> None:
    out = tmp_path / "report"
    arguments = ["evaluate", str(export_base / MODEL), "--data", faces_dir, "--split", "train"]
    arguments += ["--metrics", "mse,ssim,is,fid", "--batch-size", "4", "--out", str(out)]
    assert main([*arguments, "--fid-sqrt", "eigh", "--feature-weights", "random"]) == 0
    report = json.loads((out / "report.json").read_text())
    metrics = report["metrics"]
    assert report["data"]["examples"] == 8
    for name in ("mse", "ssim", "mse_hole", "ssim_hole"):
        assert math.isfinite(metrics[name]["mean"]), name
    assert metrics["mse"]["mean"] < metrics["mse_hole"]["mean"]
    assert math.isfinite(metrics["fid"]["value"]) and math.isfinite(metrics["is"]["mean"])
    assert any("free-form masks seeded" in note for note in report["notes"])


def test_predict_fills_a_hole_png_and_reports_bad_masks(
    export_base, faces_dir, tmp_path, capsys
) -> None:
    batch = next(iter(make_dataset(f"{faces_dir}/train-*.tfrecord", ("image",), 1, shuffle=False)))
    image = np.round((batch["image"].numpy()[0] + 1.0) * 127.5).astype(np.uint8)
    hole = np.zeros((2 * SIZE, 2 * SIZE), np.uint8)  # twice the size: resized (nearest)
    hole[40:60, 20:100] = 255
    Image.fromarray(image).save(tmp_path / "a.png")
    Image.fromarray(hole, mode="L").save(tmp_path / "hole.png")
    small = hole[::2, ::2]
    loaded = tf.saved_model.load(str(export_base / MODEL / "1"))
    expected = loaded.signatures["serving_default"](
        image=image[None], hole_mask=small[None, ..., None]
    )["image"].numpy()[0]
    server = start_server("--model-base", str(export_base), "--model-name", MODEL)
    try:
        out = tmp_path / "filled.png"
        arguments = ["predict", "--server", server.grpc_address, "--model", MODEL]
        arguments += ["--input", str(tmp_path / "a.png"), "--mask", str(tmp_path / "hole.png")]
        assert main([*arguments, "--output", str(out)]) == 0
        assert "hole.png: 128x128 -> resized to 64x64" in capsys.readouterr().err
        np.testing.assert_array_equal(np.asarray(Image.open(out)), expected)
        # the served graph rejects a mask that is not 0 / 255 (sent as an array)
        np.save(tmp_path / "bad.npy", np.full((1, SIZE, SIZE, 1), 7, np.uint8))
        arguments = ["predict", "--server", server.grpc_address, "--model", MODEL]
        arguments += ["--input", str(tmp_path / "a.png"), "--input-array"]
        assert main([*arguments, f"hole_mask={tmp_path / 'bad.npy'}", "--output", str(out)]) == 1
        assert "input hole_mask must hold only the values 0, 255" in capsys.readouterr().err
    finally:
        assert server.terminate() == 0
