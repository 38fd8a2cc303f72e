"""`tfface evaluate A B ...`: several sources side by side (Sevastopolskiy 2019 Table 4.1 layout)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tfface.cli.main import main
from tfface.metrics.comparison import comparison_report, source_labels


def test_two_exports_side_by_side_by_yaw(
    synthfaces_dataset: Path, exports: dict[str, Path], tmp_path: Path, capsys
) -> None:
    out = tmp_path / "comparison"
    arguments = ["evaluate", str(exports["blur"]), str(exports["gray_fill"])]
    arguments += ["--data", str(synthfaces_dataset), "--split", "train", "--by", "yaw"]
    arguments += ["--metrics", "mse,ssim,is,fid", "--batch-size", "4", "--out", str(out)]
    arguments += ["--fid-sqrt", "eigh", "--feature-weights", "random", "--grid-examples", "0"]
    assert main(arguments) == 0
    printed = capsys.readouterr().out
    assert "mse blur" in printed and "mse gray_fill" in printed
    comparison = json.loads((out / "report.json").read_text())
    assert comparison["kind"] == "comparison" and comparison["labels"] == ["blur", "gray_fill"]
    # each source has its full report, and the comparison repeats its numbers
    for label in ("blur", "gray_fill"):
        report = json.loads((out / label / "report.json").read_text())
        assert comparison["metrics"]["mse"][label] == pytest.approx(
            report["metrics"]["mse"]["mean"]
        )
        assert comparison["metrics"]["fid"][label] == pytest.approx(
            report["metrics"]["fid"]["value"]
        )
        assert comparison["metrics"]["is"][label] == pytest.approx(report["metrics"]["is"]["mean"])
        for bucket, row in report["by"].items():
            assert comparison["by"][bucket]["ssim"][label] == pytest.approx(row["ssim"])
            assert comparison["by"][bucket]["is"][label] > 0  # IS per bucket, as in Table 4.1
    assert list(comparison["by"]) == ["0", "±30"]
    assert comparison["metrics"]["mse"]["blur"] != comparison["metrics"]["mse"]["gray_fill"]
    markdown = (out / "report.md").read_text()
    assert "| metric | blur | gray_fill |" in markdown
    assert "| |yaw| | n | ssim blur | ssim gray_fill | mse blur | mse gray_fill |" in markdown
    assert any(note.startswith("gray_fill: hole masks") for note in comparison["notes"])
    page = (out / "report.html").read_text()  # the comparison has its page too
    assert page.count("<table>") == 2 and "<th>ssim blur</th>" in page
    assert 'href="blur/report.html"' in page and 'href="gray_fill/report.html"' in page


def test_labels_and_errors(exports: dict[str, Path], tmp_path: Path, capsys) -> None:
    blur = exports["blur"]
    assert source_labels([blur, blur / "1", blur]) == ["blur", "blur_1", "blur_2"]
    assert source_labels([blur, blur], ["FW+GAP", "FW"]) == ["FW+GAP", "FW"]
    with pytest.raises(ValueError, match="2 labels for 3 sources"):
        source_labels([blur, blur, blur], ["a", "b"])
    with pytest.raises(ValueError, match="non-empty folder names"):
        source_labels([blur], ["../up"])
    with pytest.raises(ValueError, match="one label per report"):
        comparison_report(["a"], [])
    code = main(
        ["evaluate", str(blur), str(tmp_path / "missing"), "--data", str(tmp_path)]
        + ["--metrics", "ssim", "--out", str(tmp_path / "out")]
    )
    assert code == 2 and "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()  # every source is loaded before any evaluation
