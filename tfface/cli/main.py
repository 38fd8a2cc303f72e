"""The `tfface` command: one entry point, one subcommand per stage of the production path.

Subcommand modules are imported only when their command runs (or asks for its help), so
`tfface --help`, `tfface --version` and `tfface COMMAND --help` never import TensorFlow: the
top-level help reads the one-line summaries from `SUBCOMMANDS`, a plain table (a test checks
that it says what each module's own parser says).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tfface import __version__
from tfface.cli.quiet import library_output


@dataclass(frozen=True)
class Subcommand:
    """Where a subcommand lives and what the top-level help says about it.

    Attributes:
        module: the module with `add_parser(subparsers)`; its handlers import what they need.
        summary: the one-line help, the same as the module registers.
    """

    module: str
    summary: str


SUBCOMMANDS: dict[str, Subcommand] = {
    "synth": Subcommand("tfface.cli.synth", "render a SynthFaces dataset (PNGs + JSON side files)"),
    "data": Subcommand(
        "tfface.cli.data", "build TFRecord datasets with Apache Beam and validate them"
    ),
    "train": Subcommand("tfface.cli.train", "train a system under a tf.distribute strategy"),
    "evaluate": Subcommand(
        "tfface.cli.evaluate",
        "compute FID/KID/IS, SSIM/PSNR, identity and parsing metrics of an export",
    ),
    "export": Subcommand("tfface.cli.export", "export a trained system as a TF Serving SavedModel"),
    "serve": Subcommand(
        "tfface.cli.serve", "serve exports over gRPC and REST (TF Serving protocol)"
    ),
    "predict": Subcommand("tfface.cli.predict", "call a served model with images"),
    "sweep": Subcommand(
        "tfface.cli.sweep",
        "train several configurations of a system and tabulate FID / diversity",
    ),
    "edit": Subcommand(
        "tfface.cli.edit", "edit portraits with a trained mask-guided model (PNG in, PNG out)"
    ),
    "demo": Subcommand("tfface.cli.demo", "run the demo on SynthFaces (writes ./tfface-demo/)"),
    "pipeline": Subcommand(
        "tfface.cli.pipeline",
        "run the end-to-end pipeline (data -> validation -> train -> evaluate -> push) on KFP",
    ),
}


def build_parser(commands: Iterable[str] | None = None) -> argparse.ArgumentParser:
    """The `tfface` parser.

    Args:
        commands: subcommands whose modules are imported to register their full parsers
            (None: all of them); the others are listed with their summary only.
    """
    loaded = set(SUBCOMMANDS) if commands is None else set(commands)
    parser = argparse.ArgumentParser(
        prog="tfface",
        description="GAN-based face synthesis and editing: data pipelines, training, evaluation "
        "and serving. `tfface COMMAND --help` describes each command.",
    )
    parser.add_argument("--version", action="version", version=f"tfface {__version__}")
    parser.add_argument(
        "--verbose",
        action="store_true",
        # Not `verbose`: a subcommand's own --verbose (serve: log every request) would
        # overwrite it with its default.
        dest="library_output",
        help="show TensorFlow's start-up and CUDA probe messages and library warnings "
        "(hidden by default)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, subcommand in SUBCOMMANDS.items():
        if name in loaded:
            importlib.import_module(subcommand.module).add_parser(subparsers)
        else:
            subparsers.add_parser(name, help=subcommand.summary, add_help=False)
    return parser


def requested_command(argv: Sequence[str]) -> str | None:
    """The subcommand named in argv: the first argument that is not an option (the global
    options take no value)."""
    for argument in argv:
        if not argument.startswith("-"):
            return argument if argument in SUBCOMMANDS else None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command = requested_command(argv)
    parser = build_parser([command] if command else [])
    args, unknown = parser.parse_known_args(argv)
    # `tfface data build SOURCE ...` hands unknown arguments to the Beam job (job and Beam options).
    if unknown and args.command != "data":
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    if args.command is None:
        parser.print_help()
        return 0
    with library_output(verbose=args.library_output):
        try:
            if args.command == "data":
                return int(args.handler(args, unknown))
            return int(args.handler(args) or 0)
        except (ValueError, TypeError, FileNotFoundError, NotADirectoryError) as error:
            print(f"tfface {args.command}: error: {error}", file=sys.stderr)
            return 2


if __name__ == "__main__":
    sys.exit(main())
