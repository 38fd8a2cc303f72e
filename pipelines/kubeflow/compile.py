"""`tfface pipeline compile`: the pipeline as KFP IR YAML for Kubeflow / Vertex AI Pipelines.

The YAML embeds every component's code and runs it in the tfface container image (the
`Dockerfile` at the repository root); the arguments given at compile time become the
pipeline parameters' defaults, which a submission may override. The serving base and the
kept schema must be paths the cluster's pods can write (a mounted volume, or /gcs/... on
Vertex AI).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pipelines.kubeflow.pipeline_arguments import PipelineArguments

DEFAULT_IMAGE = "tfface:0.1.0-cpu"


def compile_pipeline(
    arguments: PipelineArguments,
    output: str | os.PathLike,
    image: str = DEFAULT_IMAGE,
    kept_schema: str = "",
) -> Path:
    """Writes the IR YAML to `output`; returns its path.

    Raises:
        ValueError: bad arguments, an empty image name, or an output that is not .yaml/.yml.
    """
    from kfp import compiler

    from pipelines.kubeflow.pipeline import build_pipeline

    arguments.check()
    if not image:
        raise ValueError("--image must name the tfface container image")
    output = Path(output)
    if output.suffix not in (".yaml", ".yml"):
        raise ValueError(f"--output {output}: the pipeline is written as YAML (.yaml or .yml)")
    if not arguments.serving_base:
        raise ValueError(
            "--serving-base is required to compile: a folder the cluster's pods can write "
            "(a mounted volume, or /gcs/BUCKET/... on Vertex AI)"
        )
    output.parent.mkdir(parents=True, exist_ok=True)
    pipeline = build_pipeline(image, cluster=True, trainer_gpus=arguments.trainer_gpus)
    parameters: dict[str, Any] = {**arguments.parameters(), "kept_schema": kept_schema}
    compiler.Compiler().compile(pipeline, str(output), pipeline_parameters=parameters)
    return output
