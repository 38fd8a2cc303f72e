"""`tfface synth`: render a SynthFaces dataset as PNGs + JSON side files."""

from __future__ import annotations

import argparse
import sys

from tfface.synth.arguments import add_synth_arguments, synth_config_from_arguments


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "synth",
        help="render a SynthFaces dataset (PNGs + JSON side files)",
        description="Render SynthFaces identities in the given poses, domains, occluders and expressions "
        "into a human-browsable folder (see tfface/synth/writer.py for the layout).",
    )
    parser.add_argument("--out", required=True, help="output folder")
    add_synth_arguments(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from tfface.cli.progress import Progress
    from tfface.synth.writer import count_images, write_dataset

    config = synth_config_from_arguments(args)
    total = count_images(config)
    print(
        f"rendering {total} images of {config.identities} identities at {config.image_size} px into {args.out}",
        file=sys.stderr,
    )
    progress = Progress(total, "images")
    summary = write_dataset(config, args.out, progress=progress.update)
    print(
        f"wrote {summary['images']} images of {summary['identities']} identities to {args.out} "
        f"(index: {args.out}/dataset.json)"
    )
    return 0
