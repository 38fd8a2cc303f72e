"""`tfface data build SOURCE ...` (Beam jobs) and `tfface data validate DIR`.

`tfface data build SOURCE [options]` hands every option to the job `pipelines/<SOURCE>.py`:
the job's own options, and every option the job does not know is a Beam pipeline option.
`tfface data build --help` lists the sources; `tfface data build SOURCE --help` prints the
job's options.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys

from pipelines.sources import SOURCES
from tfface.cli.quiet import filtered_child_stderr

# Source name -> module under pipelines/ (each has main(argv)).
BUILD_EPILOG = (
    "`tfface data build SOURCE --help` lists the job's options. Every option a job does not "
    "know is a Beam pipeline option (--runner, --direct_num_workers, --project, ...)."
)


class _SourceHelp(argparse.Action):
    """`-h/--help` of `tfface data build`: the build help without a SOURCE, else the job's help
    (the job's parser prints it and exits)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs) -> None:
        super().__init__(option_strings, dest, nargs=0, default=False, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        source = getattr(namespace, "source", None)
        if source is None:
            parser.print_help()
            parser.exit()
        setattr(namespace, self.dest, True)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "data", help="build TFRecord datasets with Apache Beam and validate them"
    )
    commands = parser.add_subparsers(dest="data_command", metavar="{build,validate}")
    build = commands.add_parser(
        "build",
        help="run a Beam job: tfface data build SOURCE --output DIR [job options] [Beam options]",
        description="Run the Beam job of a dataset layout; writes sharded TFRecords, "
        "dataset_info.json and rejects.jsonl.",
        usage="tfface data build [-h] SOURCE [job options] [Beam options]",
        epilog=BUILD_EPILOG,
        add_help=False,
    )
    build.add_argument("-h", "--help", action=_SourceHelp, dest="job_help", help="show this help")
    build.add_argument(
        "source",
        nargs="?",
        metavar="SOURCE",
        help=f"dataset layout or generator: {', '.join(sorted(SOURCES))}",
    )
    build.set_defaults(handler=run_build)
    validate = commands.add_parser(
        "validate", help="check a built dataset against the schema and its counts"
    )
    validate.add_argument("directory", help="dataset folder")
    validate.add_argument(
        "--max-records", type=int, default=None, help="decode at most this many records per split"
    )
    validate.set_defaults(handler=run_validate)
    parser.set_defaults(handler=lambda args, extra: parser.print_help() or 2)
    build.set_defaults(build_parser=build)


def run_build(args: argparse.Namespace, extra: list[str]) -> int:
    """Runs the job of `args.source` with the remaining arguments (or prints its help)."""
    if args.source is None:
        args.build_parser.error(f"choose a SOURCE: {', '.join(sorted(SOURCES))}")
    if args.source not in SOURCES:
        args.build_parser.error(
            f"unknown SOURCE {args.source!r}; sources: {', '.join(sorted(SOURCES))}"
        )
    module = importlib.import_module(SOURCES[args.source])
    if args.job_help:
        module.main(["--help"])  # the job's parser prints its help and exits
    # Beam's worker processes (multi_processing, DirectRunner) start TensorFlow and log their
    # harness's chatter on the same stderr: filter it unless --verbose.
    quiet_workers = not getattr(args, "library_output", False)
    with filtered_child_stderr() if quiet_workers else contextlib.nullcontext():
        info = module.main(extra)
    return 0 if info is not None else 1


def run_validate(args: argparse.Namespace, extra: list[str]) -> int:
    """Validates a built dataset folder; prints OK or its problems."""
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
