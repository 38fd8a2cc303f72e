"""Beam job `masks`: inpainting hole masks, from a folder of mask images and/or generated free-form strokes.

    tfface data build masks --input QD-IMD/train --output OUT --size 256 [--invert]
    tfface data build masks --generate 50000 --output OUT --size 256 [--seed 0] [--max-hole-ratio 0.5]

Folder masks (e.g. the Quick Draw Irregular Mask Dataset, QD-IMD): every
image is read as grayscale, binarised (> 127 = hole, or the opposite with
--invert), resized nearest to --size (--fit, default stretch) and written as
`hole_mask` (255 = hole). Generated masks: free-form brush strokes
(`tfface.data.free_form_masks`), mask i seeded with (--seed, i), so a re-run
gives the same bytes. Both can be combined in one run. `metadata_names` =
['hole_ratio'] holds the fraction of hole pixels. Rejects: 'corrupt_image',
'empty_mask' (no hole), 'full_mask' (all hole).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict
from typing import Any

from pipelines.common.folders import add_folder_arguments, check_folder_arguments
from pipelines.common.image_io import fit_square, list_files, read_image, relative_path
from pipelines.common.job import job_parser, parse_job_arguments, run_as_script, run_job
from pipelines.common.processing import SourceDoFn
from pipelines.common.records import RejectError
from tfface.data.free_form_masks import FreeFormMaskConfig, free_form_mask, hole_ratio

SOURCE = "masks"


class MasksDoFn(SourceDoFn):
    """Item: (relative path, path) of a mask file, or the int index of a generated mask."""

    def __init__(
        self,
        size: int,
        fit: str,
        invert: bool,
        seed: int,
        config: FreeFormMaskConfig,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.size = size
        self.fit = fit
        self.invert = invert
        self.seed = seed
        self.config = config

    def key(self, item: int | tuple[str, str]) -> str:
        if isinstance(item, int):
            return f"{SOURCE}/generated/seed{self.seed}/{item:07d}"
        return f"{SOURCE}/folder/{item[0]}"

    def convert(self, item: int | tuple[str, str]) -> Iterator[tuple[dict[str, Any], str]]:
        if isinstance(item, int):
            mask = free_form_mask(self.size, (self.seed, item), self.config)
        else:
            mask = read_image(item[1], mode="L") > 127
            if self.invert:
                mask = ~mask
            mask = fit_square(mask, self.size, self.fit, is_mask=True)
        if not mask.any():
            raise RejectError("empty_mask")
        if mask.all():
            raise RejectError("full_mask")
        record = {
            "key": self.key(item),
            "hole_mask": mask,
            "metadata_names": ["hole_ratio"],
            "metadata_values": [hole_ratio(mask)],
        }
        yield record, record["key"]


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = job_parser(
        SOURCE, "Inpainting hole masks (mask folder and/or free-form strokes) -> TFRecords."
    )
    parser.add_argument("--input", help="folder of mask images (e.g. QD-IMD)")
    parser.add_argument(
        "--invert", action="store_true", help="folder masks: dark pixels are the holes"
    )
    parser.add_argument(
        "--generate", type=int, default=0, help="number of free-form masks to generate"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated masks")
    defaults = FreeFormMaskConfig()
    parser.add_argument(
        "--max-hole-ratio",
        type=float,
        default=defaults.max_hole_ratio,
        help="generated masks: largest hole fraction",
    )
    parser.add_argument(
        "--max-strokes",
        type=int,
        default=defaults.max_strokes,
        help="generated masks: most strokes per mask",
    )
    parser.add_argument(
        "--min-width",
        type=float,
        default=defaults.min_width,
        help="generated: brush width, fraction of the side",
    )
    parser.add_argument(
        "--max-width",
        type=float,
        default=defaults.max_width,
        help="generated: brush width, fraction of the side",
    )
    parser.add_argument(
        "--min-box",
        type=float,
        default=defaults.min_box,
        help="generated: bounding box side, fraction",
    )
    parser.add_argument(
        "--max-box",
        type=float,
        default=defaults.max_box,
        help="generated: bounding box side, fraction",
    )
    add_folder_arguments(parser, default_fit="stretch", group_depth=False)
    arguments, options = parse_job_arguments(parser, argv)
    check_folder_arguments(parser, arguments)
    if not arguments.input and arguments.generate <= 0:
        parser.error("give --input DIR and/or --generate N")
    try:
        config = FreeFormMaskConfig(
            max_strokes=arguments.max_strokes,
            min_width=arguments.min_width,
            max_width=arguments.max_width,
            min_box=arguments.min_box,
            max_box=arguments.max_box,
            max_hole_ratio=arguments.max_hole_ratio,
        )
    except ValueError as error:
        parser.error(str(error))
    items: list[Any] = list(range(arguments.generate))
    if arguments.input:
        paths = list_files(arguments.input)
        if not paths:
            parser.error(f"no mask images under {arguments.input}")
        items += [(relative_path(path, arguments.input), path) for path in paths]
    dofn = MasksDoFn(
        arguments.size,
        arguments.fit,
        arguments.invert,
        arguments.seed,
        config,
        fractions=arguments.fractions,
        salt=arguments.split_salt,
        image_format=arguments.image_format,
        jpeg_quality=arguments.jpeg_quality,
    )
    return run_job(SOURCE, items, dofn, arguments, options, {"free_form_config": asdict(config)})


if __name__ == "__main__":
    run_as_script("pipelines.masks")
