"""Reading the picture files users give to commands (`tfface predict`, `tfface edit`).

One path for every command: the file must exist, decode completely (PIL's `.load()`, so a
truncated PNG fails here instead of yielding grey rows) and have the expected kind. EXIF
orientation is applied, as the Beam jobs do (`pipelines.common.image_io`). Every failure is an
`ImageFileError` (a ValueError, so `tfface` prints it as one line and exits with code 2)
whose message starts with the flag and the path: "--mask a.png: not a readable image (...)".

- `read_rgb_image`: any picture -> uint8 (H, W, 3).
- `read_label_map`: a single-channel label map (pixel value = class index; an RGB file whose
  three channels are equal counts too) -> uint8 (H, W), optionally checked against a class
  count.
- `read_gray_image`: any picture -> uint8 (H, W) luminance (hole masks).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

LABEL_MAP_MODES = ("L", "P", "I", "I;16", "I;16B", "I;16L")


class ImageFileError(ValueError):
    """A user's picture file is missing, unreadable or of the wrong kind."""


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _decoded(path: str | Path, what: str):
    """The fully decoded PIL image of `path`, EXIF orientation applied."""
    from PIL import Image, ImageOps

    path = Path(path)
    if path.is_dir():
        raise ImageFileError(f"{what} {path}: is a folder, not a picture file")
    if not path.exists():
        raise ImageFileError(f"{what} {path}: no such file")
    try:
        with Image.open(path) as image:
            image.load()  # decodes everything: a truncated file fails here
            return ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as error:
        raise ImageFileError(f"{what} {path}: not a readable image ({_one_line(error)})") from error


def read_rgb_image(path: str | Path, what: str = "--image") -> np.ndarray:
    """A picture file -> uint8 (H, W, 3) RGB (gray, palette and RGBA files are converted).

    Args:
        path: the file (PNG, JPEG, BMP, ... anything PIL decodes).
        what: how the message names the file (the command's flag).

    Raises:
        ImageFileError: missing, a folder, not an image, or truncated.
    """
    return np.asarray(_decoded(path, what).convert("RGB"))


def read_gray_image(path: str | Path, what: str = "--mask") -> np.ndarray:
    """A picture file -> uint8 (H, W) luminance (PIL 'L'), e.g. a white-on-black hole mask.

    Raises:
        ImageFileError: as `read_rgb_image`.
    """
    return np.asarray(_decoded(path, what).convert("L"))


def _label_values(image, path: Path, what: str) -> np.ndarray:
    if image.mode in LABEL_MAP_MODES:
        return np.asarray(image)
    if image.mode in ("RGB", "RGBA"):
        channels = np.asarray(image)[..., :3]
        if (channels == channels[..., :1]).all():  # a gray label map saved as RGB
            return channels[..., 0]
    raise ImageFileError(
        f"{what} {path}: masks must be single-channel label-map PNGs (pixel value = class "
        f"index), got a {image.mode} image with colours (a coloured rendering of a mask is "
        "not a label map)"
    )


def read_label_map(
    path: str | Path, what: str = "--mask", num_classes: int | None = None
) -> np.ndarray:
    """A label-map file (one class index per pixel) -> uint8 (H, W).

    Args:
        path: a single-channel PNG ('L', 'P' or 16-bit); an RGB file with R = G = B is read as
            its gray values.
        what: how the message names the file.
        num_classes: when given, every value must lie in 0..num_classes - 1.

    Raises:
        ImageFileError: unreadable (see `read_rgb_image`), colour, or values out of range.
    """
    path = Path(path)
    labels = _label_values(_decoded(path, what), path, what)
    limit = 256 if num_classes is None else num_classes
    invalid = [int(value) for value in np.unique(labels) if value < 0 or value >= limit]
    if invalid:
        shown = invalid if len(invalid) <= 10 else [*invalid[:10], "..."]
        reason = "uint8 labels" if num_classes is None else f"the model has {limit} classes"
        raise ImageFileError(
            f"{what} {path}: label map has values {shown} outside 0..{limit - 1} ({reason})"
        )
    return labels.astype(np.uint8)
