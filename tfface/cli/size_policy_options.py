"""The picture size options shared by `tfface predict` and `tfface edit`: `--align` and
`--align-zoom`, turned into one `tfface.data.image_fitting.SizePolicy`."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI's parsers import no NumPy-heavy module at build time
    from tfface.data.image_fitting import SizePolicy


def add_size_policy_arguments(parser: argparse.ArgumentParser) -> None:
    """Adds `--align` and `--align-zoom` (default: centre crop and resize)."""
    parser.add_argument(
        "--align",
        action="store_true",
        help="face-align pictures with MTCNN (as the wild_faces job) instead of centre-cropping",
    )
    parser.add_argument(
        "--align-zoom",
        type=float,
        default=1.0,
        help="with --align: face scale in the crop (1 = ArcFace crop, < 1 more context)",
    )


def size_policy(args: argparse.Namespace) -> SizePolicy:
    """The SizePolicy the parsed `--align` / `--align-zoom` ask for."""
    from tfface.data.image_fitting import SizePolicy

    return SizePolicy(align=args.align, zoom=args.align_zoom)
