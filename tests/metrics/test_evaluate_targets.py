"""What `tfface evaluate` compares the output with follows from the signature.

On a `--pair-with-frontal` dataset every example holds its input view (yaw 0 or 30) and the
frontal `target_image`. A mask_guided export reconstructs its input, so it must be scored
against the input; a rotation export against the frontal target. Here a "mirror" export
(output = input) declares either meaning through the real export path (model card), so the
two choices give L1 = 0 and L1 > 0.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tensorflow as tf

from tfface.cli.main import main
from tfface.export.writer import export_system
from tfface.metrics.target_choice import choose_target
from tfface.signatures.evaluation_target import paired_target, reconstructs_input
from tfface.signatures.inputs import image_input
from tfface.signatures.signature import DEFAULT_SIGNATURE, ExportSignature

SIZE = 32


@pytest.fixture(scope="module")
def paired_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2 identities at yaw 0 and 30, each paired with its frontal view (4 examples, 32 px)."""
    from pipelines import synthfaces

    output = tmp_path_factory.mktemp("paired")
    synthfaces.main(
        ["--output", str(output), "--identities", "2", "--size", str(SIZE), "--uv-size", "32"]
        + ["--yaws", "0", "30", "--pair-with-frontal", "--splits", "train=1,validation=0,test=0"]
    )
    return output


def mirror_signatures(target):
    """Export spec of a model whose output is its input, declaring `target`."""

    def build(system) -> dict[str, ExportSignature]:
        return {
            DEFAULT_SIGNATURE: ExportSignature(
                inputs={"image": image_input(SIZE)},
                function=lambda inputs: {"image": inputs["image"]},
                evaluation_target=target,
            )
        }

    return build


@pytest.fixture(scope="module")
def mirrors(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two exports of the same mirror: one reconstructs its input, one aims at the pair."""
    base = tmp_path_factory.mktemp("mirrors")
    builders = {
        "mirror": mirror_signatures(reconstructs_input("mirror reconstructs its input")),
        "mirror_paired": mirror_signatures(paired_target("mirror aims at the pair")),
    }
    return {
        name: export_system(
            tf.Module(), name, base, name, verify=False, export_signatures=build
        ).version_dir
        for name, build in builders.items()
    }


def evaluate(source: Path, dataset: Path, out: Path, *extra: str) -> list[str]:
    return [
        "evaluate",
        str(source),
        "--data",
        str(dataset),
        "--split",
        "train",
        "--metrics",
        "l1",
        "--batch-size",
        "2",
        "--grid-examples",
        "2",
        "--out",
        str(out),
        *extra,
    ]


def test_a_reconstruction_is_scored_against_its_input_on_paired_data(
    mirrors: dict[str, Path], paired_dataset: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "reconstruction"
    assert main(evaluate(mirrors["mirror"], paired_dataset, out)) == 0
    report = json.loads((out / "report.json").read_text())
    assert report["data"]["target"] == "image"
    assert report["data"]["target_reason"] == "mirror reconstructs its input"
    assert report["metrics"]["l1"]["mean"] == pytest.approx(0.0, abs=1e-6)
    assert report["metrics"]["l1"]["count"] == 4
    line = "target: input image (mirror reconstructs its input)"
    assert line in capsys.readouterr().out
    assert line in (out / "report.md").read_text() and line in (out / "report.html").read_text()


def test_a_paired_signature_is_scored_against_the_target_image(
    mirrors: dict[str, Path], paired_dataset: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "paired"
    assert main(evaluate(mirrors["mirror_paired"], paired_dataset, out)) == 0
    report = json.loads((out / "report.json").read_text())
    assert report["data"]["target"] == "target_image"
    assert report["metrics"]["l1"]["mean"] > 0.01  # the yaw-30 inputs differ from the frontal
    assert "target: target_image (mirror aims at the pair)" in capsys.readouterr().out


def test_a_paired_signature_on_unpaired_data_says_what_is_missing(
    mirrors: dict[str, Path], synthfaces_dataset: Path, tmp_path: Path, capsys
) -> None:
    # synthfaces_dataset (conftest, 32 px) has no target_image.
    arguments = evaluate(mirrors["mirror_paired"], synthfaces_dataset, tmp_path / "out")
    assert main(arguments) == 2
    error = capsys.readouterr().err
    assert "target_image" in error and "--pair-with-frontal" in error and "--target" in error


def test_an_export_without_a_declaration_gets_a_stated_default_and_target_overrides(
    exports: dict[str, Path], paired_dataset: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "default"
    assert main(evaluate(exports["blur"], paired_dataset, out)) == 0
    report = json.loads((out / "report.json").read_text())
    assert report["data"]["target"] == "target_image"
    assert "declares no evaluation target" in report["data"]["target_reason"]
    assert "declares no evaluation target" in capsys.readouterr().out

    chosen = tmp_path / "chosen"
    assert main(evaluate(exports["blur"], paired_dataset, chosen, "--target", "image")) == 0
    report = json.loads((chosen / "report.json").read_text())
    assert report["data"]["target"] == "image"
    assert report["data"]["target_reason"] == "chosen with --target"


def test_target_option_must_name_a_dataset_feature() -> None:
    present = {"image", "target_image", "pose"}
    with pytest.raises(ValueError, match="--target 'mask': the dataset has no such feature"):
        choose_target("mask", None, present, "serving_default")
    assert choose_target("image", paired_target("rotates"), present, "s").feature == "image"
