"""Loss curves of evaluation reports are inline SVG (no plotting package), and a report that
has none says why."""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from tfface.cli.main import main
from tfface.metrics.curves_svg import loss_curves_svg
from tfface.metrics.event_logs import read_scalars

SVG = "{http://www.w3.org/2000/svg}"


def polylines(svg: str) -> list[list[tuple[float, float]]]:
    """The points of every polyline of an SVG document."""
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return [
        [tuple(float(value) for value in pair.split(",")) for pair in line.get("points").split()]
        for line in root.iter(f"{SVG}polyline")
    ]


def test_one_polyline_per_tag_scaled_into_its_panel(tensorboard_logs: Path) -> None:
    scalars = read_scalars(tensorboard_logs)
    lines = polylines(loss_curves_svg(scalars))
    assert [len(line) for line in lines] == [5, 5]
    for line in lines:
        xs, ys = zip(*line, strict=True)
        assert list(xs) == sorted(xs) and len(set(xs)) == 5  # steps left to right
        assert list(ys) == sorted(ys)  # a falling loss goes DOWN the page: y grows


def test_non_finite_values_are_left_out_and_said() -> None:
    scalars = {"loss": [(0, 1.0), (1, float("nan")), (2, 0.5), (3, float("inf"))]}
    svg = loss_curves_svg(scalars)
    assert [len(line) for line in polylines(svg)] == [2]
    assert "2 non-finite values left out" in svg
    constant = polylines(loss_curves_svg({"flat": [(0, 2.0), (5, 2.0)]}))
    assert len(constant[0]) == 2 and constant[0][0][1] == constant[0][1][1]
    with pytest.raises(ValueError, match="no scalar"):
        loss_curves_svg({})


def arguments(export: Path, dataset: Path, out: Path, *extra: str) -> list[str]:
    return [
        "evaluate",
        str(export),
        "--data",
        str(dataset),
        "--split",
        "train",
        "--metrics",
        "l1",
        "--batch-size",
        "3",
        "--grid-examples",
        "0",
        "--out",
        str(out),
        *extra,
    ]


def test_report_draws_curves_without_matplotlib(
    exports: dict[str, Path],
    synthfaces_dataset: Path,
    tensorboard_logs: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` fails
    out = tmp_path / "report"
    extra = ("--logs", str(tensorboard_logs))
    assert main(arguments(exports["blur"], synthfaces_dataset, out, *extra)) == 0
    report = json.loads((out / "report.json").read_text())
    assert report["artifacts"]["loss_curves"] == "loss_curves.svg"
    assert [len(line) for line in polylines((out / "loss_curves.svg").read_text())] == [5, 5]
    page = (out / "report.html").read_text()
    assert "<h2>Loss curves</h2>" in page and page.count("<polyline") == 2
    assert not any("matplotlib" in note for note in report["notes"])


def test_a_report_without_curves_says_why(
    exports: dict[str, Path], synthfaces_dataset: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report"
    assert main(arguments(exports["blur"], synthfaces_dataset, out)) == 0
    report = json.loads((out / "report.json").read_text())
    notes = [note for note in report["notes"] if "loss curves" in note]
    assert notes and "--logs" in notes[0], report["notes"]
    assert "loss_curves" not in report["artifacts"]
    assert "no loss curves" in (out / "report.html").read_text()
