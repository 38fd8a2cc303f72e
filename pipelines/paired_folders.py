"""Beam job `paired_folders`: source / target folders matched by relative path -> image + target_image.

    tfface data build paired_folders --source RENDERS --target NIR --output OUT --size 128 \\
        [--metadata poses.csv] [--clean-outliers] [--mean-normalize] [--target-mode gray]

Pairing: a source file and a target file pair when their relative paths
without extension agree ('s01/cam2/0001.png' <-> 's01/cam2/0001.jpg'). Every
file left over is rejected as 'unpaired'; two files of one folder differing
only by extension as 'ambiguous'. Records: `image` (source), `target_image`,
`domain` (--source-domain); both sides go through the same --fit to --size.

Metadata (--metadata CSV): a `path` column (relative path, with or without
extension) and numeric columns. Columns yaw, pitch, roll become `pose`
(missing ones 0; in an aligned pair source and target share the pose, so no
`target_pose`); every other numeric column goes to `metadata_names` /
`metadata_values` (gaze, camera position, ...). A column in which no value is
a number is a text column and ignored (listed in dataset_info). A pair whose
row is malformed (wrong field count, a non-number in a numeric column) is
rejected 'bad_metadata', a pair without a row 'missing_metadata'.

Data cleaning and preprocessing of the NIR thesis (Bergqvist 2020, sec. 3.1.4
and 3.1.5):

* --clean-outliers: within every subdirectory (the folder of the relative
  path, e.g. one subject and camera), separately for the source and the target
  folder, the mean brightness of each image (over all pixels and channels,
  full resolution) is compared with the quartiles Q1, Q3 of that subdirectory;
  a mean below Q1 - 1.5 IQR or above Q3 + 1.5 IQR (IQR = Q3 - Q1) marks an
  outlier, and its pair is rejected 'outlier'. Subdirectories with fewer than
  4 readable images flag nothing (no meaningful quartiles).
* --mean-normalize: each target image, after resizing, is scaled by mu0 / mu
  (mu its own mean) so every target has mean mu0 (then clipped to 0..255).
  mu0 is --target-mean if given, else the mean brightness of all target
  images that are not outliers (the thesis leaves mu0 open).

Both statistics need many images at once, so they are computed inside the
pipeline, not on the driver: every pair's images are read once more by a
statistics branch, grouped by (side, subdirectory) with a GroupByKey, and the
outlier keys and mu0 reach the conversion as side inputs. This scales with the
workers (a driver pass would read the whole dataset on one machine).
"""

from __future__ import annotations

import math
import posixpath
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import apache_beam as beam
import numpy as np

from pipelines.common.folders import add_folder_arguments, check_folder_arguments, group_key
from pipelines.common.image_io import (
    brightness,
    fit_square,
    list_files,
    read_bytes,
    read_image,
    relative_path,
    strip_extension,
)
from pipelines.common.job import job_parser, parse_job_arguments, run_as_script, run_job
from pipelines.common.metadata_csv import parse_metadata
from pipelines.common.processing import SourceDoFn
from pipelines.common.records import RejectError

SOURCE = "paired_folders"
POSE_COLUMNS = ("yaw", "pitch", "roll")
MODES = {"rgb": "RGB", "gray": "L"}
MIN_GROUP = 4
SIDES = ("source", "target")


@dataclass(frozen=True)
class PairItem:
    """A matched pair (both paths) or a leftover file (one path and a driver-side reject reason)."""

    name: str  # relative path without extension (the pair key), or the leftover's relative path
    source: str | None
    target: str | None
    metadata: tuple[tuple[str, float], ...] | None = None
    reject: str | None = None


# -- pairing and metadata (driver) ------------------------------------------------------------


def _by_stem(paths: list[str], root: str) -> tuple[dict[str, str], list[str]]:
    """{relative path without extension: path} and the relative paths of ambiguous files."""
    stems: dict[str, list[str]] = {}
    for path in paths:
        stems.setdefault(strip_extension(relative_path(path, root)), []).append(path)
    unique = {stem: found[0] for stem, found in stems.items() if len(found) == 1}
    ambiguous = [
        relative_path(path, root) for found in stems.values() if len(found) > 1 for path in found
    ]
    return unique, ambiguous


