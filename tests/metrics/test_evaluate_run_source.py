"""`tfface evaluate RUN_DIR`: the temporary export is removed whatever happens, and the report
names the run."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from tfface.cli.main import main
from tfface.metrics.evaluation import Evaluation
from tfface.metrics.evaluation_options import EvaluationOptions
from tfface.metrics.run_evaluation import evaluate
from tfface.metrics.sources import load_source


@pytest.fixture(scope="module")
def toy_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-step run of the 8 px toy system (checkpoint, config, logs)."""
    from toy_export import register_toy_export

    from tfface.runs.train import TrainRequest, train

    register_toy_export()
    run = tmp_path_factory.mktemp("toy") / "run"
    train(TrainRequest("toy", str(run), overrides=("train.steps=2",), verbose=0))
    return run


def left_behind(folder: Path) -> list[str]:
    """What is left in the temporary folder, except TensorFlow's own autograph sources
    (``__autograph_generated_file*.py``: tf.function writes them there, removes them at exit)."""
    return sorted(
        path.name
        for path in folder.iterdir()
        if not path.name.startswith("__autograph_generated_file")
    )


@pytest.fixture
def temp_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The process's temporary folder, pointed at an empty test folder."""
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setenv("TMPDIR", str(folder))
    return folder


def arguments(run: Path, dataset: Path, out: Path, metrics: str = "l1,mse") -> list[str]:
    return [
        "evaluate",
        str(run),
        "--data",
        str(dataset),
        "--split",
        "train",
        "--image-size",
        "8",  # the toy system's size
        "--metrics",
        metrics,
        "--batch-size",
        "3",
        "--grid-examples",
        "2",
        "--out",
        str(out),
    ]


def test_a_run_is_reported_as_the_run_and_leaves_no_temporary_export(
    toy_run: Path, synthfaces_dataset: Path, temp_folder: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "report"
    assert main(arguments(toy_run, synthfaces_dataset, out)) == 0
    assert left_behind(temp_folder) == []
    report = json.loads((out / "report.json").read_text())
    assert report["source"]["path"] == str(toy_run.resolve())
    assert report["source"]["kind"] == "run"
    assert "temporar" in report["source"]["export"]  # says how it was evaluated
    assert report["metrics"]["l1"]["count"] == 6
    printed = capsys.readouterr().out
    assert f"source: {toy_run.resolve()}" in printed and "tfface-evaluate" not in printed
    assert "tfface-evaluate" not in (out / "report.md").read_text()


def test_a_failing_evaluation_of_a_run_leaves_no_temporary_export(
    toy_run: Path, synthfaces_dataset: Path, temp_folder: Path, tmp_path: Path, capsys
) -> None:
    # The toy export has no 'landmarks' output: the evaluation fails after the export.
    failing = arguments(toy_run, synthfaces_dataset, tmp_path / "out", metrics="landmarks")
    assert main(failing) == 2
    assert "landmarks" in capsys.readouterr().err
    assert left_behind(temp_folder) == []


def test_an_interrupted_evaluation_of_a_run_leaves_no_temporary_export(
    toy_run: Path,
    synthfaces_dataset: Path,
    temp_folder: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def interrupted(self, progress=None):
        assert left_behind(temp_folder), "the export exists while the evaluation runs"
        raise KeyboardInterrupt

    monkeypatch.setattr(Evaluation, "run", interrupted)
    options = EvaluationOptions(("l1",), str(synthfaces_dataset), split="train", image_size=8)
    with pytest.raises(KeyboardInterrupt):
        evaluate(toy_run, options, tmp_path / "out")
    assert left_behind(temp_folder) == []


def test_a_loaded_run_is_closed_by_its_context(toy_run: Path, temp_folder: Path) -> None:
    with load_source(toy_run) as source:
        assert source.describe()["path"] == str(toy_run.resolve())
        assert left_behind(temp_folder)
    assert left_behind(temp_folder) == []


def test_a_run_that_cannot_be_exported_leaves_no_temporary_folder(
    tmp_path: Path, temp_folder: Path, capsys
) -> None:
    run = tmp_path / "run"
    (run / "logs").mkdir(parents=True)
    (run / "run.json").write_text('{"system": "mask_guided"}')  # no config.yaml, no checkpoint
    assert main(["evaluate", str(run), "--data", str(tmp_path), "--metrics", "l1"]) == 2
    assert left_behind(temp_folder) == []
    assert "config.yaml" in capsys.readouterr().err
