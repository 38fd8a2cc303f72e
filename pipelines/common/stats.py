"""Per-example statistics and their Beam combiner, the content of `dataset_info.json`."""

from __future__ import annotations

from collections import Counter
from typing import Any

import apache_beam as beam
import numpy as np

from pipelines.common.records import Accepted, Rejected


def label_histogram(label_map: np.ndarray, num_classes: int) -> list[int]:
    """Pixel count per class of a label map."""
    return np.bincount(np.asarray(label_map).ravel(), minlength=num_classes)[:num_classes].tolist()


def example_stats(record: dict[str, Any]) -> dict[str, Any]:
    """Statistics of one record: image size and per-class pixel counts."""
    stats: dict[str, Any] = {}
    if "image" in record:
        image = np.asarray(record["image"])
        stats["size"] = f"{image.shape[1]}x{image.shape[0]}"
    if "label_map_19" in record:
        stats["pixels_19"] = label_histogram(record["label_map_19"], 19)
    if "label_map_11" in record:
        stats["pixels_11"] = label_histogram(record["label_map_11"], 11)
    if "domain" in record:
        stats["domain"] = str(record["domain"])
    names = set(record) | (
        {"image_format", "height", "width", "channels"} if "image" in record else set()
    )
    stats["features"] = sorted(names)
    return stats


class DatasetInfoCombineFn(beam.CombineFn):
    """Combines Accepted / Rejected elements into the counts of `dataset_info.json`."""

    def create_accumulator(self) -> dict[str, Any]:
        return {
            "splits": Counter(),
            "rejects": Counter(),
            "sizes": Counter(),
            "domains": Counter(),
            "pixels_19": np.zeros(19, np.int64),
            "pixels_11": np.zeros(11, np.int64),
            "features": set(),
        }

    def add_input(
        self, accumulator: dict[str, Any], element: Accepted | Rejected
    ) -> dict[str, Any]:
        if isinstance(element, Rejected):
            accumulator["rejects"][element.reason] += 1
            return accumulator
        accumulator["splits"][element.split] += 1
        stats = element.stats
        if "size" in stats:
            accumulator["sizes"][stats["size"]] += 1
        if "domain" in stats:
            accumulator["domains"][stats["domain"]] += 1
        for name in ("pixels_19", "pixels_11"):
            if name in stats:
                accumulator[name] += np.asarray(stats[name], dtype=np.int64)
        accumulator["features"].update(stats.get("features", ()))
        return accumulator

    def merge_accumulators(self, accumulators) -> dict[str, Any]:
        merged = self.create_accumulator()
        for accumulator in accumulators:
            for name in ("splits", "rejects", "sizes", "domains"):
                merged[name].update(accumulator[name])
            for name in ("pixels_19", "pixels_11"):
                merged[name] += accumulator[name]
            merged["features"] |= accumulator["features"]
        return merged

    def extract_output(self, accumulator: dict[str, Any]) -> dict[str, Any]:
        accepted = sum(accumulator["splits"].values())
        rejected = sum(accumulator["rejects"].values())

        def frequencies(pixels: np.ndarray) -> list[float]:
            total = pixels.sum()
            return (pixels / total).round(6).tolist() if total else []

        return {
            "inputs": accepted + rejected,
            "accepted": accepted,
            "rejected": rejected,
            "counts": dict(sorted(accumulator["splits"].items())),
            "rejects_by_reason": dict(sorted(accumulator["rejects"].items())),
            "size_histogram": dict(sorted(accumulator["sizes"].items())),
            "domains": dict(sorted(accumulator["domains"].items())),
            "class_pixel_frequencies": {
                "label_map_19": frequencies(accumulator["pixels_19"]),
                "label_map_11": frequencies(accumulator["pixels_11"]),
            },
            "features": sorted(accumulator["features"]),
        }
