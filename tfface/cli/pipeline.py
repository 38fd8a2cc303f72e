"""`tfface pipeline run|compile|show`: the TFX-shaped pipeline on Kubeflow Pipelines.

    tfface pipeline run --system mask_guided --source synthfaces --out ROOT \\
        --identities 200 --size 64 [--set train.steps=500] [--threshold ssim>=0.3] [--no-cache]
    tfface pipeline compile --system mask_guided --source celebamask_hq --serving-base /models \\
        --output pipeline.yaml -- --input gs://bucket/CelebAMask-HQ --runner DataflowRunner ...
    tfface pipeline show ROOT [--run RUN_ID]

Options the pipeline does not know go to the source's Beam job (its own options and Beam's);
job options that share a name with a pipeline option (synthfaces' --preset, --set, --config)
go after `--`. Nothing here imports TensorFlow or kfp until a command runs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pipelines.kubeflow.example_gen import known_sources
from tfface.config.overrides import add_override_argument
from tfface.systems.catalog import SYSTEMS
from tfface.training.strategy_names import STRATEGIES

SUMMARY = "run the end-to-end pipeline (data -> validation -> train -> evaluate -> push) on KFP"
JOB_OPTIONS_HELP = (
    "Options not listed here go to the source's Beam job (`tfface data build SOURCE --help`), "
    "Beam's included (--runner DataflowRunner ...); job options named like a pipeline option "
    "(synthfaces' --preset, --set, --config) go after `--`."
)


class JobOptionsParser(argparse.ArgumentParser):
    """A parser that hands every argument it does not know, and all after `--`, to the job
    (`namespace.job_arguments`) instead of failing on them."""

    def parse_known_args(self, args: Sequence[str] | None = None, namespace=None):
        args = list(sys.argv[1:] if args is None else args)
        tail: list[str] = []
        if "--" in args:
            index = args.index("--")
            args, tail = args[:index], args[index + 1 :]
        namespace, extras = super().parse_known_args(args, namespace)
        namespace.job_arguments = [*extras, *tail]
        return namespace, []


def add_pipeline_options(parser: argparse.ArgumentParser) -> None:
    """The options `run` and `compile` share: what the pipeline builds, trains and checks."""
    parser.add_argument("--system", required=True, help=f"system: {', '.join(SYSTEMS)}")
    parser.add_argument(
        "--source",
        required=True,
        help=f"dataset source: {', '.join(known_sources())} ('import': a folder "
        "`tfface data build` wrote, --input DIR)",
    )
    parser.add_argument("--preset", default="tiny", help="training preset (default tiny)")
    add_override_argument(parser, help="override a training config key")
    parser.add_argument("--strategy", choices=STRATEGIES, default="default")
    parser.add_argument(
        "--warm-start-from",
        default="",
        metavar="MODEL_DIR",
        help="continue training from an earlier Model artifact (a run directory)",
    )
    parser.add_argument(
        "--metrics", default="ssim,psnr,l1", help="evaluation metrics (default ssim,psnr,l1)"
    )
    parser.add_argument(
        "--threshold",
        dest="thresholds",
        action="append",
        default=[],
        metavar="METRIC>=VALUE",
        help="blessing bound: METRIC>=VALUE, METRIC<=VALUE or METRIC:VALUE (its direction)",
    )
    parser.add_argument(
        "--regression-tolerance",
        type=float,
        default=0.0,
        help="relative slack against the pushed model's metrics (default 0: no regression)",
    )
    parser.add_argument("--model-name", default="", help="served model name (default: system)")
    parser.add_argument(
        "--config-base-path", default="", help="base_path prefix written to models.config"
    )
    parser.add_argument(
        "--max-reject-rate",
        type=float,
        default=0.05,
        help="anomaly when the job rejects more of its inputs (default 0.05)",
    )
    parser.add_argument(
        "--continue-on-anomalies",
        action="store_true",
        help="record the validator's anomalies and train anyway",
    )
    parser.add_argument(
        "--max-examples", type=int, default=0, help="evaluate at most N test examples (0: all)"
    )
    # Tests only: random InceptionV3 / VGG16 weights in the evaluation.
    parser.add_argument("--feature-weights", default="imagenet", help=argparse.SUPPRESS)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "pipeline",
        help=SUMMARY,
        description="The TFX stage structure as Kubeflow Pipelines components: example_gen "
        "(Beam job) -> statistics_gen, schema_gen, example_validator -> trainer -> evaluator "
        "(blessing) -> pusher (TF Serving version with lineage).",
    )
    commands = parser.add_subparsers(
        dest="pipeline_command", metavar="{run,compile,show}", parser_class=JobOptionsParser
    )
    run = commands.add_parser(
        "run",
        help="run the pipeline on this machine (kfp.local), re-using cached stages",
        description="Run every stage locally in subprocesses of this Python; artifacts, the "
        "cache, the kept schema, the serving base and run records go under --out.",
        epilog=JOB_OPTIONS_HELP,
        allow_abbrev=False,
    )
    add_pipeline_options(run)
    run.add_argument("--out", required=True, metavar="ROOT", help="pipeline root folder")
    run.add_argument(
        "--serving-base", default="", help="model base to push to (default ROOT/serving)"
    )
    run.add_argument("--no-cache", action="store_true", help="run every stage again")
    run.set_defaults(handler=run_command)
    compile_parser = commands.add_parser(
        "compile",
        help="write the pipeline as KFP IR YAML for Kubeflow / Vertex AI Pipelines",
        description="Compile the pipeline with these arguments as parameter defaults; every "
        "component runs in the tfface image (Dockerfile at the repository root).",
        epilog=JOB_OPTIONS_HELP,
        allow_abbrev=False,
    )
    add_pipeline_options(compile_parser)
    compile_parser.add_argument("--output", required=True, help="the YAML file to write")
    compile_parser.add_argument(
        "--serving-base",
        required=True,
        help="model base the pusher writes to, as the pods see it (a volume, /gcs/...)",
    )
    compile_parser.add_argument(
        "--image", default="tfface:0.1.0-cpu", help="tfface container image of the components"
    )
    compile_parser.add_argument(
        "--kept-schema", default="", help="schema file the pods keep and check against"
    )
    compile_parser.add_argument(
        "--trainer-gpus", type=int, default=0, help="NVIDIA GPUs for the trainer"
    )
    compile_parser.set_defaults(handler=compile_command)
    show = commands.add_parser("show", help="print a local run's artifact graph and lineage")
    show.add_argument("root", metavar="ROOT", help="the --out folder of `tfface pipeline run`")
    show.add_argument("--run", default="", help="run id (default: the latest)")
    show.set_defaults(handler=show_command)
    parser.set_defaults(handler=lambda args: parser.print_help() or 2)


def pipeline_arguments(args: argparse.Namespace):
    """The checked PipelineArguments of `run` / `compile`."""
    from pipelines.kubeflow.pipeline_arguments import PipelineArguments

    return PipelineArguments(
        system=args.system,
        source=args.source,
        job_arguments=tuple(args.job_arguments),
        preset=args.preset,
        overrides=tuple(args.overrides),
        strategy=args.strategy,
        warm_start_from=args.warm_start_from,
        metrics=args.metrics,
        thresholds=tuple(args.thresholds),
        regression_tolerance=args.regression_tolerance,
        serving_base=args.serving_base,
        model_name=args.model_name,
        config_base_path=args.config_base_path,
        max_reject_rate=args.max_reject_rate,
        continue_on_anomalies=args.continue_on_anomalies,
        max_examples=args.max_examples,
        feature_weights=args.feature_weights,
        trainer_gpus=getattr(args, "trainer_gpus", 0),
    ).check()


def run_command(args: argparse.Namespace) -> int:
    from pipelines.kubeflow.local_run import run_locally

    arguments = pipeline_arguments(args)
    print(
        f"tfface pipeline run: {arguments.system} on {arguments.source} -> {args.out}"
        + (" (no cache)" if args.no_cache else ""),
        file=sys.stderr,
    )
    report = run_locally(
        arguments, args.out, use_cache=not args.no_cache, verbose=args.library_output
    )
    print(f"run {report.run_id}")
    for stage in report.stages:
        print(f"  {stage.stage:<18} {stage.status}")
        for name, artifact in stage.outputs.items():
            print(f"    {name}: {artifact['uri']}")
    print(f"{report.status}: {report.message}")
    print(f"lineage: tfface pipeline show {args.out} --run {report.run_id}; log: {report.log}")
    return report.exit_code


def compile_command(args: argparse.Namespace) -> int:
    from pipelines.kubeflow.compile import compile_pipeline

    arguments = pipeline_arguments(args)
    path = compile_pipeline(arguments, args.output, args.image, args.kept_schema)
    print(f"{path}: KFP pipeline {arguments.system} on {arguments.source}, image {args.image}")
    return 0


def show_command(args: argparse.Namespace) -> int:
    from pipelines.kubeflow.show import describe_run, load_run

    print(describe_run(load_run(args.root, args.run)))
    return 0
