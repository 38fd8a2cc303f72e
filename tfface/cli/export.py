"""`tfface export RUN_DIR --base DIR --name NAME [--version N]`: a TF Serving model version."""

from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="export a trained system as a TF Serving SavedModel",
        description="Restore RUN_DIR's latest checkpoint (EMA weights if the run has them) and "
        "write <base>/<name>/<version>/ (SavedModel with the system's signatures, warmup "
        "requests and model card in assets.extra/) plus <base>/models.config.",
    )
    parser.add_argument("run_dir", help="run directory written by `tfface train`")
    parser.add_argument("--base", required=True, help="model base folder (holds models.config)")
    parser.add_argument("--name", required=True, help="model name (TF Serving MODEL_NAME)")
    parser.add_argument(
        "--version",
        type=int,
        help="version number (default: next after the highest existing; never overwrites)",
    )
    parser.add_argument(
        "--config-base-path",
        help="prefix written as base_path in models.config (e.g. /models for the "
        "tensorflow/serving Docker image; default: the absolute --base)",
    )
    parser.add_argument(
        "--no-verify",
        action="store_true",
        help="skip loading the export and running its warmup requests before publishing it",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from tfface.export.writer import export_run

    result = export_run(
        args.run_dir,
        args.base,
        args.name,
        args.version,
        config_base_path=args.config_base_path,
        verify=not args.no_verify,
    )
    print(
        f"{result.version_dir}: version {result.version}, signatures "
        f"{', '.join(result.signatures)}; model config {result.model_config}"
    )
    return 0
