"""The DAG: example_gen -> statistics_gen -> schema_gen -> example_validator -> trainer ->
evaluator -> pusher, as one KFP pipeline.

The trainer reads the Dataset artifact and takes the validator's anomalies artifact as an
input (as TFX's Trainer takes the schema), so an anomaly stops the run before training and the
model's lineage reaches the statistics and schema its data was checked against. The pusher is never cached (it acts on the serving base). On
a cluster the evaluator is not cached either: its baseline (the model pushed now) is outside
the pipeline's inputs; a local run passes the baseline's fingerprint instead.

(No `from __future__ import annotations` here: KFP reads the pipeline's annotations.)
"""

from collections.abc import Callable
from typing import Any

from kfp import dsl
from kfp.dsl import Artifact

from pipelines.kubeflow.components import make_components
from tfface import __version__

PIPELINE_NAME = "tfface-pipeline"
# The local runner does not use the image; a name with "python" in it keeps kfp.local from
# warning that it may not be a Python image.
LOCAL_IMAGE = "python:3.11"


def build_pipeline(
    image: str = LOCAL_IMAGE, cluster: bool = False, trainer_gpus: int = 0
) -> Callable:
    """The pipeline function, its components running in `image`.

    Args:
        image: the container image of every component (the tfface image on a cluster).
        cluster: compile for a cluster (no evaluator cache; GPUs for the trainer).
        trainer_gpus: NVIDIA GPUs requested for the trainer on a cluster.
    """
    components = make_components(image)

    @dsl.pipeline(
        name=PIPELINE_NAME,
        description="tfface: data (Beam) -> statistics, schema, validation -> training -> "
        "evaluation with blessing -> push to TF Serving",
    )
    def tfface_pipeline(
        system: str,
        source: str,
        job_arguments: list,
        overrides: list,
        thresholds: list,
        preset: str = "tiny",
        strategy: str = "default",
        warm_start_from: str = "",
        metrics: str = "ssim,psnr,l1",
        regression_tolerance: float = 0.0,
        serving_base: str = "",
        model_name: str = "",
        config_base_path: str = "",
        kept_schema: str = "",
        kept_schema_digest: str = "",
        max_reject_rate: float = 0.05,
        continue_on_anomalies: bool = False,
        max_examples: int = 0,
        feature_weights: str = "imagenet",
        input_fingerprint: str = "",
        baseline_fingerprint: str = "",
        tfface_version: str = __version__,
    ) -> Artifact:
        examples = components.example_gen(
            source=source,
            job_arguments=job_arguments,
            input_fingerprint=input_fingerprint,
            tfface_version=tfface_version,
        ).set_display_name("example_gen")
        statistics = components.statistics_gen(
            examples=examples.outputs["examples"], tfface_version=tfface_version
        ).set_display_name("statistics_gen")
        schema = components.schema_gen(
            statistics=statistics.outputs["statistics"],
            kept_schema=kept_schema,
            kept_schema_digest=kept_schema_digest,
            max_reject_rate=max_reject_rate,
            tfface_version=tfface_version,
        ).set_display_name("schema_gen")
        validator = components.example_validator(
            statistics=statistics.outputs["statistics"],
            schema=schema.outputs["schema"],
            continue_on_anomalies=continue_on_anomalies,
            tfface_version=tfface_version,
        ).set_display_name("example_validator")
        trainer = components.trainer(
            examples=examples.outputs["examples"],
            anomalies=validator.outputs["anomalies"],
            system=system,
            preset=preset,
            overrides=overrides,
            strategy=strategy,
            warm_start_from=warm_start_from,
            tfface_version=tfface_version,
        ).set_display_name("trainer")
        evaluator = components.evaluator(
            examples=examples.outputs["examples"],
            model=trainer.outputs["model"],
            metrics=metrics,
            thresholds=thresholds,
            regression_tolerance=regression_tolerance,
            serving_base=serving_base,
            model_name=model_name,
            baseline_fingerprint=baseline_fingerprint,
            max_examples=max_examples,
            feature_weights=feature_weights,
            tfface_version=tfface_version,
        ).set_display_name("evaluator")
        pusher = (
            components.pusher(
                model=trainer.outputs["model"],
                blessing=evaluator.outputs["blessing"],
                evaluation=evaluator.outputs["evaluation"],
                examples=examples.outputs["examples"],
                serving_base=serving_base,
                model_name=model_name,
                config_base_path=config_base_path,
                tfface_version=tfface_version,
            )
            .set_caching_options(False)
            .set_display_name("pusher")
        )
        if cluster:
            evaluator.set_caching_options(False)
            if trainer_gpus:
                trainer.set_accelerator_type("nvidia.com/gpu").set_accelerator_limit(trainer_gpus)
        return pusher.outputs["pushed"]

    return tfface_pipeline


def pipeline_parameters(arguments: Any, **run_specific: Any) -> dict[str, Any]:
    """The parameters of one run: the arguments' plus fingerprints and the kept schema."""
    return {**arguments.parameters(), **run_specific}
