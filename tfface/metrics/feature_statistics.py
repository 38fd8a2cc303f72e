"""Streaming float64 mean and covariance of feature vectors, and their ``.npz`` cache.

Batches are merged with the parallel form of Welford's algorithm (Chan, Golub &
LeVeque 1979): each batch's mean and centred scatter are computed in float64 and
merged, so no large raw sums are subtracted (no cancellation), whatever the count.
Memory is O(D^2) (32 MiB for InceptionV3's D = 2048), independent of the count;
``keep_features=True`` also keeps the raw float32 features, which KID needs. Sets of
at most D samples always keep their features (``small_features``, at most D x D
float32): their covariance is singular, and the exact low-rank Fréchet distance
(``tfface.metrics.frechet``) needs them.

The cache file (``save`` / ``load``) holds ``mu`` (D,), ``sigma`` (D, D) (the
unbiased covariance, N - 1), ``count`` and ``metadata`` (JSON: feature extractor,
weights, resize filter, image size), plus ``features`` (N, D) float32 when kept (or
when N <= D).
``mu`` / ``sigma`` are the key names of the TTUR / pytorch-fid / clean-fid files, so
their files load too (with unknown metadata and count).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np


class FeatureStatistics:
    """Running count, mean and covariance of (N, D) features, in float64.

    Args:
        keep_features: also keep the features themselves (float32), for KID.
        metadata: what produced the features (saved with them, checked on reuse).
    """

    def __init__(self, keep_features: bool = False, metadata: dict[str, Any] | None = None):
        self.keep_features = keep_features
        self.metadata: dict[str, Any] = dict(metadata or {})
        self.count = 0
        self._mean: np.ndarray | None = None  # (D,) float64
        self._scatter: np.ndarray | None = None  # (D, D) float64, sum of centred outer products
        self._features: list[np.ndarray] = []
        self._loaded_features: np.ndarray | None = None
        self._small: list[np.ndarray] | None = []  # features while count <= D, then None

    @property
    def dimension(self) -> int | None:
        return None if self._mean is None else int(self._mean.shape[0])

    def update(self, features: np.ndarray) -> None:
        """Adds a batch of features (B, D) (any float dtype; accumulated in float64)."""
        batch = np.asarray(features, np.float64)
        if batch.ndim != 2:
            raise ValueError(f"features must be (B, D), got shape {batch.shape}")
        if batch.shape[0] == 0:
            return
        if self._mean is not None and batch.shape[1] != self._mean.shape[0]:
            raise ValueError(f"feature dimension changed from {self.dimension} to {batch.shape[1]}")
        if not np.all(np.isfinite(batch)):
            raise ValueError("features contain NaN or infinite values")
        count = batch.shape[0]
        batch_mean = batch.mean(axis=0)
        centred = batch - batch_mean
        batch_scatter = centred.T @ centred
        if self._mean is None:
            self._mean, self._scatter = batch_mean, batch_scatter
        else:
            total = self.count + count
            delta = batch_mean - self._mean
            self._mean = self._mean + delta * (count / total)
            self._scatter = (
                self._scatter
                + batch_scatter
                + np.outer(delta, delta) * (self.count * count / total)
            )
        self.count += count
        if self.keep_features:
            self._features.append(np.asarray(features, np.float32))
        self._keep_small([np.asarray(features, np.float32)])

    def _keep_small(self, parts: list[np.ndarray] | None) -> None:
        if self._small is None or parts is None or self.count > self.dimension:
            self._small = None
        else:
            self._small.extend(parts)

    def merge(self, other: FeatureStatistics) -> None:
        """Adds all of ``other``'s samples (statistics; features too when both keep them)."""
        if other.count == 0:
            return
        if self.count == 0:
            self._mean, self._scatter = other._mean.copy(), other._scatter.copy()
            self.count = other.count
        else:
            total = self.count + other.count
            delta = other._mean - self._mean
            self._mean = self._mean + delta * (other.count / total)
            self._scatter = (
                self._scatter
                + other._scatter
                + np.outer(delta, delta) * (self.count * other.count / total)
            )
            self.count = total
        if self.keep_features and other.features is not None:
            self._features.append(other.features)
        small = other.small_features
        self._keep_small(None if small is None else [small])

    @property
    def mean(self) -> np.ndarray:
        """(D,) float64."""
        if self._mean is None:
            raise ValueError("no features were added")
        return self._mean

    @property
    def covariance(self) -> np.ndarray:
        """(D, D) float64 unbiased covariance (divides by N - 1), needs N >= 2."""
        if self.count < 2:
            raise ValueError(f"a covariance needs at least 2 samples, got {self.count}")
        return self._scatter / (self.count - 1)

    @property
    def features(self) -> np.ndarray | None:
        """(N, D) float32 features when kept (or loaded), else None."""
        if self._features:
            parts = ([self._loaded_features] if self._loaded_features is not None else []) + [
                *self._features
            ]
            self._loaded_features, self._features = np.concatenate(parts, axis=0), []
        return self._loaded_features

    @property
    def small_features(self) -> np.ndarray | None:
        """(N, D) float32 features when N <= D (and any were added), else None."""
        if self.features is not None and self.count <= (self.dimension or 0):
            return self.features
        if not self._small or self.count > (self.dimension or 0):
            return None
        if len(self._small) > 1:
            self._small = [np.concatenate(self._small, axis=0)]
        return self._small[0]

    def save(self, path: str | os.PathLike) -> Path:
        """Writes the ``.npz`` cache (module docstring); returns the path."""
        path = Path(path)
        if path.suffix != ".npz":
            raise ValueError(f"statistics files end in .npz, got {path}")
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {
            "mu": self.mean,
            "sigma": self.covariance,
            "count": np.asarray(self.count, np.int64),
            "metadata": np.asarray(json.dumps(self.metadata, sort_keys=True)),
        }
        features = self.features if self.features is not None else self.small_features
        if features is not None:
            arrays["features"] = features
        np.savez(path, **arrays)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> FeatureStatistics:
        """Reads a cache written by ``save`` (or a TTUR / pytorch-fid / clean-fid file)."""
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"statistics file {path} does not exist")
        with np.load(path, allow_pickle=False) as data:
            if "mu" not in data or "sigma" not in data:
                raise ValueError(f"{path} holds no 'mu' / 'sigma' arrays: {sorted(data.files)}")
            mean = np.asarray(data["mu"], np.float64)
            covariance = np.asarray(data["sigma"], np.float64)
            count = int(data["count"]) if "count" in data else -1
            metadata = json.loads(str(data["metadata"])) if "metadata" in data else {}
            features = np.asarray(data["features"], np.float32) if "features" in data else None
        statistics = cls(keep_features=features is not None, metadata=metadata)
        statistics._mean = mean
        # An unknown count (foreign files) is stored as -1; 2 keeps sigma as saved.
        statistics.count = count if count >= 2 else 2
        statistics._scatter = covariance * (statistics.count - 1)
        statistics._loaded_features = features
        statistics._small = None
        statistics.metadata.setdefault("count_known", count >= 0)
        return statistics
