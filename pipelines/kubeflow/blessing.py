"""The evaluator's gate (the TFMA `MetricThreshold` idea): is the candidate good enough to push?

A candidate is blessed when every thresholded metric passes its absolute bound and no metric
regresses beyond a tolerance against the baseline (the model currently pushed), each metric
in its own direction: lower is better for distances and errors (fid, kid, l1, mse,
perceptual, landmarks, pose), higher for similarities and scores (ssim, ms_ssim, psnr, is,
diversity, identity, miou).

Thresholds are written `METRIC>=VALUE` or `METRIC<=VALUE` (`--threshold ssim>=0.5`), or
`METRIC:VALUE`, which takes the metric's direction. The regression tolerance is relative:
0.05 lets a lower-is-better metric be up to 5 % above the baseline's value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

LOWER_IS_BETTER = ("fid", "kid", "l1", "mse", "perceptual", "landmarks", "pose")
HIGHER_IS_BETTER = ("ssim", "ms_ssim", "psnr", "is", "diversity", "identity", "miou")
_THRESHOLD = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(>=|<=|:)\s*([-+0-9.eE]+|inf|-inf)\s*$")


def metric_direction(metric: str) -> str | None:
    """ "lower" or "higher" (which is better) for a metric name or `name.sub`; None if unknown."""
    base = metric.split(".")[0].lower()
    if base in LOWER_IS_BETTER:
        return "lower"
    if base in HIGHER_IS_BETTER:
        return "higher"
    return None


@dataclass(frozen=True)
class MetricThreshold:
    """An absolute bound on one metric.

    Attributes:
        metric: metric name as in the evaluation report (`ssim`, `identity.rank1`, ...).
        bound: the value the metric must reach.
        direction: "higher": metric >= bound passes; "lower": metric <= bound passes.
    """

    metric: str
    bound: float
    direction: str

    def passes(self, value: float) -> bool:
        if math.isnan(value):
            return False
        return value >= self.bound if self.direction == "higher" else value <= self.bound

    def text(self) -> str:
        return f"{self.metric} {'>=' if self.direction == 'higher' else '<='} {self.bound:g}"


def parse_threshold(text: str) -> MetricThreshold:
    """`ssim>=0.5`, `fid<=40`, or `psnr:20` (the metric's own direction).

    Raises:
        ValueError: not of that form, or `METRIC:VALUE` for a metric of unknown direction.
    """
    match = _THRESHOLD.match(text)
    if not match:
        raise ValueError(
            f"bad threshold {text!r}: write METRIC>=VALUE, METRIC<=VALUE or METRIC:VALUE "
            "(e.g. ssim>=0.5, fid<=40)"
        )
    metric, operator, value = match.groups()
    if operator == ":":
        direction = metric_direction(metric)
        if direction is None:
            raise ValueError(
                f"threshold {text!r}: the direction of {metric!r} is not known; write "
                f"{metric}>=VALUE or {metric}<=VALUE"
            )
    else:
        direction = "higher" if operator == ">=" else "lower"
    return MetricThreshold(metric, float(value), direction)


@dataclass(frozen=True)
class Check:
    """One test of the gate and its outcome.

    Attributes:
        kind: "threshold" or "regression".
        metric: the metric tested.
        value: the candidate's value (None: the report has no such metric).
        passed: whether the candidate passed.
        description: a readable sentence with the numbers.
        baseline: the baseline's value (regression checks).
    """

    kind: str
    metric: str
    value: float | None
    passed: bool
    description: str
    baseline: float | None = None


@dataclass
class Blessing:
    """The gate's decision: blessed, and every check behind it."""

    blessed: bool
    checks: list[Check] = field(default_factory=list)

    @property
    def failures(self) -> list[Check]:
        return [check for check in self.checks if not check.passed]

    def reason(self) -> str:
        """Why the model was (not) blessed, in one line."""
        if self.blessed and not self.checks:
            return "blessed: nothing to check (no thresholds, no pushed model to compare with)"
        if self.blessed:
            return f"blessed: {len(self.checks)} check(s) passed"
        return "not blessed: " + "; ".join(check.description for check in self.failures)

    def to_json(self) -> dict[str, Any]:
        return {"blessed": self.blessed, "checks": [asdict(check) for check in self.checks]}


def report_metric_values(report: Mapping[str, Any]) -> dict[str, float]:
    """Metric name -> value from a `tfface evaluate` report.json (`metrics` section): scalars,
    `{"mean": ...}` / `{"value": ...}` entries, and other numeric entries as `name.key`."""
    values: dict[str, float] = {}
    for name, entry in (report.get("metrics") or {}).items():
        if isinstance(entry, int | float):
            values[name] = float(entry)
        elif isinstance(entry, Mapping):
            for key in ("mean", "value"):
                if isinstance(entry.get(key), int | float):
                    values[name] = float(entry[key])
                    break
            else:
                for key, value in entry.items():
                    if isinstance(value, int | float) and not isinstance(value, bool):
                        values[f"{name}.{key}"] = float(value)
    return values


def _regression_check(metric: str, value: float, baseline: float, tolerance: float) -> Check:
    direction = metric_direction(metric)
    slack = tolerance * abs(baseline)
    if direction == "lower":
        limit = baseline + slack
        passed = value <= limit
        relation = "<="
    else:
        limit = baseline - slack
        passed = value >= limit
        relation = ">="
    description = (
        f"{metric} {value:.6g} vs baseline {baseline:.6g}: needs {relation} {limit:.6g} "
        f"({direction} is better, tolerance {tolerance:.1%})"
    )
    return Check(
        "regression", metric, value, passed and not math.isnan(value), description, baseline
    )


def decide_blessing(
    candidate: Mapping[str, float],
    thresholds: Iterable[MetricThreshold],
    baseline: Mapping[str, float] | None = None,
    regression_tolerance: float = 0.0,
) -> Blessing:
    """Checks the candidate's metrics against absolute thresholds and against the baseline.

    Args:
        candidate: metric name -> value of the model being evaluated.
        thresholds: absolute bounds; a thresholded metric the candidate lacks fails.
        baseline: metric name -> value of the currently pushed model (None: there is none,
            so nothing can regress).
        regression_tolerance: relative slack (>= 0) of the comparison with the baseline;
            every metric of known direction that both have is compared.

    Raises:
        ValueError: a negative tolerance.
    """
    if regression_tolerance < 0 or math.isnan(regression_tolerance):
        raise ValueError(f"regression tolerance must be >= 0, got {regression_tolerance}")
    checks = []
    for threshold in thresholds:
        value = candidate.get(threshold.metric)
        if value is None:
            checks.append(
                Check(
                    "threshold",
                    threshold.metric,
                    None,
                    False,
                    f"{threshold.metric} is not in the evaluation (evaluated: "
                    f"{', '.join(sorted(candidate)) or 'nothing'})",
                )
            )
            continue
        passed = threshold.passes(value)
        verdict = "passes" if passed else "fails"
        checks.append(
            Check(
                "threshold",
                threshold.metric,
                value,
                passed,
                f"{threshold.metric} {value:.6g} {verdict} {threshold.text()}",
            )
        )
    for metric in sorted(set(candidate) & set(baseline or {})):
        if metric_direction(metric) is not None:
            checks.append(
                _regression_check(metric, candidate[metric], baseline[metric], regression_tolerance)
            )
    return Blessing(all(check.passed for check in checks), checks)
