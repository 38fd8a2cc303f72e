"""Fréchet Inception Distance, streamed over batches.

Heusel et al., "GANs Trained by a Two Time-Scale Update Rule Converge to a Local
Nash Equilibrium", NeurIPS 2017: the Fréchet distance (``tfface.metrics.frechet``)
between Gaussians fitted to InceptionV3 pool3 features (2048-d) of generated and
real images. The protocol, and why published numbers do not reproduce:

* Resize: every image goes to 299 x 299 with PIL's antialiased bicubic filter on
  float images, the "clean-fid" protocol of Parmar et al., CVPR 2022
  (``tfface.metrics.resize``; tested against PIL on real photos). The original code
  resized with a non-antialiased filter, which aliases when shrinking.
* Files: store images losslessly (PNG). JPEG artefacts alone move FID by several
  points (Parmar 2022); the SynthFaces job writes PNG unless told otherwise.
* Sample count: the covariance of N < 2048 samples is singular and FID is biased
  upwards, more so the fewer samples; ``result()`` warns below 2048 and refuses
  fewer than 2. Compare FIDs only at equal N (50k in most papers).
* Square root: float64 statistics, ``scipy.linalg.sqrtm`` checked for imaginary parts
  and residual, with the reference's eps fallback and an exact eigenvalue fallback
  (SciPy 1.11.2 - 1.12 sqrtm returns wrong results on some covariances); a set of at
  most 2048 samples uses the exact low-rank form instead (``frechet``).
* Network: InceptionV3 comes from keras.applications' ImageNet weights, not the 2015
  TF graph (``pool_3:0`` of ``classify_image_graph_def.pb``) used by the original FID
  code, pytorch-fid and clean-fid. Its features differ, so tfface FIDs are comparable
  across tfface runs (same weights, same protocol: checked through the metadata saved
  with cached statistics) but NOT with published numbers.

Statistics accumulate in float64 (Welford / Chan merges, ``FeatureStatistics``):
only (D,) + (D, D) per set, never the images. Real-set statistics can be cached to
``.npz`` (``save_reference``) and reused (``reference=path``).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

from tfface.metrics.feature_statistics import FeatureStatistics
from tfface.metrics.frechet import FrechetDistance, frechet_distance_details

MIN_RECOMMENDED_SAMPLES = 2048
"""Below this (the pool3 dimension) the covariance is singular and FID biased: warning."""
MIN_SAMPLES = 2
"""Below this there is no covariance: error."""
COMPATIBILITY_KEYS = ("extractor", "weights", "resize", "image_size")

FeatureFunction = Callable[[tf.Tensor], Any]
"""images (B, H, W, 3) -> (B, D) features, or a dict holding them under 'pool3'."""


def features_to_numpy(outputs: Any, key: str = "pool3") -> np.ndarray:
    """(B, D) numpy features from a feature function's output (tensor, array or dict)."""
    if isinstance(outputs, dict):
        if key not in outputs:
            raise ValueError(f"the feature function returned {sorted(outputs)}, without {key!r}")
        outputs = outputs[key]
    array = np.asarray(outputs.numpy() if hasattr(outputs, "numpy") else outputs)
    if array.ndim != 2:
        raise ValueError(f"features must be (B, D), got shape {array.shape}")
    return array


def check_sample_count(count: int, name: str) -> None:
    """Error below ``MIN_SAMPLES``, warning below ``MIN_RECOMMENDED_SAMPLES``."""
    if count < MIN_SAMPLES:
        raise ValueError(f"FID needs at least {MIN_SAMPLES} {name} samples, got {count}")
    if count < MIN_RECOMMENDED_SAMPLES:
        warnings.warn(
            f"FID from {count} {name} samples (< {MIN_RECOMMENDED_SAMPLES}): the covariance is "
            "singular and the value biased upwards; compare only FIDs with equal sample counts",
            stacklevel=3,
        )


