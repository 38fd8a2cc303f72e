"""Options and keys shared by the jobs that read plain image folders."""

from __future__ import annotations

import argparse

from pipelines.common.image_io import FITS


def add_folder_arguments(
    parser: argparse.ArgumentParser, default_fit: str = "crop", group_depth: bool = True
) -> None:
    """--size, --fit and (unless the job groups by identity itself) --group-depth."""
    parser.add_argument("--size", type=int, default=256, help="output side in pixels (default 256)")
    parser.add_argument(
        "--fit",
        choices=FITS,
        default=default_fit,
        help="non-square inputs: centred square crop, zero padding to a square, or stretch (default %(default)s)",
    )
    if not group_depth:
        return
    parser.add_argument(
        "--group-depth",
        type=int,
        default=0,
        help="split by the first N folders of the relative path (e.g. 1 = per subject folder); 0 = per file",
    )


def check_folder_arguments(parser: argparse.ArgumentParser, arguments: argparse.Namespace) -> None:
    if arguments.size < 1:
        parser.error(f"--size must be positive, got {arguments.size}")
    if getattr(arguments, "group_depth", 0) < 0:
        parser.error(f"--group-depth must be >= 0, got {arguments.group_depth}")


def group_key(relative: str, depth: int) -> str:
    """The split group of a relative path: the path itself (depth 0) or its first `depth` folders."""
    folders = relative.split("/")[:-1]
    if depth == 0 or not folders:
        return relative
    return "/".join(folders[:depth]) + "/"
