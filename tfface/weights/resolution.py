"""Where pretrained weight files come from.

Order, first hit wins:

1. an explicit path (``weights=<path>`` / ``weights_path=``): must exist;
2. ``$TFFACE_WEIGHTS_DIR/<file name>``;
3. the Keras download cache, ``$KERAS_HOME/models/<file name>`` (default
   ``~/.keras/models``), then, if ``allow_download``, a download into that cache
   (``keras.utils.get_file`` with the keras.applications URL and MD5);
4. ``WeightsNotFoundError`` naming the exact path to put the file at.

The file names are those of keras.applications, so a ``~/.keras/models`` folder
filled by Keras on a machine with internet can be copied as is:

| key          | file name                                            | used by |
|--------------|------------------------------------------------------|---------|
| vgg16_notop  | vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5    | ``vgg16_features`` |
| vgg19_notop  | vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5    | ``vgg19_features`` (max and average pooling) |
| inception_v3 | inception_v3_weights_tf_dim_ordering_tf_kernels.h5   | ``inception_v3_features`` (pool3 + logits) |

Random weights are never a fallback: they are used only when a caller passes
``weights="random"`` explicitly (tests, tiny presets).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

WEIGHTS_DIR_VARIABLE = "TFFACE_WEIGHTS_DIR"
"""Environment variable naming a folder of weight files (keras.applications names)."""


@dataclasses.dataclass(frozen=True)
class WeightFile:
    """One keras.applications weight file.

    Args:
        key: short name used in tfface.
        file_name: the keras.applications file name (cache and TFFACE_WEIGHTS_DIR name).
        url: keras.applications download URL.
        md5: keras.applications file hash.
    """

    key: str
    file_name: str
    url: str
    md5: str


_BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications"

WEIGHT_FILES: dict[str, WeightFile] = {
    file.key: file
    for file in (
        WeightFile(
            "vgg16_notop",
            "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
            f"{_BASE_URL}/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "6d6bbae143d832006294945121d1f1fc",
        ),
        WeightFile(
            "vgg19_notop",
            "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
            f"{_BASE_URL}/vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "253f8cb515780f3b799900260a226db6",
        ),
        WeightFile(
            "inception_v3",
            "inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
            f"{_BASE_URL}/inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
            "9a0d58056eeedaa3f26cb7ebd46da564",
        ),
    )
}


class WeightsNotFoundError(FileNotFoundError):
    """No weight file was found (and none could be downloaded)."""


def weight_file(key: str) -> WeightFile:
    """The ``WeightFile`` called ``key``; ValueError listing the known keys otherwise."""
    if key not in WEIGHT_FILES:
        raise ValueError(f"unknown weight file {key!r}; known: {', '.join(sorted(WEIGHT_FILES))}")
    return WEIGHT_FILES[key]


def keras_cache_dir() -> Path:
    """The Keras download cache for models: $KERAS_HOME/models, default ~/.keras/models."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "models"


def weights_dir() -> Path | None:
    """The folder named by $TFFACE_WEIGHTS_DIR, or None when unset or empty."""
    value = os.environ.get(WEIGHTS_DIR_VARIABLE, "").strip()
    return Path(value).expanduser() if value else None


def _download(file: WeightFile, cache: Path) -> Path:
    import keras

    cache.mkdir(parents=True, exist_ok=True)
    downloaded = keras.utils.get_file(
        file.file_name,
        file.url,
        cache_subdir="models",
        cache_dir=str(cache.parent),
        file_hash=file.md5,
    )
    return Path(downloaded)


def resolve_weights(
    key: str, weights_path: str | os.PathLike | None = None, allow_download: bool = True
) -> Path:
    """Path of the weight file ``key`` (module docstring for the order).

    Args:
        key: a ``WEIGHT_FILES`` key, e.g. ``vgg19_notop``.
        weights_path: explicit file; it must exist.
        allow_download: try a download into the Keras cache when nothing is found.

    Returns:
        An existing file.

    Raises:
        WeightsNotFoundError: explicit path missing, or nothing found / downloadable.
    """
    file = weight_file(key)
    if weights_path is not None:
        path = Path(weights_path).expanduser()
        if not path.is_file():
            raise WeightsNotFoundError(f"{key} weights: explicit path {path} does not exist")
        return path
    directory = weights_dir()
    if directory is not None and (directory / file.file_name).is_file():
        return directory / file.file_name
    cache = keras_cache_dir()
    if (cache / file.file_name).is_file():
        return cache / file.file_name
    reason = "downloads are disabled (allow_download=False)"
    if allow_download:
        try:
            return _download(file, cache)
        except Exception as error:  # no internet, proxy, hash mismatch: all end the same way
            reason = f"the download from {file.url} failed: {error}"
    target = directory / file.file_name if directory is not None else None
    where = (
        f"put it at {target} (${WEIGHTS_DIR_VARIABLE})"
        if target is not None
        else f"put it at {cache / file.file_name} (the Keras cache), or set "
        f"${WEIGHTS_DIR_VARIABLE} to a folder holding {file.file_name}"
    )
    raise WeightsNotFoundError(
        f"{key} weights not found and {reason}. Download {file.url} "
        f"(md5 {file.md5}) on a machine with internet and {where}; "
        f"or pass weights=<path>. Tests use weights='random'."
    )
