"""The pipeline's KFP components, named after their TFX counterparts.

Each is a lightweight Python component: KFP runs the function's source in the tfface image
(or, locally, in this Python), so it imports what it needs inside and calls one module of
this package through `stage_runtime.run_stage` (lineage, ledger, clean failures). Every
component takes `tfface_version`, so a new tfface version misses the cache.
`make_components(image)` binds them to a container image.

(No `from __future__ import annotations` here: KFP reads the artifact annotations.)
"""

from dataclasses import dataclass
from typing import Any

from kfp import dsl
from kfp.dsl import Artifact, Dataset, Input, Metrics, Model, Output


def example_gen(
    source: str,
    job_arguments: list,
    input_fingerprint: str,
    tfface_version: str,
    examples: Output[Dataset],
):
    """ExampleGen: runs the source's Beam job (`tfface data build`) into the Dataset."""
    from pipelines.kubeflow.example_gen import generate_examples
    from pipelines.kubeflow.stage_runtime import output_location, run_stage

    def body():
        metadata = generate_examples(source, job_arguments, output_location(examples))
        message = (
            f"{metadata.get('accepted', '?')} examples {metadata.get('counts', {})}, "
            f"{metadata.get('rejected', 0)} rejected"
        )
        return {"examples": metadata}, message

    config = {
        "source": source,
        "job_arguments": list(job_arguments),
        "input_fingerprint": input_fingerprint,
    }
    run_stage("example_gen", {"examples": examples}, {}, config, body)


def statistics_gen(examples: Input[Dataset], tfface_version: str, statistics: Output[Artifact]):
    """StatisticsGen: per-split statistics of the records (statistics.json)."""
    from pipelines.kubeflow.stage_runtime import run_stage
    from pipelines.kubeflow.validation_stages import generate_statistics

    def body():
        metadata = generate_statistics(examples.path, statistics.path)
        return {"statistics": metadata}, f"examples per split {metadata['examples']}"

    run_stage("statistics_gen", {"statistics": statistics}, {"examples": examples}, {}, body)


def schema_gen(
    statistics: Input[Artifact],
    kept_schema: str,
    kept_schema_digest: str,
    max_reject_rate: float,
    tfface_version: str,
    schema: Output[Artifact],
):
    """SchemaGen: the kept schema, or one inferred from the statistics (and kept)."""
    from pipelines.kubeflow.stage_runtime import run_stage
    from pipelines.kubeflow.validation_stages import generate_schema

    def body():
        metadata = generate_schema(statistics.path, schema.path, kept_schema, max_reject_rate)
        return {"schema": metadata}, f"schema {metadata['origin']}"

    config = {
        "kept_schema": kept_schema,
        "kept_schema_digest": kept_schema_digest,
        "max_reject_rate": max_reject_rate,
    }
    run_stage("schema_gen", {"schema": schema}, {"statistics": statistics}, config, body)


def example_validator(
    statistics: Input[Artifact],
    schema: Input[Artifact],
    continue_on_anomalies: bool,
    tfface_version: str,
    anomalies: Output[Artifact],
):
    """ExampleValidator: anomalies of the statistics against the schema; they fail the run
    unless continue_on_anomalies."""
    from pipelines.kubeflow.stage_runtime import run_stage
    from pipelines.kubeflow.validation_stages import validate_examples

    def body():
        metadata = validate_examples(
            statistics.path, schema.path, anomalies.path, continue_on_anomalies
        )
        return {"anomalies": metadata}, f"{metadata['anomalies']} anomalies"

    inputs = {"statistics": statistics, "schema": schema}
    config = {"continue_on_anomalies": continue_on_anomalies}
    run_stage("example_validator", {"anomalies": anomalies}, inputs, config, body)


def trainer(
    examples: Input[Dataset],
    anomalies: Input[Artifact],
    system: str,
    preset: str,
    overrides: list,
    strategy: str,
    warm_start_from: str,
    tfface_version: str,
    model: Output[Model],
):
    """Trainer: `tfface train SYSTEM` on the validated Dataset (the validator's anomalies
    artifact is an input, for the lineage and the order); the run directory is the Model."""
    from pipelines.kubeflow.stage_runtime import run_stage
    from pipelines.kubeflow.trainer import train_model

    def body():
        metadata = train_model(
            system, preset, overrides, strategy, examples.path, model.path, warm_start_from
        )
        return {"model": metadata}, f"{system} trained {metadata['steps']} steps"

    config = {
        "system": system,
        "preset": preset,
        "overrides": list(overrides),
        "strategy": strategy,
        "warm_start_from": warm_start_from,
    }
    inputs = {"examples": examples, "anomalies": anomalies}
    run_stage("trainer", {"model": model}, inputs, config, body)


