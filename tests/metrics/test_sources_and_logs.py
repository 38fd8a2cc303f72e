"""Export layouts, the run-dir hook, TensorBoard scalar reading and the loss-curve drawing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from tfface.metrics.curves_svg import loss_curves_svg
from tfface.metrics.event_logs import read_scalars
from tfface.metrics.sources import SourceNotSupportedError, find_export_version, load_run


def fake_export(path: Path) -> Path:
    path.mkdir(parents=True)
    (path / "saved_model.pb").write_bytes(b"")
    return path


def test_export_layouts(tmp_path: Path) -> None:
    base = tmp_path / "base"
    fake_export(base / "faces" / "1")
    newest = fake_export(base / "faces" / "3")
    (base / "faces" / "tmp-4").mkdir()  # not a version
    assert find_export_version(newest) == newest  # a version dir
    assert find_export_version(base / "faces") == newest  # <base>/<name>: highest version
    assert find_export_version(base) == newest  # a base with a single model
    fake_export(base / "other" / "1")
    with pytest.raises(SourceNotSupportedError, match="several models"):
        find_export_version(base)
    assert find_export_version(tmp_path / "missing") is None


def test_load_run_exports_a_trained_run(tmp_path: Path) -> None:
    from toy_export import register_toy_export
    from toy_system import register_toy

    from tfface.runs.train import TrainRequest, train

    register_toy()
    register_toy_export()
    train(TrainRequest("toy", str(tmp_path / "run"), preset="tiny", overrides=("train.steps=2",)))
    with load_run(tmp_path / "run") as model:
        image = np.random.default_rng(0).integers(0, 256, size=(2, 8, 8, 3), dtype=np.uint8)
        outputs = model.function(image=tf.constant(image))
        assert outputs["image"].dtype == tf.uint8 and outputs["image"].shape == (2, 8, 8, 3)
        assert model.temporary_export.is_dir()
    assert model.temporary_export is None  # removed on leaving the context
    with pytest.raises(FileNotFoundError):
        load_run(tmp_path)


def test_read_and_draw_scalars(tensorboard_logs: Path) -> None:
    scalars = read_scalars(tensorboard_logs)
    assert set(scalars) == {"train/loss", "validation/loss"}
    assert [step for step, _ in scalars["train/loss"]] == [0, 1, 2, 3, 4]
    assert scalars["validation/loss"][1][1] == pytest.approx(1.0)
    svg = loss_curves_svg(scalars, title="run")
    assert svg.count("<polyline") == 2 and ">train/loss<" in svg and ">validation/loss<" in svg
    with pytest.raises(ValueError):
        loss_curves_svg({})
