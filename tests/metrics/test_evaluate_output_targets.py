"""An evaluation target may name the signature OUTPUT it scores, and more dataset features.

uv_completion's `uv_texture` output (a UV map) is scored against SynthFaces' exact texture
(`uv_texture`, `--with-uv-texture`), deocclusion's `image` output against the face beneath
the occluder (`image_unoccluded`). Here an export returning its input as `image` and a flat
grey 16 x 16 UV map as `uv_texture` declares the UV target through the real export path
(model card): the scored number must be the grey map's L1 to the exact texture resized to
16 x 16 (NumPy), not the mirror's 0.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from tfface.cli.main import main
from tfface.data.reader import make_dataset
from tfface.export.writer import export_system
from tfface.metrics.target_choice import choose_target
from tfface.signatures.evaluation_target import (
    EvaluationTarget,
    exact_uv_texture,
    reconstructs_input,
    unoccluded_target,
)
from tfface.signatures.inputs import image_input
from tfface.signatures.signature import DEFAULT_SIGNATURE, ExportSignature

SIZE, DATA_UV, OUTPUT_UV = 32, 32, 16
GREY = 0.25  # the export's UV map in [-1, 1]


@pytest.fixture(scope="module")
def textured_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2 identities at yaw 0 and 30 with their exact UV texture (4 examples, 32 px, UV 32)."""
    from pipelines import synthfaces

    output = tmp_path_factory.mktemp("textured")
    synthfaces.main(
        ["--output", str(output), "--identities", "2", "--size", str(SIZE)]
        + ["--uv-size", str(DATA_UV), "--yaws", "0", "30", "--with-uv-texture"]
        + ["--splits", "train=1,validation=0,test=0"]
    )
    return output


def grey_uv_signatures(system) -> dict[str, ExportSignature]:
    """image = the input, uv_texture = a flat grey (B, 16, 16, 3) map; the UV map is scored."""

    def serve(inputs: dict) -> dict:
        images = inputs["image"]
        count = tf.shape(images)[0]
        return {"image": images, "uv_texture": tf.fill([count, OUTPUT_UV, OUTPUT_UV, 3], GREY)}

    return {
        DEFAULT_SIGNATURE: ExportSignature(
            inputs={"image": image_input(SIZE)},
            function=serve,
            image_outputs=("image", "uv_texture"),
            evaluation_target=exact_uv_texture("a grey UV map", "uv_texture"),
        )
    }


@pytest.fixture(scope="module")
def grey_uv_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("grey_uv")
    return export_system(
        tf.Module(), "grey", base, "grey", verify=False, export_signatures=grey_uv_signatures
    ).version_dir


def expected_l1(dataset: Path) -> float:
    """Mean per-example L1 ([0, 1] units) of the uint8 grey map and the exact texture at 16."""
    records = make_dataset(
        f"{dataset}/train-*.tfrecord",
        features=("uv_texture",),
        batch_size=8,
        shuffle=False,
        drop_remainder=False,
    )
    texture = next(iter(records))["uv_texture"]  # (4, 32, 32, 3) in [-1, 1]
    resized = tf.image.resize(texture, [OUTPUT_UV, OUTPUT_UV], antialias=True).numpy()
    target = np.round(np.clip((resized + 1.0) * 127.5, 0.0, 255.0))
    grey = np.round((GREY + 1.0) * 127.5)
    return float(np.mean(np.abs(grey - target) / 255.0, axis=(1, 2, 3)).mean())


def arguments(source: Path, dataset: Path, out: Path) -> list[str]:
    """`tfface evaluate SOURCE` on the train split: L1 and PSNR, batches of 2, a 2-row grid."""
    options = {"--data": dataset, "--split": "train", "--metrics": "l1,psnr", "--out": out}
    options.update({"--batch-size": 2, "--grid-examples": 2})
    return ["evaluate", str(source), *(str(item) for pair in options.items() for item in pair)]


def test_the_declared_output_is_scored_against_the_exact_uv_texture(
    grey_uv_export: Path, textured_dataset: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "uv"
    assert main(arguments(grey_uv_export, textured_dataset, out)) == 0
    report = json.loads((out / "report.json").read_text())
    assert report["data"]["target"] == "uv_texture"
    assert report["data"]["output"] == "uv_texture"
    assert report["metrics"]["l1"]["count"] == 4
    expected = expected_l1(textured_dataset)
    assert expected > 0.05  # the grey map is far from the texture (the mirror would score 0)
    assert report["metrics"]["l1"]["mean"] == pytest.approx(expected, abs=1e-5)
    line = "target: output uv_texture vs uv_texture (a grey UV map)"
    assert line in capsys.readouterr().out
    assert line in (out / "report.md").read_text()
    assert (out / "samples.png").is_file()


def test_a_dataset_without_the_exact_texture_says_how_to_build_it(
    grey_uv_export: Path, synthfaces_dataset: Path, tmp_path: Path, capsys
) -> None:
    # synthfaces_dataset (conftest, 32 px) has no uv_texture.
    assert main(arguments(grey_uv_export, synthfaces_dataset, tmp_path / "out")) == 2
    error = capsys.readouterr().err
    assert "uv_texture" in error and "--with-uv-texture" in error


def test_targets_describe_their_output_only_when_it_is_not_image() -> None:
    uv = exact_uv_texture("completed UV", "uv_texture")
    assert uv.describe() == {
        "feature": "uv_texture",
        "reason": "completed UV",
        "output": "uv_texture",
    }
    assert EvaluationTarget.from_description(uv.describe()) == uv
    plain = reconstructs_input("reconstructs")
    assert plain.describe() == {"feature": "image", "reason": "reconstructs"}
    assert EvaluationTarget.from_description(plain.describe()).output == "image"
    assert unoccluded_target("beneath").feature == "image_unoccluded"
    with pytest.raises(ValueError, match="signature output name"):
        EvaluationTarget("uv_texture", "x", "uv texture")
    with pytest.raises(ValueError, match="one of image, target_image, image_unoccluded"):
        EvaluationTarget("label_map_11", "labels")


def test_the_target_option_keeps_the_declared_output() -> None:
    present = {"image", "uv_texture", "image_unoccluded"}
    declared = exact_uv_texture("completed UV", "uv_texture")
    chosen = choose_target(None, declared, present, "serving_default")
    assert (chosen.feature, chosen.output) == ("uv_texture", "uv_texture")
    assert chosen.text() == "output uv_texture vs uv_texture (completed UV)"
    assert choose_target("uv_texture", declared, present, "s").output == "uv_texture"
    assert choose_target("image", None, present, "s").output == "image"
    beneath = choose_target(None, unoccluded_target("beneath"), present, "s")
    assert (beneath.feature, beneath.output) == ("image_unoccluded", "image")
    with pytest.raises(ValueError, match="--occluders"):
        choose_target(None, unoccluded_target("beneath"), {"image"}, "s")
