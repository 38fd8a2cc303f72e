"""`tfface export` and `tfface predict` (gRPC and REST) from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image
from toy_export import MODEL, register_toy_export, toy_images

from tfface.cli.main import main


def test_export_command(toy_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    register_toy_export()
    base = tmp_path / "models"
    assert main(["export", str(toy_run), "--base", str(base), "--name", "cli", "--no-verify"]) == 0
    assert "version 1" in capsys.readouterr().out
    assert (base / "cli" / "1" / "saved_model.pb").is_file()
    assert (base / "models.config").is_file()
    code = main(["export", str(toy_run), "--base", str(base), "--name", "cli", "--version", "1"])
    assert code == 2
    assert "never overwritten" in capsys.readouterr().err


@pytest.fixture(scope="module")
def loaded(toy_export):
    return tf.saved_model.load(str(toy_export.version_dir))


def test_predict_over_grpc_writes_images_and_maps(
    toy_server, loaded, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    image = toy_images(1, seed=11)[0]
    Image.fromarray(image).save(tmp_path / "in.png")
    out = tmp_path / "out.png"
    arguments = ["predict", "--server", toy_server.grpc_address, "--model", MODEL]
    assert main([*arguments, "--input", str(tmp_path / "in.png"), "--output", str(out)]) == 0
    expected = loaded.signatures["serving_default"](image=image[None])
    np.testing.assert_array_equal(np.asarray(Image.open(out)), expected["image"].numpy()[0])
    change = np.load(tmp_path / "out_change.npy")
    np.testing.assert_allclose(change, expected["change"].numpy(), rtol=1e-6)
    summary = json.loads((tmp_path / "out.json").read_text())
    assert summary["outputs"]["change"]["shape"] == [1, 8, 8]
    assert "in.png: 8x8, the model's size: used as is" in capsys.readouterr().err
    # a bigger picture is resized to the signature's 8 x 8
    Image.fromarray(np.kron(image, np.ones((2, 2, 1), np.uint8))).save(tmp_path / "big.png")
    assert main([*arguments, "--input", str(tmp_path / "big.png"), "--output", str(out)]) == 0
    assert "big.png: 16x16 -> resized to 8x8" in capsys.readouterr().err


def test_predict_over_rest_with_mask_and_array_inputs(toy_server, loaded, tmp_path: Path) -> None:
    image = toy_images(1, seed=12)[0]
    mask = np.zeros((8, 8), np.uint8)
    mask[:, :3] = 1
    Image.fromarray(image).save(tmp_path / "in.png")
    Image.fromarray(mask, mode="L").save(tmp_path / "mask.png")
    np.save(tmp_path / "strength.npy", np.array([1.0], np.float32))
    out = tmp_path / "blend.png"
    code = main(
        [
            "predict",
            "--server",
            toy_server.rest_address,
            "--rest",
            "--model",
            MODEL,
            "--signature",
            "blend",
            "--input",
            str(tmp_path / "in.png"),
            "--mask",
            str(tmp_path / "mask.png"),
            "--input-array",
            f"strength={tmp_path / 'strength.npy'}",
            "--output",
            str(out),
        ]
    )
    assert code == 0
    expected = loaded.signatures["blend"](
        image=image[None], mask=mask[None], strength=np.ones((1, 1), np.float32)
    )["image"].numpy()[0]
    np.testing.assert_array_equal(np.asarray(Image.open(out)), expected)


def test_predict_reports_server_errors(toy_server, tmp_path: Path, capsys) -> None:
    (tmp_path / "garbage.png").write_bytes(b"this is not a png")
    Image.fromarray(toy_images(1, seed=13)[0]).save(tmp_path / "in.png")
    Image.fromarray(np.full((8, 8), 5, np.uint8), mode="L").save(tmp_path / "five.png")
    np.save(tmp_path / "strength.npy", np.array([1.0], np.float32))
    arguments = ["predict", "--server", toy_server.grpc_address, "--model", MODEL]
    blend = [*arguments, "--signature", "blend", "--input", str(tmp_path / "in.png")]
    blend += ["--input-array", f"strength={tmp_path / 'strength.npy'}"]
    out = ["--output", str(tmp_path / "out.png")]
    assert main([*blend, "--mask", str(tmp_path / "five.png"), *out]) == 1  # 2 classes only
    assert "INVALID_ARGUMENT" in capsys.readouterr().err
    assert main([*arguments, "--signature", "blend", "--input", str(tmp_path / "garbage.png")]) == 2
    assert "not a readable image" in capsys.readouterr().err
    assert (
        main(
            ["predict", "--server", toy_server.grpc_address, "--model", "nope", "--input", "x.png"]
        )
        == 1
    )
    assert "NOT_FOUND" in capsys.readouterr().err
