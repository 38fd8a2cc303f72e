"""`tfface train / export / evaluate / predict` on the inpainting systems (warp_inpainting,
gated_inpainting; tiny presets, SynthFaces 64 px).

- train 2 steps from the command line (holes: free-form strokes, SynthFaces has none), export
  (gated with EMA: the export holds the EMA weights);
- evaluate the export with mse, ssim, is, fid (random InceptionV3 weights: tests only) on
  SynthFaces (seeded free-form holes) and on a dataset whose records carry `hole_mask`;
- serve the export with `tfface serve` and fill a hole PNG with `tfface predict --mask` (gRPC
  and REST, uint8 and float mask signatures); a mask that is not 0 / 255 is refused.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image
from system_kit import SIZE

from tfface.cli.main import main
from tfface.data.features import encode_example
from tfface.data.free_form_masks import free_form_mask
from tfface.data.reader import make_dataset

sys.path.insert(0, str(Path(__file__).parents[1] / "serving"))
from server_process import start_server  # noqa: E402


@dataclass(frozen=True)
class Run:
    """One system's command-line run: registry name, served model name, `--set` overrides."""

    system: str
    model: str
    overrides: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.system


RUNS = (
    Run("warp_inpainting", "warp"),
    Run("gated_inpainting", "gated", ("model.ema_decay=0.9",)),
)


@pytest.fixture(scope="module", params=RUNS, ids=str)
def run(request) -> Run:
    return request.param


@pytest.fixture(scope="module")
def export_base(run, faces_dir, tmp_path_factory) -> Path:
    """`tfface train <system> --preset tiny` for 2 steps, then `tfface export`."""
    root = tmp_path_factory.mktemp(f"{run.model}_commands")
    run_dir, base = root / "run", root / "models"
    overrides = [argument for value in run.overrides for argument in ("--set", value)]
    train = ["train", run.system, "--preset", "tiny", "--data", faces_dir, "--out", str(run_dir)]
    assert main([*train, "--set", "train.steps=2", *overrides]) == 0
    assert tf.train.latest_checkpoint(str(run_dir / "checkpoints"))
    assert main(["export", str(run_dir), "--base", str(base), "--name", run.model]) == 0
    card = json.loads((base / run.model / "1" / "assets.extra" / "model_card.json").read_text())
    assert card["weights"] == ("ema" if run.overrides else "raw")
    return base


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


def evaluate(export: Path, data: Path | str, split: str, out: Path, *extra: str) -> dict:
    arguments = ["evaluate", str(export), "--data", str(data), "--split", split]
    arguments += ["--metrics", "mse,ssim,is,fid", "--batch-size", "4", "--out", str(out)]
    arguments += ["--fid-sqrt", "eigh", "--feature-weights", "random", *extra]
    assert main(arguments) == 0
    return json.loads((out / "report.json").read_text())


def test_evaluate_with_generated_and_stored_holes(
    run, export_base, faces_dir, holes_dir, tmp_path
) -> None:
    generated = evaluate(export_base / run.model, faces_dir, "train", tmp_path / "generated")
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
        export_base / run.model, holes_dir, "test", tmp_path / "stored", "--grid-examples", "0"
    )
    assert stored["data"]["examples"] == 6
    assert not any("free-form masks seeded" in note for note in stored["notes"])
    assert math.isfinite(stored["metrics"]["ssim_hole"]["mean"])
    # Different holes (stored vs generated), so different hole errors.
    assert stored["metrics"]["mse_hole"]["mean"] != pytest.approx(metrics["mse_hole"]["mean"])


def test_predict_fills_a_hole_png_and_refuses_bad_masks(
    run, export_base, faces_dir, tmp_path, capsys
) -> None:
    batch = next(iter(make_dataset(f"{faces_dir}/train-*.tfrecord", ("image",), 1, shuffle=False)))
    image = np.round((batch["image"].numpy()[0] + 1.0) * 127.5).astype(np.uint8)
    hole = np.zeros((2 * SIZE, 2 * SIZE), np.uint8)  # twice the size: resized (nearest)
    hole[40:68, 20:100] = 255
    small = hole[::2, ::2]
    Image.fromarray(image).save(tmp_path / "a.png")
    Image.fromarray(hole, mode="L").save(tmp_path / "hole.png")
    loaded = tf.saved_model.load(str(export_base / run.model / "1"))
    expected = loaded.signatures["serving_default"](
        image=image[None], hole_mask=small[None, ..., None]
    )["image"].numpy()[0]
    server = start_server("--model-base", str(export_base), "--model-name", run.model)
    predict = ["predict", "--model", run.model, "--input", str(tmp_path / "a.png")]
    try:
        for transport in ([], ["--rest"]):
            address = server.rest_address if transport else server.grpc_address
            out = tmp_path / f"filled{len(transport)}.png"
            arguments = [*predict, "--server", address, *transport, "--output", str(out)]
            assert main([*arguments, "--mask", str(tmp_path / "hole.png")]) == 0
            filled = np.asarray(Image.open(out))
            np.testing.assert_array_equal(filled, expected)
            np.testing.assert_array_equal(filled[small == 0], image[small == 0])  # known kept
        assert "hole.png: 128x128 -> resized to 64x64" in capsys.readouterr().err
        # the float-mask signature takes the same PNG (sent as 0 / 1)
        out = tmp_path / "unit.png"
        arguments = [*predict, "--server", server.grpc_address, "--output", str(out)]
        arguments += ["--signature", "inpaint_unit_mask", "--mask", str(tmp_path / "hole.png")]
        assert main(arguments) == 0
        np.testing.assert_array_equal(np.asarray(Image.open(out)), expected)
        # the served graph rejects a mask that is not 0 / 255 (sent as an array)
        np.save(tmp_path / "bad.npy", np.full((1, SIZE, SIZE, 1), 7, np.uint8))
        arguments = [*predict, "--server", server.grpc_address, "--output", str(out)]
        assert main([*arguments, "--input-array", f"hole_mask={tmp_path / 'bad.npy'}"]) == 1
        assert "input hole_mask must hold only the values 0, 255" in capsys.readouterr().err
    finally:
        assert server.terminate() == 0