def check_compatible(reference: dict[str, Any], ours: dict[str, Any], source: str) -> None:
    """Refuses cached statistics made with another extractor / weights / resize / size."""
    differences = [
        f"{key}: {reference[key]!r} != {ours[key]!r}"
        for key in COMPATIBILITY_KEYS
        if key in reference and key in ours and reference[key] != ours[key]
    ]
    if differences:
        raise ValueError(
            f"reference statistics {source} were computed differently ({'; '.join(differences)}); "
            "recompute them with the same feature extractor"
        )


class FrechetInceptionDistance:
    """Streaming FID (Heusel 2017) between generated images and real images or cached statistics.

    Args:
        feature_function: images -> (B, D) features or {"pool3": ...}; default
            ``InceptionFeatures(weights)`` (clean-fid resize, keras InceptionV3). Any
            callable works (tests inject small ones). Its ``metadata`` attribute, if
            any, is saved with cached statistics and checked against reused ones.
        reference: real-set statistics: a ``FeatureStatistics`` or an ``.npz`` path
            (``save_reference`` / TTUR / pytorch-fid / clean-fid files). None: real
            images are added with ``update(images, real=True)``.
        weights: InceptionV3 weights for the default extractor (``imagenet``, a path,
            or ``random`` for tests).
        value_range: range of the images given to ``update`` (default (0, 255) for
            uint8, else (-1, 1)); used by the default extractor.
        keep_features: keep raw features too (KID on the same pass).
        sqrt_method: ``sqrtm`` (reference, with fallbacks) or ``eigh`` (faster, same value).
    """

    def __init__(
        self,
        feature_function: FeatureFunction | None = None,
        reference: FeatureStatistics | str | os.PathLike | None = None,
        weights: str | os.PathLike = "imagenet",
        value_range: Sequence[float] | None = None,
        keep_features: bool = False,
        sqrt_method: str = "sqrtm",
    ) -> None:
        if feature_function is None:
            from tfface.metrics.inception import InceptionFeatures

            feature_function = InceptionFeatures(weights, value_range=value_range)
        self.feature_function = feature_function
        self.metadata: dict[str, Any] = dict(getattr(feature_function, "metadata", {}) or {})
        self.sqrt_method = sqrt_method
        self.generated = FeatureStatistics(keep_features, self.metadata)
        self.reference_source = "the real images"
        if reference is None:
            self.real = FeatureStatistics(keep_features, self.metadata)
            self.real_is_cached = False
        else:
            if not isinstance(reference, FeatureStatistics):
                self.reference_source = str(reference)
                reference = FeatureStatistics.load(reference)
            check_compatible(reference.metadata, self.metadata, self.reference_source)
            self.real, self.real_is_cached = reference, True

    def features(self, images: tf.Tensor) -> np.ndarray:
        """(B, D) features of a batch of images."""
        return features_to_numpy(self.feature_function(images))

    def update(self, images: tf.Tensor, real: bool = False) -> None:
        """Adds a batch of generated (or, with ``real=True``, real) images (B, H, W, 3)."""
        self.update_features(self.features(images), real)

    def update_features(self, features: np.ndarray, real: bool = False) -> None:
        """Adds precomputed (B, D) features (e.g. gathered from replicas)."""
        if real and self.real_is_cached:
            raise ValueError(f"real statistics come from {self.reference_source}; cannot add more")
        (self.real if real else self.generated).update(features)

    def details(self) -> FrechetDistance:
        """The distance with its square-root method; checks the sample counts first."""
        check_sample_count(self.generated.count, "generated")
        if not self.real_is_cached or self.real.metadata.get("count_known", True):
            check_sample_count(self.real.count, "real")
        return frechet_distance_details(
            self.generated.mean,
            self.generated.covariance,
            self.real.mean,
            self.real.covariance,
            method=self.sqrt_method,
            features1=self.generated.small_features,
            features2=self.real.small_features,
        )

    def result(self) -> float:
        """FID between everything added so far (and the reference)."""
        return self.details().value

    def save_reference(self, path: str | os.PathLike) -> Path:
        """Caches the real-set statistics (with the extractor metadata) to ``.npz``."""
        return self.real.save(path)
