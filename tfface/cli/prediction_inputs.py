"""The request inputs of `tfface predict`, from --input, --mask, --input-array and --target-yaw.

Pictures are read by `tfface.data.image_files` (a broken file is a one-line error) and
brought to the signature's size by `tfface.data.image_fitting.SizePolicy`: centre crop and
resize, or MTCNN face alignment with --align. Which input a file feeds follows from the
signature's metadata: --input feeds a uint8 (B, H, W, 3) image input; --mask a uint8
(B, H, W) label map or a (B, H, W, 1) hole mask (grayscale file, > 127 = hole, sent as
0 / 255, or 0 / 1 to a float input). Encoded (string) inputs, `*_bytes`, take the file made
square here (centre crop or alignment; the model resizes it): the file's own bytes when that
changed nothing, else a PNG (8-bit greyscale for `*label_map*` / `*mask*` inputs). A mask
follows the picture whose input name it shares (`source_label_map` -> `source_image`), else
the first picture; with --align it takes that picture's transform.
"""

from __future__ import annotations

import argparse
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tfface.data.image_files import read_gray_image, read_label_map, read_rgb_image
from tfface.data.image_fitting import Fitted, SizePolicy

TARGET_YAW = "target_yaw"
TARGET_PITCH = "target_pitch"


@dataclass
class PreparedInputs:
    """The request's arrays, and per input the file it came from and what was done to it."""

    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    notes: dict[str, dict[str, str]] = field(default_factory=dict)


def _pick(inputs: dict, wanted: str, accept, what: str, flag: str) -> str:
    candidates = [name for name, info in inputs.items() if accept(name, info)]
    if wanted in candidates:
        return wanted
    if len(candidates) == 1:
        return candidates[0]
    raise ValueError(
        f"{flag}: the signature has {len(candidates)} {what} inputs ({candidates}); "
        f"its inputs are {sorted(inputs)}"
    )


def _split_named(item: str, specs: dict) -> tuple[str | None, str]:
    """'NAME=FILE' -> (NAME, FILE) when NAME is an input of the signature, else (None, item)."""
    name, separator, path = item.partition("=")
    if separator and name in specs:
        return name, path
    if separator and name.isidentifier() and not Path(item).exists():
        raise ValueError(f"{item!r}: {name!r} is not an input of the signature ({sorted(specs)})")
    return None, item


def is_label_map(info: Any) -> bool:
    """A uint8 (B, H, W) input."""
    return info.dtype == "uint8" and info.shape is not None and len(info.shape) == 3


def is_hole_mask(info: Any) -> bool:
    """A (B, H, W, 1) uint8 or float32 input: the hole mask of inpainting exports."""
    return (
        info.dtype in ("uint8", "float32")
        and info.shape is not None
        and len(info.shape) == 4
        and info.shape[-1] == 1
    )


def _is_mask_name(name: str) -> bool:
    """`label_map_bytes`, `hole_mask_bytes`...: an encoded input that takes a mask."""
    return "label_map" in name or "mask" in name


def _takes_picture(name: str, info: Any) -> bool:
    return info.is_image or (info.dtype == "string" and not _is_mask_name(name))


def _takes_mask(name: str, info: Any) -> bool:
    return (
        is_label_map(info) or is_hole_mask(info) or (info.dtype == "string" and _is_mask_name(name))
    )


def model_size(info: Any) -> tuple[int, int] | None:
    """(height, width) a (B, H, W, ...) input takes, or None when any size goes."""
    shape = info.shape
    if shape is None or len(shape) < 3 or shape[1] < 1 or shape[2] < 1:
        return None
    return int(shape[1]), int(shape[2])


