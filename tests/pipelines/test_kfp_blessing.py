"""The evaluator's gate: thresholds in each metric's direction, regression against the pushed
model with a tolerance, the baseline's numbers, and a pusher that pushes only when blessed."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from pipelines.kubeflow.blessing import (
    decide_blessing,
    metric_direction,
    parse_threshold,
    report_metric_values,
)
from pipelines.kubeflow.evaluator import baseline_metrics
from pipelines.kubeflow.pusher import push_model


def test_threshold_forms_and_directions() -> None:
    assert parse_threshold("ssim>=0.5").passes(0.5)
    assert not parse_threshold("ssim>=0.5").passes(0.49)
    assert parse_threshold("fid<=40").passes(39.0)
    assert not parse_threshold("fid<=40").passes(41.0)
    assert parse_threshold("fid:40").direction == "lower"  # the metric's own direction
    assert parse_threshold("psnr:20").direction == "higher"
    assert parse_threshold("identity.rank1 >= 0.9").metric == "identity.rank1"
    assert not parse_threshold("l1<=1").passes(math.nan)
    assert metric_direction("kid") == "lower" and metric_direction("miou.mean") == "higher"
    assert metric_direction("unknown") is None


@pytest.mark.parametrize("text", ["ssim>0.5", "ssim", "ssim>=high", ">=0.5", "custom:1"])
def test_malformed_thresholds_are_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="threshold"):
        parse_threshold(text)


def test_absolute_thresholds_in_both_directions() -> None:
    candidate = {"ssim": 0.6, "l1": 0.2}
    blessed = decide_blessing(candidate, [parse_threshold("ssim>=0.5"), parse_threshold("l1<=0.3")])
    assert blessed.blessed and len(blessed.checks) == 2
    failed = decide_blessing(candidate, [parse_threshold("ssim>=0.7"), parse_threshold("l1<=0.1")])
    assert not failed.blessed
    assert [check.metric for check in failed.failures] == ["ssim", "l1"]
    assert "ssim 0.6 fails ssim >= 0.7" in failed.reason()


def test_a_thresholded_metric_the_evaluation_lacks_fails() -> None:
    blessing = decide_blessing({"ssim": 0.9}, [parse_threshold("fid<=10")])
    assert not blessing.blessed
    assert "fid is not in the evaluation (evaluated: ssim)" in blessing.reason()


def test_regression_tolerance_against_the_baseline() -> None:
    baseline = {"ssim": 0.50, "l1": 0.20, "custom": 5.0}
    # 4 % worse on each: inside a 5 % tolerance, outside 3 %
    candidate = {"ssim": 0.48, "l1": 0.208, "custom": 1.0}
    assert decide_blessing(candidate, [], baseline, regression_tolerance=0.05).blessed
    strict = decide_blessing(candidate, [], baseline, regression_tolerance=0.03)
    assert not strict.blessed
    assert {check.metric for check in strict.failures} == {"ssim", "l1"}
    # metrics of unknown direction are not compared
    assert {check.metric for check in strict.checks} == {"ssim", "l1"}
    better = {"ssim": 0.55, "l1": 0.1}
    assert decide_blessing(better, [], baseline, regression_tolerance=0.0).blessed
    assert "nothing to check" in decide_blessing(candidate, [], None).reason()
    with pytest.raises(ValueError, match="tolerance"):
        decide_blessing(candidate, [], baseline, regression_tolerance=-0.1)


def test_report_metric_values_flattens_the_report() -> None:
    report = {
        "metrics": {
            "ssim": {"mean": 0.5, "std": 0.1, "count": 3},
            "fid": {"value": 12.0},
            "identity": {"rank1": 0.9, "cosine": 0.7, "ok": True},
            "is": 3.0,
        }
    }
    assert report_metric_values(report) == {
        "ssim": 0.5,
        "fid": 12.0,
        "identity.rank1": 0.9,
        "identity.cosine": 0.7,
        "is": 3.0,
    }


def write_version(base: Path, version: int, pipeline: dict) -> Path:
    version_dir = base / "model" / str(version)
    (version_dir / "assets.extra").mkdir(parents=True)
    (version_dir / "saved_model.pb").write_bytes(b"")
    card = {"model_name": "model", "version": version, "metrics": None, "pipeline": pipeline}
    (version_dir / "assets.extra" / "model_card.json").write_text(json.dumps(card))
    return version_dir


def test_baseline_is_the_latest_pushed_version_and_its_card(tmp_path: Path) -> None:
    arguments = dict(
        metrics=["ssim", "l1"],
        candidate={"ssim": 0.4, "l1": 0.3},
        out_dir=tmp_path / "out",
        max_examples=0,
        feature_weights="imagenet",
        data_dir="unused",
    )
    assert baseline_metrics(str(tmp_path / "model"), "cand", "data", **arguments) == (None, None)
    recorded = {"ssim": 0.6, "l1": 0.1}
    evaluation = {
        "metrics": recorded,
        "evaluated": ["l1", "ssim"],
        "max_examples": 0,
        "examples_fingerprint": "data",
    }
    write_version(tmp_path, 1, {"model_fingerprint": "old", "evaluation": {}})
    write_version(tmp_path, 2, {"model_fingerprint": "old", "evaluation": evaluation})
    values, described = baseline_metrics(str(tmp_path / "model"), "cand", "data", **arguments)
    assert values == recorded
    assert described["version"] == 2 and described["metrics_from"] == "its model card"
    values, described = baseline_metrics(str(tmp_path / "model"), "old", "data", **arguments)
    assert values == arguments["candidate"]
    assert described["metrics_from"] == "same model as the candidate"


def test_an_unblessed_model_is_not_pushed_and_the_base_is_untouched(tmp_path: Path) -> None:
    base = tmp_path / "serving"
    result = push_model(
        str(tmp_path / "run"), str(base), "model", False, "not blessed: ssim 0.1 fails", {}
    )
    assert not result.pushed and result.version == 0
    assert result.reason == "the model is not blessed: ssim 0.1 fails"
    assert not base.exists()
    with pytest.raises(ValueError, match="invalid model name"):
        push_model(str(tmp_path / "run"), str(base), "../x", True, "blessed", {})


def test_the_served_model_is_not_pushed_again(tmp_path: Path) -> None:
    write_version(tmp_path, 3, {"model_fingerprint": "same"})
    result = push_model(
        str(tmp_path / "run"),
        str(tmp_path),
        "model",
        True,
        "blessed",
        {"model_fingerprint": "same"},
    )
    assert (result.pushed, result.version) == (False, 3)
    assert "version 3 is already this model" in result.reason
    assert sorted(path.name for path in (tmp_path / "model").iterdir()) == ["3"]
