"""The README's `tfface predict ... --signature parse --output out/parsed.png` example, on an
untrained tiny mask-guided export: the label map, its colour rendering, the probabilities
(PNG and .npy) and the JSON summary land in files; stdout stays short."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from picture_files import noise_image, write_png
from PIL import Image
from server_process import start_server
from tiny_mask_guided_run import write_tiny_mask_guided_run

from tfface.cli.main import main
from tfface.data.labels import PORTRAIT_11, colorize
from tfface.export.writer import export_run

SIZE = 32
MODEL = "portrait"


def test_readme_parse_example_writes_every_output(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    run = write_tiny_mask_guided_run(tmp_path / "run", SIZE)
    export_run(run, tmp_path / "models", MODEL, verify=False)  # verified in test_mask_guided_export
    server = start_server("--model-base", str(tmp_path / "models"), "--model-name", MODEL)
    try:
        face = write_png(tmp_path / "face.png", noise_image(48, 40))
        out = tmp_path / "out" / "parsed.png"
        command = ["predict", "--server", server.grpc_address, "--model", MODEL]
        command += ["--signature", "parse", "--input", str(face), "--output", str(out)]
        assert main(command) == 0
    finally:
        assert server.terminate() == 0
    captured = capsys.readouterr()
    assert len(captured.out) < 2000
    labels = np.asarray(Image.open(out))
    assert labels.shape == (SIZE, SIZE) and labels.max() < PORTRAIT_11.num_classes
    colour = np.asarray(Image.open(tmp_path / "out" / "parsed_color.png"))
    np.testing.assert_array_equal(colour, colorize(labels, PORTRAIT_11))
    probabilities = np.load(tmp_path / "out" / "parsed_probabilities.npy")
    assert probabilities.shape == (1, SIZE, SIZE, PORTRAIT_11.num_classes)
    np.testing.assert_array_equal(probabilities[0].argmax(-1), labels)
    strip = np.asarray(Image.open(tmp_path / "out" / "parsed_probabilities.png"))
    assert strip.shape == (SIZE, SIZE * PORTRAIT_11.num_classes)
    summary = json.loads((tmp_path / "out" / "parsed.json").read_text())
    assert set(summary["outputs"]) == {"label_map", "probabilities"}
    assert summary["outputs"]["label_map"]["label_table"] == PORTRAIT_11.name
    assert (
        "face.png: 40x48 -> centre crop 40x40 -> resized to 32x32"
        in (summary["inputs"]["image"]["preprocessing"])
    )
