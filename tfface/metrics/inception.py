"""InceptionV3 features for FID / KID / IS under the clean-fid resize protocol.

Images (any size, uint8 or a stated float range) are mapped to [0, 255] floats,
resized to 299 x 299 with PIL's antialiased bicubic filter on float images
(``tfface.metrics.resize``, Parmar et al. CVPR 2022), clipped to [0, 255] and fed
to keras.applications' InceptionV3 (``tfface.weights.inception_v3_features``),
which returns the 2048-d ``pool3`` global average pool (FID, KID) and the 1000
ImageNet ``logits`` (IS). Weights: see ``tfface.metrics.fid`` for why the numbers
are comparable between tfface runs but not with published FIDs.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import tensorflow as tf

from tfface.metrics.resize import resize_bicubic_antialiased
from tfface.metrics.value_range import resolve_value_range
from tfface.weights import inception_v3_features, weight_file
from tfface.weights.random_weights import seeded_build

FID_IMAGE_SIZE = 299
RESIZE_PROTOCOL = "pil_bicubic_antialiased_float"


def clean_resize(
    images: tf.Tensor, image_size: int = FID_IMAGE_SIZE, value_range: Sequence[float] | None = None
) -> tf.Tensor:
    """(B, H, W, 3) images in ``value_range`` -> (B, size, size, 3) float32 in [-1, 1].

    The clean-fid protocol: [0, 255] floats, PIL-bicubic (antialiased) resize, clip.
    """
    images = tf.convert_to_tensor(images)
    low, high = resolve_value_range(images, value_range)
    pixels = (tf.cast(images, tf.float32) - low) * (255.0 / (high - low))  # [0, 255]
    if pixels.shape[1] != image_size or pixels.shape[2] != image_size:
        pixels = resize_bicubic_antialiased(pixels, image_size, mode="float")
    pixels = tf.clip_by_value(pixels, 0.0, 255.0)
    return pixels / 127.5 - 1.0


class InceptionFeatures:
    """Callable: images (B, H, W, 3) -> {"pool3": (B, 2048), "logits": (B, 1000)} float32.

    Args:
        weights: ``imagenet`` (resolved by ``tfface.weights``), a path to the
            keras.applications InceptionV3 file with top, or ``random`` (tests only:
            same compute, meaningless values; seeded, so equal across processes).
        allow_download: let ``imagenet`` download into the Keras cache if needed.
        image_size: InceptionV3 input side; 299 for FID (tests may use >= 75).
        value_range: range of the input images; default (0, 255) for uint8, else (-1, 1).
    """

    def __init__(
        self,
        weights: str | os.PathLike = "imagenet",
        allow_download: bool = True,
        image_size: int = FID_IMAGE_SIZE,
        value_range: Sequence[float] | None = None,
    ) -> None:
        self.image_size = image_size
        self.value_range = value_range
        with seeded_build(enabled=weights == "random"):  # same random weights in every process
            self.model = inception_v3_features(weights, allow_download, image_size)
        self.weights = str(weights)
        if weights not in ("imagenet", "random"):  # the keras.applications file is "imagenet"
            name = Path(weights).name
            self.weights = "imagenet" if name == weight_file("inception_v3").file_name else name
        self._compiled = tf.function(self._features, reduce_retracing=True, autograph=False)

    @property
    def metadata(self) -> dict[str, Any]:
        """What the features depend on; stored in statistics caches and checked on reuse."""
        return {
            "extractor": "keras.applications.InceptionV3/avg_pool",
            "weights": str(self.weights),
            "resize": RESIZE_PROTOCOL,
            "image_size": self.image_size,
        }

    def _features(self, images: tf.Tensor) -> dict[str, tf.Tensor]:
        if images.shape[-1] == 1:  # grey (NIR) images: the one channel tiled to three
            images = tf.image.grayscale_to_rgb(images)
        prepared = clean_resize(images, self.image_size, self.value_range)
        outputs = self.model(prepared, training=False)
        return {"pool3": outputs["pool3"], "logits": outputs["logits"]}

    def __call__(self, images: tf.Tensor) -> dict[str, tf.Tensor]:
        """(B, H, W, 3 or 1) images -> pool3 (B, 2048) and logits (B, 1000), one compiled
        graph."""
        return self._compiled(images)
