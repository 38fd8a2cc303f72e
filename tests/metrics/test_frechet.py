"""frechet_distance against independent NumPy / SciPy computations, and streaming statistics."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.linalg

from tfface.metrics.feature_statistics import FeatureStatistics
from tfface.metrics.frechet import (
    FrechetDistanceError,
    frechet_distance,
    frechet_distance_details,
)


def reference_fid(mu1, sigma1, mu2, sigma2, eps=1e-6) -> float:
    """The TTUR / pytorch-fid formula, written out independently."""
    difference = mu1 - mu2
    root = scipy.linalg.sqrtm(sigma1 @ sigma2)
    if not np.isfinite(root).all():
        offset = np.eye(sigma1.shape[0]) * eps
        root = scipy.linalg.sqrtm((sigma1 + offset) @ (sigma2 + offset))
    return float(
        difference @ difference + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(root.real)
    )


def statistics(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return samples.mean(axis=0), np.cov(samples, rowvar=False)


def test_equals_reference_on_random_statistics() -> None:
    generator = np.random.default_rng(0)
    first = generator.normal(size=(400, 32))
    second = generator.normal(size=(400, 32)) @ generator.normal(size=(32, 32)) * 0.3 + 0.5
    mu1, sigma1 = statistics(first)
    mu2, sigma2 = statistics(second)
    expected = reference_fid(mu1, sigma1, mu2, sigma2)
    details = frechet_distance_details(mu1, sigma1, mu2, sigma2)
    assert details.method == "sqrtm"
    assert details.value == pytest.approx(expected, rel=1e-9)
    eigen = frechet_distance(mu1, sigma1, mu2, sigma2, method="eigh")
    assert eigen == pytest.approx(expected, rel=1e-8)


def test_near_singular_covariances_match_the_closed_form() -> None:
    # Commuting covariances (same eigenvectors) have tr sqrt(S1 S2) = sum sqrt(l1 l2): a closed
    # form independent of any matrix square root. Rank 5 of 24: singular, like FID at N < 2048.
    generator = np.random.default_rng(1)
    dimension = 24
    basis, _ = np.linalg.qr(generator.normal(size=(dimension, dimension)))
    values1 = np.zeros(dimension)
    values2 = np.zeros(dimension)
    values1[:5] = generator.uniform(0.5, 2.0, 5)
    values2[:7] = generator.uniform(0.5, 2.0, 7)
    sigma1 = basis @ np.diag(values1) @ basis.T
    sigma2 = basis @ np.diag(values2) @ basis.T
    mu1, mu2 = generator.normal(size=dimension), generator.normal(size=dimension)
    expected = (
        np.sum((mu1 - mu2) ** 2)
        + values1.sum()
        + values2.sum()
        - 2 * np.sum(np.sqrt(values1 * values2))
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SciPy's "matrix is singular"
        details = frechet_distance_details(mu1, sigma1, mu2, sigma2)
    assert details.value == pytest.approx(expected, abs=1e-4)
    assert frechet_distance(mu1, sigma1, mu2, sigma2, method="eigh") == pytest.approx(
        expected,
        abs=1e-6,  # sqrt of round-off-sized eigenvalues
    )


def test_few_samples_match_reference_within_eps() -> None:
    generator = np.random.default_rng(2)
    mu1, sigma1 = statistics(generator.normal(size=(12, 40)))  # rank 11 of 40
    mu2, sigma2 = statistics(generator.normal(size=(12, 40)) + 0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = reference_fid(mu1, sigma1, mu2, sigma2)
        value = frechet_distance(mu1, sigma1, mu2, sigma2)
    assert value == pytest.approx(expected, rel=1e-4)
    assert value == pytest.approx(
        frechet_distance(mu1, sigma1, mu2, sigma2, method="eigh"), rel=1e-4
    )


def test_identical_statistics_give_zero_and_mean_shift_adds_its_square() -> None:
    generator = np.random.default_rng(3)
    mu, sigma = statistics(generator.normal(size=(300, 16)))
    assert frechet_distance(mu, sigma, mu, sigma) == pytest.approx(0.0, abs=1e-8)
    shift = np.full(16, 0.5)
    assert frechet_distance(mu + shift, sigma, mu, sigma) == pytest.approx(16 * 0.25, rel=1e-6)


def test_non_psd_input_is_refused() -> None:
    sigma1 = np.array([[-1.0, 1.0], [1.0, 1.0]])  # an indefinite "covariance"
    sigma2 = np.eye(2)
    with pytest.raises(FrechetDistanceError):
        frechet_distance(np.zeros(2), sigma1, np.zeros(2), sigma2, strict=True)
    with pytest.raises(FrechetDistanceError):
        frechet_distance(np.zeros(2), sigma1, np.zeros(2), sigma2)
    with pytest.raises(FrechetDistanceError):
        frechet_distance(np.zeros(3), np.eye(3), np.zeros(2), np.eye(2))


def test_streaming_statistics_equal_numpy_and_survive_large_offsets(tmp_path: Path) -> None:
    generator = np.random.default_rng(4)
    samples = generator.normal(size=(1000, 8)) * 0.01 + 1e4  # float32 sums would lose it all
    accumulated = FeatureStatistics(keep_features=True, metadata={"extractor": "test"})
    for batch in np.array_split(samples, 7):
        accumulated.update(batch)
    np.testing.assert_allclose(accumulated.mean, samples.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(
        accumulated.covariance, np.cov(samples, rowvar=False), rtol=1e-6, atol=1e-12
    )
    merged = FeatureStatistics()
    for part in np.array_split(samples, 3):
        piece = FeatureStatistics()
        piece.update(part)
        merged.merge(piece)
    np.testing.assert_allclose(merged.covariance, accumulated.covariance, rtol=1e-6, atol=1e-12)

    path = accumulated.save(tmp_path / "stats.npz")
    loaded = FeatureStatistics.load(path)
    assert loaded.count == 1000 and loaded.metadata["extractor"] == "test"
    np.testing.assert_allclose(loaded.covariance, accumulated.covariance, rtol=1e-12)
    np.testing.assert_allclose(loaded.features, samples.astype(np.float32))
    foreign = tmp_path / "pytorch_fid.npz"
    np.savez(foreign, mu=samples.mean(0), sigma=np.cov(samples, rowvar=False))
    np.testing.assert_allclose(FeatureStatistics.load(foreign).mean, samples.mean(0))


def test_low_rank_form_is_exact_for_fewer_samples_than_dimensions() -> None:
    generator = np.random.default_rng(5)
    first = generator.normal(size=(10, 30))  # singular covariance, rank 9
    second = generator.normal(size=(500, 30)) * 1.3 + 0.1
    (mu1, sigma1), (mu2, sigma2) = statistics(first), statistics(second)
    # eigh is exact up to sqrt(round-off) on the 21 zero eigenvalues: ~1e-6 absolute.
    expected = frechet_distance(mu1, sigma1, mu2, sigma2, method="eigh")
    first_set = frechet_distance_details(mu1, sigma1, mu2, sigma2, features1=first)
    second_set = frechet_distance_details(mu2, sigma2, mu1, sigma1, features2=first)
    for details in (first_set, second_set):
        assert details.method == "low_rank"
        assert details.value == pytest.approx(expected, abs=1e-5)
    assert first_set.value == pytest.approx(second_set.value, rel=1e-12)
    streamed = FeatureStatistics()
    for part in np.array_split(first, 3):
        streamed.update(part)
    np.testing.assert_allclose(streamed.small_features, first.astype(np.float32))
    streamed.update(generator.normal(size=(30, 30)))  # 40 > 30 samples: no longer kept
    assert streamed.small_features is None
