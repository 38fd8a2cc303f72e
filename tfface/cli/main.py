"""The `tfface` command: one entry point, one subcommand per stage of the production path."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tfface import __version__
from tfface.cli import data, demo, edit, evaluate, export, predict, serve, synth, train

# Subcommands whose implementation has not landed yet, and what they will do.
PENDING: dict[str, str] = {}
ORDER = ("synth", "data", "train", "evaluate", "export", "serve", "predict", "edit", "demo")


def _not_available(name: str):
    def handler(args: argparse.Namespace) -> int:
        print(
            f"tfface {name}: not available yet in tfface {__version__}. "
            f"This command will {PENDING[name]}; see README.md for what is available now.",
            file=sys.stderr,
        )
        return 2

    return handler


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tfface",
        description="GAN-based face synthesis and editing: data pipelines, training, evaluation and serving.",
    )
    parser.add_argument("--version", action="version", version=f"tfface {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    builders = {
        "synth": synth.add_parser,
        "data": data.add_parser,
        "train": train.add_parser,
        "evaluate": evaluate.add_parser,
        "export": export.add_parser,
        "serve": serve.add_parser,
        "predict": predict.add_parser,
        "edit": edit.add_parser,
        "demo": demo.add_parser,
    }
    for name in ORDER:
        if name in builders:
            builders[name](subparsers)
        else:
            pending = subparsers.add_parser(name, help=f"{PENDING[name]} (not available yet)")
            pending.set_defaults(handler=_not_available(name))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the exit code."""
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    # `tfface data ...` hands unknown arguments to the Beam job (job options and Beam options).
    passes_through = args.command in PENDING or args.command == "data"
    if unknown and not passes_through:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    if args.command is None:
        parser.print_help()
        return 0
    try:
        if args.command == "data":
            return int(
                args.handler(args, unknown)
                if getattr(args, "data_command", None)
                else args.handler(args)
            )
        return int(args.handler(args) or 0)
    except (ValueError, TypeError, FileNotFoundError) as error:
        print(f"tfface {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
