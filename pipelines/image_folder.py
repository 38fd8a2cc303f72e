"""Beam job `image_folder`: every image under a folder (one domain), or two unpaired domains A / B.

    tfface data build image_folder --input DIR --output OUT [--domain photo] --size 256
    tfface data build image_folder --input-a PHOTOS --input-b PAINTINGS \\
        --domain-a photo --domain-b painting --output OUT --size 256

Every image (recursively; .png .jpg .jpeg .bmp .webp .tif .tiff .ppm .pgm) becomes
one example with `image` (RGB, brought to --size x --size by --fit) and
`domain`. Keys are 'image_folder/<domain>/<relative path>'. Splits are hashed per file, or
per folder with --group-depth. Rejects: 'corrupt_image', 'too_small' (shorter
side below --min-size).

Identity-labelled folders (`ROOT/<identity>/*.jpg`: CASIA-WebFace, VGGFace2, LFW), for
face_recognition:

    tfface data build image_folder --input ROOT --identity-from-folders --output OUT --size 112

labels each image with `identity` = the index of its first folder among the sorted folder
names (0..K-1); dataset_info.json lists the names under 'identities'.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pipelines.common.folders import add_folder_arguments, check_folder_arguments, group_key
from pipelines.common.image_io import fit_square, list_files, read_image, relative_path
from pipelines.common.job import job_parser, parse_job_arguments, run_as_script, run_job
from pipelines.common.processing import SourceDoFn
from pipelines.common.records import RejectError

SOURCE = "image_folder"


@dataclass(frozen=True)
class FolderImage:
    """One image file: its domain, path and path relative to the domain's folder."""

    domain: str
    path: str
    relative: str
    identity: int = -1


class ImageFolderDoFn(SourceDoFn):
    """Reads, checks and resizes one image."""

    def __init__(self, size: int, fit: str, min_size: int, depth: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.size = size
        self.fit = fit
        self.min_size = min_size
        self.depth = depth

    def key(self, item: FolderImage) -> str:
        return f"{SOURCE}/{item.domain}/{item.relative}"

    def convert(self, item: FolderImage) -> Iterator[tuple[dict[str, Any], str]]:
        image = read_image(item.path)
        if min(image.shape[:2]) < self.min_size:
            raise RejectError("too_small")
        record = {
            "key": self.key(item),
            "image": fit_square(image, self.size, self.fit),
            "domain": item.domain,
        }
        if item.identity >= 0:
            record["identity"] = item.identity
        yield record, f"{item.domain}/{group_key(item.relative, self.depth)}"


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = job_parser(
        SOURCE, "Image folder(s) -> TFRecords: one domain, or unpaired domains A and B."
    )
    parser.add_argument("--input", help="one folder of images (one domain)")
    parser.add_argument("--domain", default="photo", help="domain name of --input (default photo)")
    parser.add_argument("--input-a", help="folder of domain A (unpaired A/B)")
    parser.add_argument("--input-b", help="folder of domain B (unpaired A/B)")
    parser.add_argument(
        "--domain-a", default="photo", help="domain name of --input-a (default photo)"
    )
    parser.add_argument(
        "--domain-b", default="painting", help="domain name of --input-b (default painting)"
    )
    parser.add_argument(
        "--min-size", type=int, default=0, help="reject images whose shorter side is smaller"
    )
    parser.add_argument(
        "--identity-from-folders",
        action="store_true",
        help="label each image of --input with the index of its first folder (sorted names, "
        "ROOT/<identity>/*.jpg) as 'identity' (face_recognition)",
    )
    add_folder_arguments(parser)
    arguments, options = parse_job_arguments(parser, argv)
    check_folder_arguments(parser, arguments)
    if arguments.input and (arguments.input_a or arguments.input_b):
        parser.error("give --input (one domain) or --input-a and --input-b, not both")
    if arguments.input:
        folders = {arguments.domain: arguments.input}
    elif arguments.input_a and arguments.input_b:
        if arguments.domain_a == arguments.domain_b:
            parser.error("--domain-a and --domain-b must differ")
        folders = {arguments.domain_a: arguments.input_a, arguments.domain_b: arguments.input_b}
    else:
        parser.error("give --input DIR, or both --input-a DIR and --input-b DIR")
    if arguments.identity_from_folders and not arguments.input:
        parser.error("--identity-from-folders labels the folders of --input")
    items = []
    for domain, folder in folders.items():
        paths = list_files(folder)
        if not paths:
            parser.error(f"no images under {folder}")
        items += [FolderImage(domain, path, relative_path(path, folder)) for path in paths]
    extra_info: dict[str, Any] = {"domain_folders": folders}
    if arguments.identity_from_folders:
        items, extra_info["identities"] = identity_labelled(items, parser)
    dofn = ImageFolderDoFn(
        arguments.size,
        arguments.fit,
        arguments.min_size,
        arguments.group_depth,
        fractions=arguments.fractions,
        salt=arguments.split_salt,
        image_format=arguments.image_format,
        jpeg_quality=arguments.jpeg_quality,
    )
    return run_job(SOURCE, items, dofn, arguments, options, extra_info)


def identity_labelled(items: list[FolderImage], parser) -> tuple[list[FolderImage], list[str]]:
    """The items with `identity` = index of their first folder among the sorted names."""
    loose = [item.relative for item in items if "/" not in item.relative]
    if loose:
        parser.error(
            f"--identity-from-folders needs ROOT/<identity>/<image>; {len(loose)} images lie "
            f"directly in ROOT, e.g. {loose[0]}"
        )
    names = sorted({item.relative.split("/")[0] for item in items})
    index = {name: position for position, name in enumerate(names)}
    labelled = [
        FolderImage(item.domain, item.path, item.relative, index[item.relative.split("/")[0]])
        for item in items
    ]
    return labelled, names


if __name__ == "__main__":
    run_as_script("pipelines.image_folder")
