"""Reading, listing and resizing the image files of on-disk datasets, robustly.

Every path goes through Beam's `FileSystems`, so the same job reads a local
folder here and `gs://` / `s3://` / `hdfs://` folders on a cluster. Decoding
calls PIL's `.load()` so that a truncated file fails here (and is rejected with
a reason) instead of yielding a half-grey image; EXIF orientation is applied.

Resizing: images with PIL LANCZOS (antialiased when reducing), label maps and
masks with NEAREST (labels are never blended).
"""

from __future__ import annotations

import io
import os
import posixpath

import numpy as np
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems
from PIL import Image, ImageOps

from pipelines.common.records import RejectError

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff", ".ppm", ".pgm")
FITS = ("crop", "pad", "stretch")


def list_files(root: str, extensions: tuple[str, ...] = IMAGE_EXTENSIONS) -> list[str]:
    """Sorted paths of all files under `root` (recursively) whose extension is in `extensions`.

    Extensions compare case-insensitively; hidden files and folders (a path part
    starting with '.') are skipped.
    """
    root = normalize_root(root)
    result = FileSystems.match([FileSystems.join(root, "**")])[0]
    paths = []
    for metadata in result.metadata_list:
        relative = relative_path(metadata.path, root)
        if any(part.startswith(".") for part in relative.split("/")):
            continue
        if posixpath.splitext(metadata.path)[1].lower() in extensions:
            paths.append(metadata.path)
    return sorted(paths)


def normalize_root(root: str) -> str:
    """A folder path without a trailing '/'; local paths made absolute."""
    if "://" not in root:
        root = os.path.abspath(root)
    return root.rstrip("/")


def relative_path(path: str, root: str) -> str:
    """`path` relative to `root`, with '/' separators."""
    root = normalize_root(root).replace("\\", "/")
    path = path.replace("\\", "/")
    if not path.startswith(root + "/"):
        raise ValueError(f"{path} is not under {root}")
    return path[len(root) + 1 :]


def strip_extension(relative: str) -> str:
    """'a/b/c.PNG' -> 'a/b/c' (the extension-insensitive match key of a file)."""
    return posixpath.splitext(relative)[0]


def read_bytes(path: str) -> bytes:
    """The bytes of a file on any Beam filesystem."""
    with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
        return handle.read()


def decode_image(data: bytes, mode: str = "RGB", reason: str = "corrupt_image") -> np.ndarray:
    """Encoded bytes -> uint8 array in PIL `mode` ('RGB' (H, W, 3), 'L' (H, W), 'RGBA' (H, W, 4)).

    Raises:
        RejectError(reason): the bytes are not a complete, decodable image.
    """
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # decodes everything: truncated files fail here
            image = ImageOps.exif_transpose(image)
            if (
                mode == "RGBA"
                and image.mode not in ("RGBA", "LA", "PA")
                and "transparency" not in image.info
            ):
                raise RejectError(f"{reason}:no_alpha")
            return np.asarray(image.convert(mode))
    except RejectError:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, EOFError) as error:
        raise RejectError(reason) from error


def read_image(path: str, mode: str = "RGB", reason: str = "corrupt_image") -> np.ndarray:
    """Reads and decodes an image file (see `decode_image`); a missing file is rejected too."""
    try:
        data = read_bytes(path)
    except OSError as error:
        raise RejectError(reason) from error
    return decode_image(data, mode, reason)


def _size(size: int | tuple[int, int]) -> tuple[int, int]:
    """int S or (height, width) -> PIL's (width, height)."""
    if isinstance(size, int | np.integer):
        return int(size), int(size)
    return int(size[1]), int(size[0])


def resize_image(image: np.ndarray, size: int | tuple[int, int]) -> np.ndarray:
    """uint8 (H, W) or (H, W, C) image -> `size` (S or (height, width)), LANCZOS (antialiased)."""
    target = _size(size)
    if (image.shape[1], image.shape[0]) == target:
        return image
    return np.asarray(Image.fromarray(image).resize(target, Image.Resampling.LANCZOS))


def resize_mask(mask: np.ndarray, size: int | tuple[int, int]) -> np.ndarray:
    """uint8 / bool (H, W) label map or mask -> `size`, nearest neighbour (same dtype)."""
    target = _size(size)
    if (mask.shape[1], mask.shape[0]) == target:
        return mask
    as_bool = mask.dtype == bool
    resized = np.asarray(
        Image.fromarray(mask.astype(np.uint8)).resize(target, Image.Resampling.NEAREST)
    )
    return resized.astype(bool) if as_bool else resized


def square_box(height: int, width: int) -> tuple[int, int, int, int]:
    """(top, left, side, side) of the centred square crop of an (height, width) image."""
    side = min(height, width)
    return (height - side) // 2, (width - side) // 2, side, side


def fit_square(
    array: np.ndarray, size: int, fit: str = "crop", is_mask: bool = False
) -> np.ndarray:
    """Brings an image or mask to (size, size).

    Args:
        array: uint8 / bool (H, W) or (H, W, C).
        size: output side.
        fit: 'crop' (centred square crop, then resize), 'pad' (pad with zeros to a
            centred square, then resize) or 'stretch' (resize, ignoring the aspect).
        is_mask: nearest-neighbour resizing (label maps, masks) instead of LANCZOS.
    """
    if fit not in FITS:
        raise ValueError(f"fit must be one of {FITS}, got {fit!r}")
    height, width = array.shape[:2]
    if fit == "crop":
        top, left, side, _ = square_box(height, width)
        array = array[top : top + side, left : left + side]
    elif fit == "pad" and height != width:
        side = max(height, width)
        padded = np.zeros((side, side, *array.shape[2:]), array.dtype)
        top, left = (side - height) // 2, (side - width) // 2
        padded[top : top + height, left : left + width] = array
        array = padded
    return resize_mask(array, size) if is_mask else resize_image(array, size)


def brightness(image: np.ndarray) -> float:
    """Mean intensity of a uint8 image over all pixels and channels (0..255)."""
    return float(np.asarray(image, dtype=np.float64).mean())
