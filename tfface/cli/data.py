"""`tfface data build SOURCE ...` (Beam jobs) and `tfface data validate DIR`."""

from __future__ import annotations

import argparse
import importlib
import sys

# Source name -> module under pipelines/ (each has main(argv)).
SOURCES = {
    "synthfaces": "pipelines.synthfaces",
    "celebamask_hq": "pipelines.celebamask_hq",
    "image_folder": "pipelines.image_folder",
    "paired_folders": "pipelines.paired_folders",
    "multipie": "pipelines.multipie",
    "wild_faces": "pipelines.wild_faces",
    "masks": "pipelines.masks",
    "occlusion": "pipelines.occlusion",
}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "data", help="build TFRecord datasets with Apache Beam and validate them"
    )
    commands = parser.add_subparsers(dest="data_command", metavar="{build,validate}")
    build = commands.add_parser(
        "build",
        help="run a Beam job: tfface data build SOURCE --output DIR [job options] [Beam options]",
        add_help=False,
    )
    build.add_argument("source", choices=sorted(SOURCES), help="dataset layout / generator")
    build.set_defaults(handler=run_build)
    validate = commands.add_parser(
        "validate", help="check a built dataset against the schema and its counts"
    )
    validate.add_argument("directory", help="dataset folder")
    validate.add_argument(
        "--max-records", type=int, default=None, help="decode at most this many records per split"
    )
    validate.set_defaults(handler=run_validate)
    parser.set_defaults(handler=lambda args: parser.print_help() or 2)


def run_build(args: argparse.Namespace, extra: list[str]) -> int:
    module = importlib.import_module(SOURCES[args.source])
    info = module.main(extra)
    return 0 if info is not None else 1


def run_validate(args: argparse.Namespace, extra: list[str]) -> int:
    from tfface.data.validate import validate_dataset

    if extra:
        print(f"tfface data validate: unrecognized arguments: {' '.join(extra)}", file=sys.stderr)
        return 2
    report = validate_dataset(args.directory, args.max_records)
    counts = ", ".join(f"{split} {count}" for split, count in report.counts.items())
    if report.ok:
        print(f"{args.directory}: OK ({counts}; {report.checked} records decoded)")
        return 0
    print(f"{args.directory}: {len(report.problems)} problem(s) ({counts})", file=sys.stderr)
    for problem in report.problems[:50]:
        print("  -", problem, file=sys.stderr)
    return 1