def _assign(items: list[str], specs: dict, taken: set[str], accept, what: str, flag: str):
    """[(input name, path)] for --input or --mask items."""
    assigned = []
    for item in items:
        name, path = _split_named(item, specs)
        if name is None:
            free = {key: info for key, info in specs.items() if key not in taken}
            name = _pick(free, "image" if what == "image" else "mask", accept, what, flag)
        if name in taken:
            raise ValueError(f"{flag}: input {name!r} is given twice")
        taken.add(name)
        assigned.append((name, path))
    return assigned


def _encoded(fitted: Fitted, path: str, as_in_file: bool) -> np.ndarray:
    """string (1,) request value: the file's bytes when `as_in_file` (nothing was done to the
    pixels), else a PNG of the fitted pixels (RGB, or 8-bit greyscale for masks)."""
    from PIL import Image

    if as_in_file:
        return np.array([Path(path).read_bytes()], dtype=object)
    buffer = io.BytesIO()
    Image.fromarray(fitted.array).save(buffer, format="PNG")
    return np.array([buffer.getvalue()], dtype=object)


def _unchanged(fitted: Fitted, original: np.ndarray) -> bool:
    return fitted.transform is None and np.array_equal(fitted.array, original)


def _holes(path: str) -> np.ndarray:
    """uint8 (H, W): 255 where the grayscale file is > 127 (hole), else 0."""
    return np.where(read_gray_image(path, "--mask") > 127, 255, 0).astype(np.uint8)


def _encoded_mask(name: str, path: str, policy: SizePolicy, owner: Fitted | None) -> tuple:
    """(string (1,) value, Fitted) for an encoded label-map or hole-mask input: made square
    here, resized by the model (nearest neighbour)."""
    if "label_map" in name:
        mask = read_label_map(path, "--mask")
        fitted = policy.fit_map(mask, None, path, owner)
        return _encoded(fitted, path, _unchanged(fitted, mask)), fitted
    fitted = policy.fit_map(_holes(path), None, path, owner)
    as_in_file = _unchanged(fitted, read_gray_image(path, "--mask"))
    return _encoded(fitted, path, as_in_file), fitted


def _owner(mask_name: str, pictures: dict[str, Fitted]) -> Fitted | None:
    """The picture a mask belongs to: same input name with 'image', else the first picture."""
    for candidate in (mask_name.replace("label_map", "image"), mask_name.replace("mask", "image")):
        if candidate in pictures:
            return pictures[candidate]
    return pictures.get("image", next(iter(pictures.values()), None))


def _add_pictures(args, specs: dict, taken: set[str], policy: SizePolicy, prepared) -> dict:
    pictures: dict[str, Fitted] = {}
    for name, path in _assign(args.input, specs, taken, _takes_picture, "image", "--input"):
        picture = read_rgb_image(path, "--input")
        if specs[name].dtype == "string":
            fitted = policy.fit_picture(picture, None, path)  # square; the model resizes
            prepared.arrays[name] = _encoded(fitted, path, _unchanged(fitted, picture))
        else:
            fitted = policy.fit_picture(picture, model_size(specs[name]), path)
            prepared.arrays[name] = fitted.array[None]
        pictures[name] = fitted
        prepared.notes[name] = {"file": path, "preprocessing": fitted.description}
    return pictures


def _add_masks(args, specs: dict, taken, policy: SizePolicy, pictures: dict, prepared) -> None:
    for name, path in _assign(args.mask, specs, taken, _takes_mask, "mask", "--mask"):
        info, owner = specs[name], _owner(name, pictures)
        if info.dtype == "string":
            value, fitted = _encoded_mask(name, path, policy, owner)
            prepared.arrays[name] = value
            prepared.notes[name] = {"file": path, "preprocessing": fitted.description}
            continue
        if is_hole_mask(info):
            fitted = policy.fit_map(_holes(path), model_size(info), path, owner)
            mask = fitted.array[..., None]  # (H, W, 1)
            value = mask if info.dtype == "uint8" else (mask / 255.0).astype(np.float32)
        else:
            fitted = policy.fit_map(read_label_map(path, "--mask"), model_size(info), path, owner)
            value = fitted.array
        prepared.arrays[name] = value[None]
        prepared.notes[name] = {"file": path, "preprocessing": fitted.description}