def pair_files(source_root: str, target_root: str) -> list[PairItem]:
    """Matches the two listings by relative path without extension (driver side)."""
    sources, ambiguous_sources = _by_stem(list_files(source_root), source_root)
    targets, ambiguous_targets = _by_stem(list_files(target_root), target_root)
    items = [
        PairItem(stem, sources[stem], targets[stem]) for stem in sorted(set(sources) & set(targets))
    ]
    items += [
        PairItem(
            f"source/{relative_path(sources[stem], source_root)}",
            sources[stem],
            None,
            reject="unpaired",
        )
        for stem in sorted(set(sources) - set(targets))
    ]
    items += [
        PairItem(
            f"target/{relative_path(targets[stem], target_root)}",
            None,
            targets[stem],
            reject="unpaired",
        )
        for stem in sorted(set(targets) - set(sources))
    ]
    items += [
        PairItem(f"source/{name}", None, None, reject="ambiguous") for name in ambiguous_sources
    ]
    items += [
        PairItem(f"target/{name}", None, None, reject="ambiguous") for name in ambiguous_targets
    ]
    return items


def attach_metadata(items: list[PairItem], table: dict[str, Any]) -> tuple[list[PairItem], int]:
    """Adds each pair's metadata row (or the reject reason); returns items and the unused row count."""
    result, used = [], set()
    for item in items:
        if item.reject is not None:
            result.append(item)
            continue
        if item.name not in table:
            result.append(PairItem(item.name, item.source, item.target, reject="missing_metadata"))
            continue
        used.add(item.name)
        row = table[item.name]
        reject = "bad_metadata" if row is None else None
        result.append(PairItem(item.name, item.source, item.target, row, reject))
    return result, len(set(table) - used)


# -- statistics (in the pipeline) -------------------------------------------------------------


def iqr_outliers(means: dict[str, float]) -> set[str]:
    """Keys whose mean lies more than 1.5 IQR below Q1 or above Q3 (none for fewer than 4)."""
    if len(means) < MIN_GROUP:
        return set()
    values = np.array(list(means.values()), dtype=np.float64)
    first, third = np.percentile(values, [25, 75])
    spread = 1.5 * (third - first)
    return {key for key, mean in means.items() if mean < first - spread or mean > third + spread}


def _image_means(
    item: PairItem, modes: dict[str, str]
) -> Iterator[tuple[tuple[str, str], tuple[str, float]]]:
    if item.reject is not None:
        return
    subdirectory = posixpath.dirname(item.name)
    for side, path in zip(SIDES, (item.source, item.target), strict=True):
        try:
            mean = brightness(read_image(path, modes[side]))
        except RejectError:
            continue  # unreadable: rejected by the conversion
        yield (side, subdirectory), (item.name, mean)


def _group_outliers(element: tuple[tuple[str, str], Iterable[tuple[str, float]]]) -> Iterator[Any]:
    (side, _), entries = element
    means = dict(entries)
    outliers = iqr_outliers(means)
    for name in sorted(outliers):
        yield beam.pvalue.TaggedOutput("outliers", name)
    if side == "target":
        for name, mean in means.items():
            if name not in outliers:
                yield mean


class BrightnessStatistics:
    """Builds the side inputs of --clean-outliers / --mean-normalize from the item PCollection."""

    def __init__(self, modes: dict[str, str], clean_outliers: bool) -> None:
        self.modes = modes
        self.clean_outliers = clean_outliers

    def __call__(self, items: beam.PCollection) -> tuple[Any, Any]:
        """(outlier pair keys as AsList, or None without --clean-outliers; mu0 as AsSingleton)."""
        modes = self.modes
        results = (
            items
            | "ImageMeans" >> beam.FlatMap(_image_means, modes)
            | "BySubdirectory" >> beam.GroupByKey()
            | "Outliers"
            >> beam.FlatMap(_group_outliers).with_outputs("outliers", main="kept_target_means")
        )
        target_mean = results.kept_target_means | "TargetMean" >> beam.CombineGlobally(
            beam.combiners.MeanCombineFn()
        )
        outliers = beam.pvalue.AsList(results.outliers) if self.clean_outliers else None
        return outliers, beam.pvalue.AsSingleton(target_mean)


# -- conversion ---------------------------------------------------------------------------------


