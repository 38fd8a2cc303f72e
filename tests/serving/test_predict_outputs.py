"""`tfface predict` against the toy server: every output lands in a file with a JSON summary,
non-square pictures are centre-cropped (one size policy with `tfface edit`), and broken
picture files end in one clear line with exit code 2."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from picture_files import noise_image, write_not_an_image, write_png, write_truncated_png
from PIL import Image
from toy_export import MODEL

from tfface.cli.main import main


@pytest.fixture(scope="module")
def loaded(toy_export):
    return tf.saved_model.load(str(toy_export.version_dir))


def test_every_output_is_a_file_and_stdout_stays_small(
    toy_server, loaded, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    wide = noise_image(16, 24, seed=3)  # 24 x 16: not square, twice the model's 8 x 8
    write_png(tmp_path / "wide.png", wide)
    out = tmp_path / "out" / "result.png"
    arguments = ["predict", "--server", toy_server.grpc_address, "--model", MODEL]
    assert main([*arguments, "--input", str(tmp_path / "wide.png"), "--output", str(out)]) == 0
    captured = capsys.readouterr()
    assert "wide.png: 24x16 -> centre crop 16x16 -> resized to 8x8" in captured.err
    assert len(captured.out) < 1000 and "values" not in captured.out
    cropped = Image.fromarray(wide[:, 4:20]).resize((8, 8), Image.Resampling.LANCZOS)
    expected = loaded.signatures["serving_default"](image=np.asarray(cropped)[None])
    np.testing.assert_array_equal(np.asarray(Image.open(out)), expected["image"].numpy()[0])
    change = expected["change"].numpy()  # float32 (1, 8, 8)
    np.testing.assert_array_equal(np.load(tmp_path / "out" / "result_change.npy"), change)
    change_png = np.asarray(Image.open(tmp_path / "out" / "result_change.png"))
    assert change_png.shape == (8, 8) and change_png.dtype == np.uint8
    summary = json.loads((tmp_path / "out" / "result.json").read_text())
    assert summary["signature"] == "serving_default" and summary["model"] == MODEL
    assert summary["outputs"]["image"]["files"] == [str(out)]
    assert summary["outputs"]["change"]["dtype"] == "float32"
    assert summary["outputs"]["change"]["shape"] == [1, 8, 8]
    assert str(tmp_path / "out" / "result_change.npy") in summary["outputs"]["change"]["files"]
    assert "png_scaling" in summary["outputs"]["change"]
    assert summary["inputs"]["image"]["file"] == str(tmp_path / "wide.png")
    assert "centre crop 16x16" in summary["inputs"]["image"]["preprocessing"]


def test_broken_picture_files_exit_2_with_one_line(
    toy_server, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    good = write_png(tmp_path / "good.png", noise_image(8, 8))
    text = write_not_an_image(tmp_path / "text.png")
    cut = write_truncated_png(tmp_path / "cut.png", noise_image(96, 96))
    cut_mask = write_truncated_png(tmp_path / "cut_mask.png", noise_image(96, 96)[..., 0])
    np.save(tmp_path / "strength.npy", np.array([1.0], np.float32))
    arguments = ["predict", "--server", toy_server.grpc_address, "--model", MODEL]
    blend = [
        *arguments,
        "--signature",
        "blend",
        "--input-array",
        f"strength={tmp_path}/strength.npy",
    ]
    cases = {
        "not an image": ([*arguments, "--input", str(text)], "not a readable image"),
        "truncated image": ([*arguments, "--input", str(cut)], "truncated"),
        "truncated mask": ([*blend, "--input", str(good), "--mask", str(cut_mask)], "truncated"),
        "not an image, encoded input": (
            [*arguments, "--signature", "encoded", "--input", str(text)],
            "not a readable image",
        ),
    }
    for case, (command, expected) in cases.items():
        assert main([*command, "--output", str(tmp_path / "out.png")]) == 2, case
        error = capsys.readouterr().err.strip()
        assert error.startswith("tfface predict: error: --"), case
        assert expected in error and "\n" not in error and "Traceback" not in error, case


def test_encoded_input_gets_the_centre_crop_and_align_finds_a_face(
    toy_server, loaded, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    from skimage import data

    tall = noise_image(30, 20, seed=5)  # 20 x 30
    write_png(tmp_path / "tall.png", tall)
    out = tmp_path / "encoded.png"
    arguments = ["predict", "--server", toy_server.grpc_address, "--model", MODEL]
    encoded = [*arguments, "--signature", "encoded", "--input", str(tmp_path / "tall.png")]
    assert main([*encoded, "--output", str(out)]) == 0
    assert "tall.png: 20x30 -> centre crop 20x20 (the model takes any size)" in (
        capsys.readouterr().err
    )
    crop = io.BytesIO()
    Image.fromarray(tall[5:25]).save(crop, format="PNG")
    expected = loaded.signatures["encoded"](image_bytes=tf.constant([crop.getvalue()]))
    np.testing.assert_array_equal(np.asarray(Image.open(out)), expected["image"].numpy()[0])

    write_png(tmp_path / "astronaut.png", data.astronaut()[:, 30:])
    aligned = tmp_path / "aligned.png"
    command = [*arguments, "--input", str(tmp_path / "astronaut.png"), "--align"]
    assert main([*command, "--output", str(aligned)]) == 0
    assert "astronaut.png: 482x512 -> face aligned (MTCNN" in capsys.readouterr().err
    summary = json.loads((tmp_path / "aligned.json").read_text())
    assert summary["size_policy"].startswith("MTCNN face alignment")
    assert np.asarray(Image.open(aligned)).shape == (8, 8, 3)
