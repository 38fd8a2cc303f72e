"""`tfface train / export / evaluate / predict` on warp_inpainting (tiny preset, SynthFaces 64 px).

- train 2 steps from the command line (holes: free-form strokes, SynthFaces has none), export;
- evaluate the export with mse, ssim, is, fid (random InceptionV3 weights: tests only) on
  SynthFaces (seeded free-form holes) and on a dataset whose records carry `hole_mask`;
- serve the export with `tfface serve` and fill a hole PNG with `tfface predict --mask`.
"""

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
from tfface.data.features import encode_example
from tfface.data.free_form_masks import free_form_mask
from tfface.data.reader import make_dataset

sys.path.insert(0, str(Path(__file__).parents[1] / "serving"))
from server_process import start_server  # noqa: E402

SIZE = 64
MODEL = "warp"


@pytest.fixture(scope="module")
def holes_dir(faces_dir, tmp_path_factory) -> Path:
    """The SynthFaces images with stored `hole_mask`s (255 = hole), split 'test'."""
    folder = tmp_path_factory.mktemp("holes")
    batch = next(iter(make_dataset(f"{faces_dir}/train-*.tfrecord", ("image",), 6, shuffle=False)))
    images = np.round((batch["image"].numpy() + 1.0) * 127.5).astype(np.uint8)
    with tf.io.TFRecordWriter(str(folder / "test-00000-of-00001.tfrecord")) as writer:
        for index, image in enumerate(images):
            hole = free_form_mask(SIZE, (3, index)).astype(np.uint8) * 255
            writer.write(
                encode_example({"key": f"hole/{index}", "image": image, "hole_mask": hole})
            )
    return folder


@pytest.fixture(scope="module")
def export_base(faces_dir, tmp_path_factory) -> Path:
    """`tfface train warp_inpainting --preset tiny` for 2 steps, then `tfface export`."""
    root = tmp_path_factory.mktemp("warp_commands")
    run_dir, base = root / "run", root / "models"
    train = ["train", "warp_inpainting", "--preset", "tiny", "--data", faces_dir]
    assert main([*train, "--out", str(run_dir), "--set", "train.steps=2"]) == 0
    assert tf.train.latest_checkpoint(str(run_dir / "checkpoints"))
    assert main(["export", str(run_dir), "--base", str(base), "--name", MODEL]) == 0
    return base


def evaluate(export: Path, data: Path | str, split: str, out: Path, *extra: str) -> dict:
    arguments = ["evaluate", str(export), "--data", str(data), "--split", split]
    arguments += ["--metrics", "mse,ssim,is,fid", "--batch-size", "4", "--out", str(out)]
    arguments += ["--fid-sqrt", "eigh", "--feature-weights", "random", *extra]
    assert main(arguments) == 0
    return json.loads((out / "report.json").read_text())


def test_evaluate_with_generated_and_stored_holes(export_base, faces_dir, holes_dir, tmp_path):
    generated = evaluate(export_base / MODEL, faces_dir, "train", tmp_path / "generated")
    metrics = generated["metrics"]
    assert generated["data"]["examples"] == 8
    for name in ("mse", "ssim", "mse_hole", "ssim_hole"):
        assert math.isfinite(metrics[name]["mean"]), name
    # Known pixels are kept: the whole-image error is the hole error times the hole share.
    assert metrics["mse"]["mean"] < metrics["mse_hole"]["mean"]
    assert metrics["ssim"]["mean"] > metrics["ssim_hole"]["mean"]
    assert math.isfinite(metrics["fid"]["value"]) and math.isfinite(metrics["is"]["mean"])
    assert any("free-form masks seeded" in note for note in generated["notes"])

    stored = evaluate(
        export_base / MODEL, holes_dir, "test", tmp_path / "stored", "--grid-examples", "0"
    )
    assert stored["data"]["examples"] == 6
    assert not any("free-form masks seeded" in note for note in stored["notes"])
    assert math.isfinite(stored["metrics"]["ssim_hole"]["mean"])
    # Different holes (stored vs generated), so different hole errors.
    assert stored["metrics"]["mse_hole"]["mean"] != pytest.approx(metrics["mse_hole"]["mean"])


def test_predict_fills_a_hole_png(export_base, faces_dir, tmp_path, capsys) -> None:
    batch = next(iter(make_dataset(f"{faces_dir}/train-*.tfrecord", ("image",), 1, shuffle=False)))
    image = np.round((batch["image"].numpy()[0] + 1.0) * 127.5).astype(np.uint8)
    hole = np.zeros((SIZE, SIZE), np.uint8)
    hole[20:34, 10:50] = 255
    Image.fromarray(image).save(tmp_path / "a.png")
    Image.fromarray(hole, mode="L").save(tmp_path / "hole.png")
    loaded = tf.saved_model.load(str(export_base / MODEL / "1"))
    expected = loaded.signatures["serving_default"](
        image=image[None], hole_mask=hole[None, ..., None]
    )["image"].numpy()[0]
    server = start_server("--model-base", str(export_base), "--model-name", MODEL)
    try:
        for transport in ([], ["--rest"]):
            address = server.rest_address if transport else server.grpc_address
            out = tmp_path / f"filled{len(transport)}.png"
            arguments = ["predict", "--server", address, "--model", MODEL, *transport]
            arguments += ["--input", str(tmp_path / "a.png"), "--mask", str(tmp_path / "hole.png")]
            assert main([*arguments, "--output", str(out)]) == 0
            filled = np.asarray(Image.open(out))
            np.testing.assert_array_equal(filled, expected)
            np.testing.assert_array_equal(filled[hole == 0], image[hole == 0])  # known kept
        # the float-mask signature takes the same PNG (sent as 0 / 1)
        out = tmp_path / "unit.png"
        arguments = ["predict", "--server", server.grpc_address, "--model", MODEL]
        arguments += ["--signature", "inpaint_unit_mask", "--input", str(tmp_path / "a.png")]
        assert main([*arguments, "--mask", str(tmp_path / "hole.png"), "--output", str(out)]) == 0
        np.testing.assert_array_equal(np.asarray(Image.open(out)), expected)
    finally:
        assert server.terminate() == 0
