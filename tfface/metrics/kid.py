"""Kernel Inception Distance: unbiased MMD^2 between feature sets, cubic polynomial kernel.

Bińkowski, Sutherland, Arbel & Gretton, "Demystifying MMD GANs", ICLR 2018, Eq. 2 /
Appendix D: k(x, y) = (x . y / d + 1)^3 on InceptionV3 pool3 features (d = 2048), and

    MMD^2_u = 1/(m(m-1)) sum_{i != j} k(x_i, x_j) + 1/(n(n-1)) sum_{i != j} k(y_i, y_j)
              - 2/(m n) sum_{i, j} k(x_i, y_j)

an unbiased estimate (its expectation is exactly 0 when both sets come from one
distribution; it can be negative). Computed on ``subsets`` random subsets of
``subset_size`` from each set (default 100 x 1000, the reference code's), drawn
without replacement within a subset from a seeded generator; the report is the mean
and standard deviation over subsets. Sets smaller than ``subset_size`` use subsets of
the smaller set's size (with a warning). All float64.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np


@dataclasses.dataclass(frozen=True)
class KernelDistance:
    """KID over subsets: ``mean`` and ``std`` of MMD^2_u, the subset size and count used."""

    mean: float
    std: float
    subset_size: int
    subsets: int


def polynomial_kernel(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """k(x, y) = (x . y / d + 1)^3 for all pairs: (M, D) x (N, D) -> (M, N) float64."""
    first, second = np.asarray(first, np.float64), np.asarray(second, np.float64)
    return (first @ second.T / first.shape[1] + 1.0) ** 3


def unbiased_mmd2(first: np.ndarray, second: np.ndarray) -> float:
    """Unbiased MMD^2 with the cubic polynomial kernel between (M, D) and (N, D), M, N >= 2."""
    m, n = first.shape[0], second.shape[0]
    if m < 2 or n < 2:
        raise ValueError(f"unbiased MMD needs at least 2 samples per set, got {m} and {n}")
    k_xx = polynomial_kernel(first, first)
    k_yy = polynomial_kernel(second, second)
    k_xy = polynomial_kernel(first, second)
    within_x = (k_xx.sum() - np.trace(k_xx)) / (m * (m - 1))
    within_y = (k_yy.sum() - np.trace(k_yy)) / (n * (n - 1))
    return float(within_x + within_y - 2.0 * k_xy.mean())


def kernel_inception_distance(
    first: np.ndarray,
    second: np.ndarray,
    subsets: int = 100,
    subset_size: int = 1000,
    seed: int = 0,
) -> KernelDistance:
    """KID (Bińkowski 2018) between two feature sets (N1, D) and (N2, D), mean and std over subsets.

    Args:
        first, second: features (e.g. InceptionV3 pool3 of generated and real images).
        subsets: number of random subset pairs.
        subset_size: samples per subset (capped by the smaller set, with a warning).
        seed: seed of the subset draws (same seed, same value).
    """
    first, second = np.asarray(first, np.float64), np.asarray(second, np.float64)
    if first.ndim != 2 or second.ndim != 2 or first.shape[1] != second.shape[1]:
        raise ValueError(f"features must be (N, D) with equal D, got {first.shape} {second.shape}")
    if subsets < 1:
        raise ValueError(f"subsets must be >= 1, got {subsets}")
    size = min(subset_size, first.shape[0], second.shape[0])
    if size < 2:
        raise ValueError(
            f"KID needs at least 2 samples per set, got {first.shape[0]} and {second.shape[0]}"
        )
    if size < subset_size:
        warnings.warn(
            f"KID: subsets of {size} samples instead of {subset_size} (sets of "
            f"{first.shape[0]} and {second.shape[0]}); not comparable with the default",
            stacklevel=2,
        )
    generator = np.random.default_rng(seed)
    values = np.empty(subsets, np.float64)
    for index in range(subsets):
        x = first[generator.choice(first.shape[0], size, replace=False)]
        y = second[generator.choice(second.shape[0], size, replace=False)]
        values[index] = unbiased_mmd2(x, y)
    return KernelDistance(float(values.mean()), float(values.std()), size, subsets)
