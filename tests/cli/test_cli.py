"""The `tfface` command line: help, synth and demo."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tfface.cli.main import SUBCOMMANDS, main


def test_help_lists_every_subcommand() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tfface", "--help"], capture_output=True, text=True, check=True
    )
    for name in SUBCOMMANDS:
        assert name in result.stdout


@pytest.mark.parametrize("name", list(SUBCOMMANDS))
def test_every_subcommand_has_help(name: str, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([name, "--help"])
    assert exit_info.value.code == 0
    assert "usage: tfface" in capsys.readouterr().out


def test_synth_writes_a_browsable_dataset(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "faces"
    code = main(
        [
            "synth",
            "--out",
            str(out),
            "--identities",
            "2",
            "--size",
            "48",
            "--uv-size",
            "32",
            "--yaws",
            "0",
            "45",
            "--domains",
            "rgb",
            "nir",
            "--occluders",
            "hat",
            "--set",
            "seed=3",
        ]
    )
    assert code == 0
    captured = capsys.readouterr()
    assert "wrote 16 images" in captured.out
    assert "images/s" in captured.err and "ETA" in captured.err
    summary = json.loads((out / "dataset.json").read_text())
    assert summary["images"] == 16 and summary["identities"] == 2
    assert summary["config"]["seed"] == 3
    assert (out / "config.yaml").exists()
    folder = out / "identity_00001"
    record = json.loads((folder / "yaw+045_pitch+00_roll+00_neutral.json").read_text())
    assert set(record["images"]) == {"rgb", "rgb_hat", "nir", "nir_hat"}
    assert np.array(record["landmarks"]).shape == (68, 3)
    image = np.asarray(Image.open(folder / record["images"]["nir"]))
    assert image.shape == (48, 48)
    uv = np.asarray(Image.open(folder / record["uv"]))
    assert uv.dtype == np.uint16 or uv.dtype.itemsize == 2 or uv.shape[-1] == 3
    texture = np.asarray(Image.open(folder / "uv_texture.png"))
    assert texture.shape == (32, 32, 3)


def test_synth_uv_png_round_trips(tmp_path: Path) -> None:
    from tfface.synth.writer import encode_uv, save_png

    rng = np.random.default_rng(0)
    uv = rng.uniform(0, 1, size=(5, 7, 2)).astype(np.float32)
    visibility = rng.uniform(size=(5, 7)) > 0.5
    save_png(tmp_path / "uv.png", encode_uv(uv, visibility))
    import zlib

    data = (tmp_path / "uv.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    # Decode with TensorFlow-free reference: PIL reads 16-bit RGB PNGs as 8-bit, so parse the IDAT ourselves.
    idat = data[data.index(b"IDAT") + 4 : data.index(b"IEND") - 8]
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(5, 1 + 7 * 6)
    decoded = raw[:, 1:].copy().view(">u2").reshape(5, 7, 3).astype(np.float64) / 65535.0
    np.testing.assert_allclose(decoded[..., :2], uv, atol=1e-5)
    np.testing.assert_array_equal(decoded[..., 2] > 0.5, visibility)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--yaws", "120"], "yaws"),
        (["--domains", "thermal"], "thermal"),
        (["--set", "identitiez=3"], "identitiez"),
        (["--size", "8"], "image_size"),
    ],
)
def test_synth_rejects_bad_arguments(
    tmp_path: Path, capsys: pytest.CaptureFixture, arguments: list[str], message: str
) -> None:
    code = main(["synth", "--out", str(tmp_path / "x"), "--identities", "1", *arguments])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_demo_writes_contact_sheets(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "demo"
    assert (
        main(["demo", "--out", str(out), "--size", "48", "--identities", "3", "--sheets-only"]) == 0
    )
    printed = capsys.readouterr().out
    assert str(out.resolve()) in printed
    sheets = sorted(path.name for path in out.glob("*.png"))
    assert sheets == [
        "synthfaces_domains_expressions.png",
        "synthfaces_ground_truth.png",
        "synthfaces_occluders.png",
        "synthfaces_poses.png",
    ]
    poses = np.asarray(Image.open(out / "synthfaces_poses.png"))
    assert poses.shape[0] > 3 * 48 and poses.shape[1] > 7 * 48


def test_demo_builds_data_trains_and_writes_editing_sheets(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "demo"
    command = ["demo", "--out", str(out), "--size", "32", "--identities", "1"]
    assert main([*command, "--train-identities", "2", "--train-steps", "3"]) == 0
    printed = capsys.readouterr().out
    assert "mask-guided editing sheets written" in printed
    info = json.loads((out / "data" / "dataset_info.json").read_text())
    assert info["counts"]["train"] == 2 * 2 * 3  # identities x yaws x expressions
    assert (out / "run" / "run.json").is_file()
    editing = np.asarray(Image.open(out / "mask_guided_editing.png"))
    assert editing.shape[0] > 4 * 128 and editing.shape[1] > 10 * 128
    synthesis = np.asarray(Image.open(out / "mask_guided_synthesis.png"))
    assert synthesis.shape[0] > 2 * 128 and synthesis.shape[1] > 6 * 128
    # a second run reuses the dataset and the trained model
    assert main([*command, "--train-identities", "2", "--train-steps", "3"]) == 0
    printed = capsys.readouterr().out
    assert "reusing the dataset" in printed and "reusing the trained model" in printed
    (out / "synthfaces_poses.png").unlink()
    assert main([*command, "--train-steps", "0"]) == 2
    assert not (out / "synthfaces_poses.png").exists()  # rejected before any work
