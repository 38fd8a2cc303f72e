"""Beam job `celebamask_hq`: CelebAMask-HQ images + part masks -> image, label_map_19, label_map_11.

Official on-disk layout (Lee et al., "MaskGAN", CVPR 2020):

    ROOT/CelebA-HQ-img/<idx>.jpg                                   1024 x 1024
    ROOT/CelebAMask-HQ-mask-anno/<idx // 2000>/<idx:05d>_<part>.png  512 x 512 binary
    ROOT/CelebA-HQ-to-CelebA-mapping.txt                           idx orig_idx orig_file
    list_eval_partition.txt (from CelebA)                          000001.jpg 0|1|2

The part masks of an image are fused into one CELEBAMASK_HQ_19 label map in the
official fusion order (`tfface.data.labels.fuse_part_masks`: later parts
overwrite earlier ones, e.g. hair over skin, l_eye over skin) at the mask
resolution, then image (LANCZOS) and label map (nearest) are resized to --size.
Skin is required; every other part is optional (absent parts are absent in the
real data too).

Splits: hash split of the image index by default; with --mapping and
--partition the official CelebA partition (0 train, 1 validation, 2 test).

Rejects: 'corrupt_image' (unreadable / truncated image), 'missing_part:skin',
'corrupt_mask:<part>', 'wrong_size:<part>' (a mask neither the image size nor
512 x 512), 'unknown_part:<name>', 'missing_image' (masks without an image),
'missing_partition' (with --partition: index absent from mapping / partition).

    tfface data build celebamask_hq --input ROOT --output DIR --size 256 \\
        [--mapping ROOT/CelebA-HQ-to-CelebA-mapping.txt --partition list_eval_partition.txt]
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pipelines.common.image_io import (
    list_files,
    normalize_root,
    read_bytes,
    read_image,
    relative_path,
    resize_image,
    resize_mask,
)
from pipelines.common.job import job_parser, parse_job_arguments, run_as_script, run_job
from pipelines.common.processing import SourceDoFn
from pipelines.common.records import RejectError
from tfface.data.labels import FUSION_ORDER_19, fuse_part_masks, map_19_to_11

SOURCE = "celebamask_hq"
IMAGE_FOLDER = "CelebA-HQ-img"
MASK_FOLDER = "CelebAMask-HQ-mask-anno"
MASK_SIZE = 512
PARTITION_SPLITS = {"0": "train", "1": "validation", "2": "test"}
_MASK_NAME = re.compile(r"^(\d+)_([a-z_]+)\.png$")


@dataclass(frozen=True)
class CelebAMaskItem:
    """One image index: its image path (or None), its part mask paths and a forced split."""

    index: int
    image: str | None
    masks: dict[str, str] = field(default_factory=dict)
    unknown_parts: tuple[str, ...] = ()
    split: str | None = None
    reject: str | None = None


def parse_mapping(text: str) -> dict[int, str]:
    """CelebA-HQ-to-CelebA-mapping.txt -> {CelebA-HQ idx: CelebA file name}."""
    mapping = {}
    for line in text.splitlines():
        columns = line.split()
        if len(columns) >= 3 and columns[0].isdigit():
            mapping[int(columns[0])] = columns[2]
    return mapping


def parse_partition(text: str) -> dict[str, str]:
    """list_eval_partition.txt -> {CelebA file name: split}."""
    partition = {}
    for line in text.splitlines():
        columns = line.split()
        if len(columns) == 2 and columns[1] in PARTITION_SPLITS:
            partition[columns[0]] = PARTITION_SPLITS[columns[1]]
    return partition


def list_items(
    root: str, mapping: dict[int, str] | None = None, partition: dict[str, str] | None = None
) -> tuple[list[CelebAMaskItem], list[str]]:
    """Lists images and masks on the driver; returns (items, ignored file paths)."""
    root = normalize_root(root)
    images: dict[int, str] = {}
    ignored: list[str] = []
    for path in list_files(f"{root}/{IMAGE_FOLDER}"):
        stem = posixpath.splitext(posixpath.basename(path))[0]
        if stem.isdigit():
            images[int(stem)] = path
        else:
            ignored.append(relative_path(path, root))
    masks: dict[int, dict[str, str]] = {}
    unknown: dict[int, list[str]] = {}
    for path in list_files(f"{root}/{MASK_FOLDER}", (".png",)):
        match = _MASK_NAME.match(posixpath.basename(path))
        if match is None:
            ignored.append(relative_path(path, root))
            continue
        index, part = int(match.group(1)), match.group(2)
        if part in FUSION_ORDER_19:
            masks.setdefault(index, {})[part] = path
        else:
            unknown.setdefault(index, []).append(part)
    items = []
    for index in sorted(set(images) | set(masks) | set(unknown)):
        split = reject = None
        if index not in images:
            reject = "missing_image"
        elif partition is not None:
            split = partition.get((mapping or {}).get(index, ""))
            if split is None:
                reject = "missing_partition"
        items.append(
            CelebAMaskItem(
                index,
                images.get(index),
                masks.get(index, {}),
                tuple(sorted(unknown.get(index, ()))),
                split,
                reject,
            )
        )
    return items, sorted(ignored)


def _binary_mask(path: str, part: str) -> np.ndarray:
    mask = read_image(path, mode="L", reason=f"corrupt_mask:{part}")
    return mask > 127


class CelebAMaskHQDoFn(SourceDoFn):
    """Reads one image and its part masks, fuses and resizes them."""

    def __init__(self, size: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.size = size

    def key(self, item: CelebAMaskItem) -> str:
        return f"{SOURCE}/{item.index}"

    def convert(self, item: CelebAMaskItem) -> Iterator[tuple[dict[str, Any], str, str | None]]:
        if item.reject:
            raise RejectError(item.reject)
        if item.unknown_parts:
            raise RejectError(f"unknown_part:{item.unknown_parts[0]}")
        if "skin" not in item.masks:
            raise RejectError("missing_part:skin")
        image = read_image(item.image)
        image_shape = image.shape[:2]
        allowed = {image_shape, (MASK_SIZE, MASK_SIZE)}
        parts: dict[str, np.ndarray] = {}
        for part in FUSION_ORDER_19:  # skin first: its shape is the fusion shape
            if part not in item.masks:
                continue
            mask = _binary_mask(item.masks[part], part)
            if mask.shape not in allowed:
                raise RejectError(f"wrong_size:{part}")
            parts[part] = mask
        shape = parts["skin"].shape
        parts = {
            part: resize_mask(mask, shape) for part, mask in parts.items()
        }  # image-size masks -> skin's size
        label_map_19 = resize_mask(fuse_part_masks(parts, shape), self.size)
        record = {
            "key": self.key(item),
            "image": resize_image(image, self.size),
            "label_map_19": label_map_19,
            "label_map_11": map_19_to_11(label_map_19),
        }
        yield record, f"{SOURCE}/{item.index}", item.split


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = job_parser(
        SOURCE, "CelebAMask-HQ (images + part masks) -> TFRecords with 19- and 11-class label maps."
    )
    parser.add_argument(
        "--input",
        required=True,
        help="dataset root holding CelebA-HQ-img/ and CelebAMask-HQ-mask-anno/",
    )
    parser.add_argument("--size", type=int, default=256, help="output side in pixels (default 256)")
    parser.add_argument(
        "--mapping", help="CelebA-HQ-to-CelebA-mapping.txt (with --partition: official splits)"
    )
    parser.add_argument(
        "--partition", help="CelebA list_eval_partition.txt (0 train, 1 validation, 2 test)"
    )
    arguments, options = parse_job_arguments(parser, argv)
    if bool(arguments.mapping) != bool(arguments.partition):
        parser.error("--mapping and --partition go together")
    if arguments.size < 1:
        parser.error(f"--size must be positive, got {arguments.size}")
    mapping = partition = None
    if arguments.partition:
        try:
            mapping = parse_mapping(read_bytes(arguments.mapping).decode("utf-8"))
            partition = parse_partition(read_bytes(arguments.partition).decode("utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            parser.error(f"cannot read --mapping / --partition: {error}")
    items, ignored = list_items(arguments.input, mapping, partition)
    if not items:
        parser.error(f"no CelebAMask-HQ images under {arguments.input}/{IMAGE_FOLDER}")
    dofn = CelebAMaskHQDoFn(
        arguments.size,
        fractions=arguments.fractions,
        salt=arguments.split_salt,
        image_format=arguments.image_format,
        jpeg_quality=arguments.jpeg_quality,
    )
    extra = {
        "split_source": "official_partition" if partition is not None else "hash",
        "ignored_files": ignored,
    }
    return run_job(SOURCE, items, dofn, arguments, options, extra)


if __name__ == "__main__":
    run_as_script("pipelines.celebamask_hq")