def _add_arrays(args, specs: dict, prepared: PreparedInputs) -> None:
    for item in args.input_array:
        name, _, path = item.partition("=")
        if name not in specs or not path:
            raise ValueError(
                f"--input-array {item!r}: use NAME=FILE.npy with NAME in {sorted(specs)}"
            )
        try:
            array = np.load(path)
        except (OSError, ValueError) as error:
            raise ValueError(f"--input-array {path}: not a readable .npy file ({error})") from error
        rank = len(specs[name].shape or ())
        prepared.arrays[name] = array[None] if array.ndim == rank - 1 else array
        prepared.notes[name] = {"file": path, "preprocessing": "none (sent as stored)"}


def build_inputs(
    args: argparse.Namespace, signature: Any, policy: SizePolicy | None = None
) -> PreparedInputs:
    """The request inputs from --input, --mask, --input-array and --target-yaw.

    Raises:
        ValueError: unreadable files, ambiguous or unknown input names, missing inputs.
    """
    policy = policy or SizePolicy()
    specs = dict(signature.inputs)
    prepared = PreparedInputs()
    taken: set[str] = set()
    pictures = _add_pictures(args, specs, taken, policy, prepared)
    _add_masks(args, specs, taken, policy, pictures, prepared)
    _add_arrays(args, specs, prepared)
    target_yaw = getattr(args, "target_yaw", None)
    if target_yaw is not None:
        if TARGET_YAW not in specs:
            raise ValueError(
                f"--target-yaw: signature {signature.name!r} has no {TARGET_YAW!r} input "
                f"(its inputs are {sorted(specs)})"
            )
        images = max((len(value) for value in prepared.arrays.values()), default=1)
        prepared.arrays[TARGET_YAW] = np.full((images,), target_yaw, np.float32)  # (B,) degrees
        prepared.notes[TARGET_YAW] = {"file": "", "preprocessing": f"--target-yaw {target_yaw}"}
        if "target_pitch" in specs and "target_pitch" not in prepared.arrays:
            # signatures that take a pose (uv_completion's render_pose): level, unless given
            pitch = getattr(args, "target_pitch", None) or 0.0
            prepared.arrays["target_pitch"] = np.full((images,), pitch, np.float32)
            prepared.notes["target_pitch"] = {"file": "", "preprocessing": f"pitch {pitch}"}
    target_pitch = getattr(args, "target_pitch", None)
    if target_pitch is not None and TARGET_PITCH not in prepared.arrays:
        if TARGET_PITCH not in specs:
            raise ValueError(
                f"--target-pitch: signature {signature.name!r} has no {TARGET_PITCH!r} input "
                f"(its inputs are {sorted(specs)})"
            )
        images = max((len(value) for value in prepared.arrays.values()), default=1)
        prepared.arrays[TARGET_PITCH] = np.full((images,), target_pitch, np.float32)  # degrees
        prepared.notes[TARGET_PITCH] = {
            "file": "",
            "preprocessing": f"--target-pitch {target_pitch}",
        }
        if TARGET_YAW in specs and TARGET_YAW not in prepared.arrays:  # pitch only: yaw 0
            prepared.arrays[TARGET_YAW] = np.zeros((images,), np.float32)
            prepared.notes[TARGET_YAW] = {"file": "", "preprocessing": "yaw 0 (--target-pitch)"}
    missing = sorted(set(specs) - set(prepared.arrays))
    if missing:
        needed = {name: f"{specs[name].dtype} {specs[name].shape}" for name in missing}
        raise ValueError(
            f"signature {signature.name!r} also needs {needed}: give --input, --mask, "
            "--target-yaw, --target-pitch or --input-array NAME=FILE.npy"
        )
    return prepared
