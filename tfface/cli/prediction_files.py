"""Where `tfface predict` writes a signature's outputs: every output lands in a file.

File names derive from `--output BASE.png` (it must end in .png; its folder is created).
The one picture output (a uint8 image or label map) gets BASE.png itself; with several
picture outputs each gets BASE_<output>.png; every other output is BASE_<output>.<ext>.
A batch of more than one example adds _<n> to each per-example PNG.

- uint8 images (B, H, W, 1|3|4): PNG per example.
- label maps, integer (B, H, W): PNG per example holding the class indices (pixel value =
  label), and beside it <name>_color.png rendered with `tfface.data.labels.colorize`: the
  PORTRAIT_11 colours when every label is below 11, else CELEBAMASK_HQ_19 when below 19
  (larger labels: no colour PNG).
- float maps (B, H, W) or (B, H, W, C) (probabilities, hole masks, change maps): the whole
  batch as .npy (exact values) and a grayscale PNG per example, the C channels side by side
  (channel 0 on the left). Scaling: values already in [0, 1] map linearly to 0..255 (a
  probability of 0.5 is 128, a hole mask is 0 / 255); any other range maps its minimum over
  the batch to 0 and its maximum to 255 (the range is in the summary).
- encoded images (DT_STRING): each element's bytes as .png / .jpg (by their signature), or
  .bin.
- anything else (vectors, scalars): .npy, with the values in the summary when small.

`write_outputs` returns, per output, what the JSON summary records: kind, dtype, shape, files
and the PNG scaling or label table.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

SMALL_ARRAY_VALUES = 64  # arrays of at most this many values are copied into the summary


def output_base(output: str) -> Path:
    """The --output path, checked: a .png file name (not a folder).

    Raises:
        ValueError: a folder, or another extension.
    """
    path = Path(output)
    if path.is_dir() or output.endswith(("/", "\\")):
        raise ValueError(
            f"--output {output}: is a folder; give a file name such as {path / 'prediction.png'} "
            "(other outputs are written beside it)"
        )
    if path.suffix.lower() != ".png":
        raise ValueError(f"--output {output}: must end in .png (outputs are written as PNG)")
    return path


def summary_path(base: Path) -> Path:
    """BASE.json beside BASE.png."""
    return base.with_suffix(".json")


def output_kind(value: np.ndarray) -> str:
    """'image', 'label_map', 'float_map', 'encoded' or 'array' (see the module docstring)."""
    if value.dtype == object or value.dtype.kind in "SU":
        return "encoded"
    spatial = value.ndim in (3, 4) and value.shape[1] > 1 and value.shape[2] > 1
    if value.dtype == np.uint8 and value.ndim == 4 and value.shape[-1] in (1, 3, 4) and spatial:
        return "image"
    if np.issubdtype(value.dtype, np.integer) and value.ndim == 3 and spatial:
        return "label_map"
    if np.issubdtype(value.dtype, np.floating) and spatial:
        return "float_map"
    return "array"


def _stems(outputs: dict[str, np.ndarray], base: Path) -> dict[str, Path]:
    """Output name -> file path without extension."""
    pictures = [
        name for name, value in outputs.items() if output_kind(value) in ("image", "label_map")
    ]
    stems = {}
    for name in outputs:
        if len(pictures) == 1 and name == pictures[0]:
            stems[name] = base.with_suffix("")
        else:
            stems[name] = base.with_name(f"{base.stem}_{name}")
    return stems


def _example_path(stem: Path, index: int, batch: int, suffix: str, extra: str = "") -> Path:
    name = stem.name + extra + (f"_{index}" if batch > 1 else "")
    return stem.with_name(name + suffix)


def _save_png(path: Path, array: np.ndarray, files: list[str]) -> None:
    from PIL import Image

    Image.fromarray(array).save(path)
    files.append(str(path))


def _label_table(value: np.ndarray):
    from tfface.data.labels import CELEBAMASK_HQ_19, PORTRAIT_11

    if value.size == 0 or value.min() < 0:
        return None
    for table in (PORTRAIT_11, CELEBAMASK_HQ_19):
        if value.max() < table.num_classes:
            return table
    return None


def _write_label_maps(value: np.ndarray, stem: Path, record: dict, files: list[str]) -> None:
    from tfface.data.labels import colorize

    table = _label_table(value)
    record["label_table"] = table.name if table else None
    stored = value.astype(np.uint8 if value.max(initial=0) < 256 else np.uint16)
    for index, labels in enumerate(stored):
        _save_png(_example_path(stem, index, len(value), ".png"), labels, files)
        if table is not None:
            colour_path = _example_path(stem, index, len(value), ".png", "_color")
            _save_png(colour_path, colorize(labels, table), files)


def _float_map_pixels(value: np.ndarray) -> tuple[np.ndarray, str]:
    """float (B, H, W[, C]) -> uint8 (B, H, W * C) channel strips, and how they were scaled."""
    finite = np.nan_to_num(value.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    if finite.ndim == 4:  # channels side by side
        batch, height, width, channels = finite.shape
        finite = finite.transpose(0, 1, 3, 2).reshape(batch, height, channels * width)
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
    if low >= 0.0 and high <= 1.0:
        scaled, scaling = finite, "[0, 1] -> 0..255 (value x 255)"
    else:
        span = high - low if high > low else 1.0
        scaled = (finite - low) / span
        scaling = f"linear [{low:.6g}, {high:.6g}] -> 0..255 (min and max over the batch)"
    return np.round(np.clip(scaled, 0.0, 1.0) * 255.0).astype(np.uint8), scaling


def _write_float_maps(value: np.ndarray, stem: Path, record: dict, files: list[str]) -> None:
    pixels, scaling = _float_map_pixels(value)
    record["png_scaling"] = scaling
    if value.ndim == 4 and value.shape[-1] > 1:
        record["png_layout"] = f"{value.shape[-1]} channels side by side, channel 0 on the left"
    for index, strip in enumerate(pixels):
        _save_png(_example_path(stem, index, len(value), ".png"), strip, files)
    np.save(stem.with_suffix(".npy"), value)
    files.append(str(stem.with_suffix(".npy")))


def _encoded_suffix(data: bytes) -> str:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if data.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    return ".bin"


def _write_encoded(value: np.ndarray, stem: Path, files: list[str]) -> None:
    elements = value.ravel()
    for index, element in enumerate(elements):
        data = element if isinstance(element, bytes) else str(element).encode()
        path = _example_path(stem, index, len(elements), _encoded_suffix(data))
        path.write_bytes(data)
        files.append(str(path))


def write_outputs(outputs: dict[str, np.ndarray], base: Path) -> dict[str, dict[str, Any]]:
    """Writes every output beside `base` (BASE.png); returns the summary record per output."""
    base.parent.mkdir(parents=True, exist_ok=True)
    stems = _stems(outputs, base)
    records: dict[str, dict[str, Any]] = {}
    for name, value in outputs.items():
        kind = output_kind(value)
        files: list[str] = []
        record: dict[str, Any] = {
            "kind": kind,
            "dtype": str(value.dtype),
            "shape": list(value.shape),
        }
        if kind == "encoded":
            record["dtype"] = "string"
            _write_encoded(value, stems[name], files)
        elif kind == "image":
            for index, image in enumerate(value):
                pixels = image[..., 0] if image.shape[-1] == 1 else image
                _save_png(_example_path(stems[name], index, len(value), ".png"), pixels, files)
        elif kind == "label_map":
            _write_label_maps(value, stems[name], record, files)
        elif kind == "float_map":
            _write_float_maps(value, stems[name], record, files)
        else:
            np.save(stems[name].with_suffix(".npy"), value)
            files.append(str(stems[name].with_suffix(".npy")))
            if value.size <= SMALL_ARRAY_VALUES:
                record["values"] = value.tolist()
        record["files"] = files
        records[name] = record
    return records


def write_summary(base: Path, summary: dict[str, Any]) -> Path:
    """Writes the JSON summary to BASE.json; returns its path."""
    path = summary_path(base)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=1) + "\n")
    return path
