"""Side files a job samples from (occluders, textures): checked on the driver, decoded lazily on workers."""

from __future__ import annotations

import io
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
from PIL import Image

from pipelines.common.image_io import read_bytes, read_image

CACHE_SIZE = 256


def images_without_alpha(paths: list[str]) -> list[str]:
    """Paths of files that are unreadable or have no alpha channel (reads headers only)."""
    bad = []
    for path in paths:
        try:
            with Image.open(io.BytesIO(read_bytes(path))) as image:
                if image.mode not in ("RGBA", "LA", "PA") and "transparency" not in image.info:
                    bad.append(path)
        except Exception:  # noqa: BLE001 - any failure is reported to the user
            bad.append(path)
    return bad


class LazyImages(Sequence):
    """A sequence of image files decoded on first access, with a per-worker LRU cache.

    Args:
        paths: the files.
        mode: PIL mode to decode to ('RGB', 'RGBA', ...).
        reason: reject reason when a file cannot be decoded (raised as RejectError).
        cache_size: decoded images kept.
    """

    def __init__(
        self, paths: list[str], mode: str, reason: str, cache_size: int = CACHE_SIZE
    ) -> None:
        self.paths, self.mode, self.reason, self.cache_size = list(paths), mode, reason, cache_size
        self.cache: OrderedDict[int, np.ndarray] = OrderedDict()

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index):  # type: ignore[override]
        if index in self.cache:
            self.cache.move_to_end(index)
            return self.cache[index]
        array = read_image(self.paths[index], self.mode, self.reason)
        self.cache[index] = array
        if len(self.cache) > self.cache_size:
            self.cache.popitem(last=False)
        return array
