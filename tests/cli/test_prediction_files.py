"""tfface.cli.prediction_files: how `tfface predict` writes each kind of output."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tfface.cli.prediction_files import output_base, write_outputs
from tfface.data.labels import CELEBAMASK_HQ_19, PORTRAIT_11, colorize


def test_parse_outputs_label_map_colour_and_probabilities(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(1, 16, 12, 11))
    probabilities = (np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)).astype(np.float32)
    label_map = probabilities.argmax(-1).astype(np.uint8)  # (1, 16, 12)
    records = write_outputs(
        {"label_map": label_map, "probabilities": probabilities}, tmp_path / "out" / "parsed.png"
    )
    folder = tmp_path / "out"
    np.testing.assert_array_equal(np.asarray(Image.open(folder / "parsed.png")), label_map[0])
    np.testing.assert_array_equal(
        np.asarray(Image.open(folder / "parsed_color.png")), colorize(label_map[0], PORTRAIT_11)
    )
    assert records["label_map"]["label_table"] == PORTRAIT_11.name
    np.testing.assert_array_equal(np.load(folder / "parsed_probabilities.npy"), probabilities)
    strip = np.asarray(Image.open(folder / "parsed_probabilities.png"))
    assert strip.shape == (16, 12 * 11)  # the 11 channels side by side
    np.testing.assert_array_equal(
        strip[:, 12 * 3 : 12 * 4], np.round(probabilities[0, ..., 3] * 255)
    )
    assert records["probabilities"]["png_scaling"].startswith("[0, 1] -> 0..255")
    assert records["probabilities"]["files"] == [
        str(folder / "parsed_probabilities.png"),
        str(folder / "parsed_probabilities.npy"),
    ]


def test_rotation_outputs_with_a_hole_mask_and_a_batch(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (2, 8, 8, 3), dtype=np.uint8)
    holes = (rng.random((2, 8, 8, 1)) > 0.5).astype(np.float32)
    outputs = {"image": images, "warped": images[::-1], "hole_mask": holes}
    records = write_outputs(outputs, tmp_path / "rotated.png")
    for index in range(2):
        np.testing.assert_array_equal(
            np.asarray(Image.open(tmp_path / f"rotated_image_{index}.png")), images[index]
        )
        hole_png = np.asarray(Image.open(tmp_path / f"rotated_hole_mask_{index}.png"))
        np.testing.assert_array_equal(hole_png, holes[index, ..., 0] * 255)
    np.testing.assert_array_equal(np.load(tmp_path / "rotated_hole_mask.npy"), holes)
    assert records["warped"]["kind"] == "image" and records["hole_mask"]["kind"] == "float_map"


def test_other_kinds_scaling_and_tables(tmp_path: Path) -> None:
    flow = np.linspace(-3.0, 5.0, 2 * 4 * 4 * 2, dtype=np.float32).reshape(2, 4, 4, 2)[:1]
    embedding = np.arange(8, dtype=np.float32).reshape(1, 8)
    labels = np.full((1, 4, 4), 15, np.uint8)
    png = Image.new("RGB", (2, 2))
    encoded_path = tmp_path / "probe.png"
    png.save(encoded_path)
    encoded = np.array([encoded_path.read_bytes()], dtype=object)
    records = write_outputs(
        {"flow": flow, "embedding": embedding, "parts": labels, "encoded": encoded},
        tmp_path / "x.png",
    )
    strip = np.asarray(Image.open(tmp_path / "x_flow.png"))
    assert strip.min() == 0 and strip.max() == 255
    assert records["flow"]["png_scaling"].startswith("linear [-3")
    assert records["embedding"]["kind"] == "array"
    assert records["embedding"]["values"] == embedding.tolist()
    np.testing.assert_array_equal(np.load(tmp_path / "x_embedding.npy"), embedding)
    assert records["parts"]["label_table"] == CELEBAMASK_HQ_19.name
    assert (tmp_path / "x_encoded.png").read_bytes() == encoded[0]


def test_output_base_rejects_folders_and_other_suffixes(tmp_path: Path) -> None:
    assert output_base(str(tmp_path / "a.png")) == tmp_path / "a.png"
    with pytest.raises(ValueError, match="is a folder"):
        output_base(str(tmp_path))
    with pytest.raises(ValueError, match="must end in .png"):
        output_base(str(tmp_path / "a.jpg"))