class PairedFoldersDoFn(SourceDoFn):
    """Reads one pair, applies the cleaning decisions and writes image + target_image."""

    def __init__(
        self,
        size: int,
        fit: str,
        depth: int,
        domain: str,
        modes: dict[str, str],
        mean_normalize: bool,
        target_mean: float | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.size = size
        self.fit = fit
        self.depth = depth
        self.domain = domain
        self.modes = modes
        self.mean_normalize = mean_normalize
        self.target_mean = target_mean
        self.outliers: frozenset[str] = frozenset()
        self.statistics_mean: float | None = None
        self._outlier_source: Any = None

    def key(self, item: PairItem) -> str:
        return f"{SOURCE}/{item.name}"

    def process(
        self, item: PairItem, outliers: list[str] | None = None, target_mean: float | None = None
    ):
        if outliers is not None and outliers is not self._outlier_source:
            self._outlier_source = outliers
            self.outliers = frozenset(outliers)
        self.statistics_mean = target_mean
        yield from super().process(item)

    def convert(self, item: PairItem) -> Iterator[tuple[dict[str, Any], str]]:
        if item.reject is not None:
            raise RejectError(item.reject)
        source = read_image(item.source, self.modes["source"], "corrupt_image")
        target = read_image(item.target, self.modes["target"], "corrupt_target")
        if item.name in self.outliers:
            raise RejectError("outlier")
        image = fit_square(source, self.size, self.fit)
        target_image = fit_square(target, self.size, self.fit)
        if self.mean_normalize:
            target_image = self._normalize(target_image)
        record: dict[str, Any] = {
            "key": self.key(item),
            "image": image,
            "target_image": target_image,
            "domain": self.domain,
        }
        if item.metadata is not None:
            values = dict(item.metadata)
            if any(name in values for name in POSE_COLUMNS):
                record["pose"] = [values.get(name, 0.0) for name in POSE_COLUMNS]
            extra = [(name, value) for name, value in item.metadata if name not in POSE_COLUMNS]
            if extra:
                record["metadata_names"] = [name for name, _ in extra]
                record["metadata_values"] = [value for _, value in extra]
        yield record, group_key(item.name, self.depth)

    def _normalize(self, image: np.ndarray) -> np.ndarray:
        """Scales the image by mu0 / mu (Bergqvist 2020, sec. 3.1.5)."""
        goal = self.target_mean if self.target_mean is not None else self.statistics_mean
        mean = brightness(image)
        if goal is None or not math.isfinite(goal) or mean <= 0:
            return image
        return np.clip(np.round(image.astype(np.float64) * (goal / mean)), 0, 255).astype(np.uint8)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = job_parser(
        SOURCE, "Paired source / target folders (matched by relative path) -> TFRecords."
    )
    parser.add_argument("--source", required=True, help="folder of source images (-> image)")
    parser.add_argument("--target", required=True, help="folder of target images (-> target_image)")
    parser.add_argument(
        "--source-domain", default="rgb", help="domain written with each example (default rgb)"
    )
    parser.add_argument(
        "--source-mode", choices=tuple(MODES), default="rgb", help="source channels: rgb or gray"
    )
    parser.add_argument(
        "--target-mode",
        choices=tuple(MODES),
        default="rgb",
        help="target channels: rgb or gray (NIR)",
    )
    parser.add_argument(
        "--metadata", help="CSV with a 'path' column and numeric columns (yaw, pitch, roll -> pose)"
    )
    parser.add_argument(
        "--clean-outliers",
        action="store_true",
        help="reject pairs with a brightness outlier (IQR per subdirectory)",
    )
    parser.add_argument(
        "--mean-normalize",
        action="store_true",
        help="scale each target image to mean brightness mu0",
    )
    parser.add_argument(
        "--target-mean", type=float, help="mu0 in 0..255 (default: mean of the non-outlier targets)"
    )
    add_folder_arguments(parser)
    arguments, options = parse_job_arguments(parser, argv)
    check_folder_arguments(parser, arguments)
    if arguments.target_mean is not None and not 0 < arguments.target_mean <= 255:
        parser.error(f"--target-mean must lie in (0, 255], got {arguments.target_mean}")
    items = pair_files(arguments.source, arguments.target)
    if not items:
        parser.error(f"no images under {arguments.source} or {arguments.target}")
    extra: dict[str, Any] = {}
    if arguments.metadata:
        try:
            table, text_columns = parse_metadata(read_bytes(arguments.metadata).decode("utf-8-sig"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            parser.error(f"cannot read --metadata {arguments.metadata}: {error}")
        items, unused = attach_metadata(items, table)
        extra.update(metadata_text_columns=text_columns, metadata_rows_without_pair=unused)
    modes = {"source": MODES[arguments.source_mode], "target": MODES[arguments.target_mode]}
    dofn = PairedFoldersDoFn(
        arguments.size,
        arguments.fit,
        arguments.group_depth,
        arguments.source_domain,
        modes,
        arguments.mean_normalize,
        arguments.target_mean,
        fractions=arguments.fractions,
        salt=arguments.split_salt,
        image_format=arguments.image_format,
        jpeg_quality=arguments.jpeg_quality,
    )
    needs_statistics = arguments.clean_outliers or (
        arguments.mean_normalize and arguments.target_mean is None
    )
    side_inputs = (
        BrightnessStatistics(modes, arguments.clean_outliers) if needs_statistics else None
    )
    return run_job(SOURCE, items, dofn, arguments, options, extra, side_inputs=side_inputs)


if __name__ == "__main__":
    run_as_script("pipelines.paired_folders")
