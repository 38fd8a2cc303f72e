"""What one pipeline run (or compilation) is asked to do, checked before anything starts.

`PipelineArguments` holds the user's choices; `check()` rejects an unknown system, source,
preset, strategy or metric, a malformed threshold and the like with a clear message, so a
bad run fails at once instead of after the data stage. It imports no TensorFlow.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from pipelines.kubeflow.blessing import parse_threshold
from pipelines.kubeflow.example_gen import check_source
from pipelines.kubeflow.pusher import check_model_name
from tfface import __version__
from tfface.training.strategy_names import STRATEGIES

DEFAULT_METRICS = "ssim,psnr,l1"


@dataclass(frozen=True)
class PipelineArguments:
    """The pipeline's parameters.

    Attributes:
        system: a `tfface train` system.
        source: a `tfface data build` source, or "import" (an already built dataset).
        job_arguments: the source job's options and Beam options (not --output).
        preset, overrides, strategy: as `tfface train` takes them.
        warm_start_from: an earlier Model artifact / run directory to continue from ("").
        metrics: comma-separated `tfface evaluate` metrics.
        thresholds: `METRIC>=VALUE` / `METRIC<=VALUE` / `METRIC:VALUE` bounds.
        regression_tolerance: relative slack against the pushed model (>= 0).
        serving_base: the model base the pusher writes to.
        model_name: TF Serving model name (default: the system name).
        config_base_path: base_path prefix written to models.config ("": the base).
        max_reject_rate: the inferred schema's bound on rejected / inputs.
        continue_on_anomalies: run on past the validator's anomalies.
        max_examples: evaluate at most this many test examples (0: all).
        feature_weights: InceptionV3 / VGG weights of the evaluation (imagenet; random only
            in tests).
        trainer_gpus: GPUs requested for the trainer on a cluster (0: none).
    """

    system: str
    source: str
    job_arguments: tuple[str, ...] = ()
    preset: str = "tiny"
    overrides: tuple[str, ...] = ()
    strategy: str = "default"
    warm_start_from: str = ""
    metrics: str = DEFAULT_METRICS
    thresholds: tuple[str, ...] = ()
    regression_tolerance: float = 0.0
    serving_base: str = ""
    model_name: str = ""
    config_base_path: str = ""
    max_reject_rate: float = 0.05
    continue_on_anomalies: bool = False
    max_examples: int = 0
    feature_weights: str = "imagenet"
    trainer_gpus: int = 0

    @property
    def served_name(self) -> str:
        return self.model_name or self.system

    def check(self) -> PipelineArguments:
        """Returns self, or raises ValueError naming what is wrong and what is allowed."""
        from tfface.metrics.evaluation_options import parse_metrics
        from tfface.systems.catalog import SYSTEMS

        if self.system not in SYSTEMS:
            raise ValueError(f"unknown system {self.system!r}; systems: {', '.join(SYSTEMS)}")
        presets = SYSTEMS[self.system].presets
        if self.preset not in presets:
            raise ValueError(
                f"unknown preset {self.preset!r} of {self.system}; presets: {', '.join(presets)}"
            )
        check_source(self.source, self.job_arguments)
        if self.strategy not in STRATEGIES:
            raise ValueError(f"unknown strategy {self.strategy!r}; choose {', '.join(STRATEGIES)}")
        for override in self.overrides:
            if "=" not in override:
                raise ValueError(f"--set {override!r}: write KEY=VALUE")
        parse_metrics(self.metrics)
        for threshold in self.thresholds:
            parse_threshold(threshold)
        if not (self.regression_tolerance >= 0 and math.isfinite(self.regression_tolerance)):
            raise ValueError(
                f"--regression-tolerance must be a number >= 0, got {self.regression_tolerance}"
            )
        if not 0.0 <= self.max_reject_rate <= 1.0:
            raise ValueError(f"--max-reject-rate must be in [0, 1], got {self.max_reject_rate}")
        if self.max_examples < 0 or self.trainer_gpus < 0:
            raise ValueError("--max-examples and --trainer-gpus must be >= 0")
        check_model_name(self.served_name)
        return self

    def replace(self, **changes: Any) -> PipelineArguments:
        return dataclasses.replace(self, **changes)

    def parameters(self) -> dict[str, Any]:
        """The pipeline's parameters (`pipeline.tfface_pipeline`) except the run-specific ones
        a local run adds (fingerprints, the kept schema)."""
        return {
            "system": self.system,
            "source": self.source,
            "job_arguments": list(self.job_arguments),
            "preset": self.preset,
            "overrides": list(self.overrides),
            "strategy": self.strategy,
            "warm_start_from": self.warm_start_from,
            "metrics": self.metrics,
            "thresholds": list(self.thresholds),
            "regression_tolerance": float(self.regression_tolerance),
            "serving_base": self.serving_base,
            "model_name": self.served_name,
            "config_base_path": self.config_base_path,
            "max_reject_rate": float(self.max_reject_rate),
            "continue_on_anomalies": self.continue_on_anomalies,
            "max_examples": int(self.max_examples),
            "feature_weights": self.feature_weights,
            "tfface_version": __version__,
        }