def evaluator(
    examples: Input[Dataset],
    model: Input[Model],
    metrics: str,
    thresholds: list,
    regression_tolerance: float,
    serving_base: str,
    model_name: str,
    baseline_fingerprint: str,
    max_examples: int,
    feature_weights: str,
    tfface_version: str,
    evaluation: Output[Metrics],
    blessing: Output[Artifact],
):
    """Evaluator: `tfface evaluate` on the test split, and the blessing against thresholds
    and the currently pushed model."""
    import json
    import os

    from pipelines.kubeflow.evaluator import evaluate_candidate
    from pipelines.kubeflow.stage_runtime import run_stage

    def body():
        result = evaluate_candidate(
            model.path,
            examples.path,
            evaluation.path,
            metrics.split(","),
            thresholds,
            regression_tolerance,
            os.path.join(serving_base, model_name) if serving_base else "",
            model.metadata.get("fingerprint", ""),
            examples.metadata.get("fingerprint", ""),
            max_examples,
            feature_weights,
        )
        for name, value in result.metrics.items():
            evaluation.log_metric(name, value)
        os.makedirs(blessing.path, exist_ok=True)
        decision = {**result.blessing.to_json(), "baseline": result.baseline}
        with open(os.path.join(blessing.path, "blessing.json"), "w") as stream:
            json.dump(decision, stream, indent=1)
        metadata = {
            "blessed": result.blessing.blessed,
            "reason": result.blessing.reason(),
            "baseline": result.baseline,
        }
        values = ", ".join(f"{name} {value:.4g}" for name, value in result.metrics.items())
        return {"evaluation": {"metrics": result.metrics}, "blessing": metadata}, (
            f"{values}; {result.blessing.reason()}"
        )

    config = {
        "metrics": metrics,
        "thresholds": list(thresholds),
        "regression_tolerance": regression_tolerance,
        "serving_base": serving_base,
        "model_name": model_name,
        "baseline_fingerprint": baseline_fingerprint,
        "max_examples": max_examples,
    }
    outputs = {"evaluation": evaluation, "blessing": blessing}
    run_stage("evaluator", outputs, {"examples": examples, "model": model}, config, body)


def pusher(
    model: Input[Model],
    blessing: Input[Artifact],
    evaluation: Input[Metrics],
    examples: Input[Dataset],
    serving_base: str,
    model_name: str,
    config_base_path: str,
    tfface_version: str,
    pushed: Output[Artifact],
):
    """Pusher: exports a blessed model to the serving base as its next version, with the
    lineage in its model card."""
    import json
    import os

    from pipelines.kubeflow.pusher import lineage_section, push_model
    from pipelines.kubeflow.stage_runtime import run_stage

    def body():
        section = lineage_section(model, examples, evaluation, blessing, pushed.uri)
        result = push_model(
            model.path,
            serving_base,
            model_name,
            bool(blessing.metadata.get("blessed")),
            str(blessing.metadata.get("reason", "")),
            section,
            config_base_path,
        )
        os.makedirs(pushed.path, exist_ok=True)
        with open(os.path.join(pushed.path, "push.json"), "w") as stream:
            json.dump({**vars(result), "model_card_pipeline": section}, stream, indent=1)
        metadata = {
            "pushed": result.pushed,
            "version": result.version,
            "version_dir": result.version_dir,
            "reason": result.reason,
        }
        return {"pushed": metadata}, result.reason

    inputs = {"model": model, "blessing": blessing, "evaluation": evaluation, "examples": examples}
    config = {
        "serving_base": serving_base,
        "model_name": model_name,
        "config_base_path": config_base_path,
    }
    run_stage("pusher", {"pushed": pushed}, inputs, config, body)


STAGE_FUNCTIONS = (
    example_gen,
    statistics_gen,
    schema_gen,
    example_validator,
    trainer,
    evaluator,
    pusher,
)
STAGES = tuple(function.__name__ for function in STAGE_FUNCTIONS)


@dataclass(frozen=True)
class Components:
    """The seven components bound to one container image."""

    example_gen: Any
    statistics_gen: Any
    schema_gen: Any
    example_validator: Any
    trainer: Any
    evaluator: Any
    pusher: Any


def make_components(image: str) -> Components:
    """The components running in `image` (the tfface image, which has kfp installed)."""
    return Components(
        *(
            dsl.component(function, base_image=image, install_kfp_package=False)
            for function in STAGE_FUNCTIONS
        )
    )
