"""KID is unbiased and detects shifts; the Inception Score on logits with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from tfface.metrics.inception_score import inception_score
from tfface.metrics.kid import kernel_inception_distance, polynomial_kernel, unbiased_mmd2


def biased_mmd2(first: np.ndarray, second: np.ndarray) -> float:
    """The V-statistic (diagonals included): positive in expectation even for one distribution."""
    return float(
        polynomial_kernel(first, first).mean()
        + polynomial_kernel(second, second).mean()
        - 2 * polynomial_kernel(first, second).mean()
    )


def test_unbiased_mmd_has_zero_mean_for_one_distribution() -> None:
    generator = np.random.default_rng(0)
    draws = 400
    unbiased, biased = np.empty(draws), np.empty(draws)
    for index in range(draws):
        first = generator.normal(size=(20, 8))
        second = generator.normal(size=(20, 8))
        unbiased[index] = unbiased_mmd2(first, second)
        biased[index] = biased_mmd2(first, second)
    standard_error = unbiased.std() / np.sqrt(draws)
    assert abs(unbiased.mean()) < 3 * standard_error
    assert biased.mean() > 10 * standard_error  # the test can tell a biased estimator apart


def test_unbiased_mmd_equals_the_pairwise_definition() -> None:
    generator = np.random.default_rng(1)
    first, second = generator.normal(size=(6, 4)), generator.normal(size=(7, 4)) + 0.3

    def k(x: np.ndarray, y: np.ndarray) -> float:
        return (x @ y / 4 + 1) ** 3

    within_first = np.mean([k(first[i], first[j]) for i in range(6) for j in range(6) if i != j])
    within_second = np.mean([k(second[i], second[j]) for i in range(7) for j in range(7) if i != j])
    across = np.mean([k(x, y) for x in first for y in second])
    expected = within_first + within_second - 2 * across
    assert unbiased_mmd2(first, second) == pytest.approx(expected, rel=1e-12)


def test_kid_subsets_seeded_and_growing_with_a_shift() -> None:
    generator = np.random.default_rng(2)
    real = generator.normal(size=(300, 16))
    same = generator.normal(size=(300, 16))
    shifted = generator.normal(size=(300, 16)) + 0.5
    first = kernel_inception_distance(same, real, subsets=20, subset_size=100, seed=3)
    again = kernel_inception_distance(same, real, subsets=20, subset_size=100, seed=3)
    assert first == again
    far = kernel_inception_distance(shifted, real, subsets=20, subset_size=100, seed=3)
    assert far.mean > 10 * abs(first.mean) and far.std > 0
    with pytest.warns(UserWarning, match="subsets of 300"):
        capped = kernel_inception_distance(same, real, subsets=2, subset_size=1000)
    assert capped.subset_size == 300


def test_inception_score_known_values() -> None:
    classes = 10
    uniform = np.zeros((100, classes))
    assert inception_score(uniform).mean == pytest.approx(1.0)
    # Confident predictions spread evenly over the classes: IS = number of classes.
    confident = np.full((200, classes), -50.0)
    confident[np.arange(200), np.arange(200) % classes] = 50.0
    result = inception_score(confident, splits=10)
    assert result.mean == pytest.approx(classes, rel=1e-6) and result.std == pytest.approx(
        0, abs=1e-6
    )
    # All confident in one class: no diversity, IS = 1.
    collapsed = np.full((50, classes), -50.0)
    collapsed[:, 3] = 50.0
    assert inception_score(collapsed, splits=5).mean == pytest.approx(1.0, abs=1e-6)
    with pytest.raises(ValueError):
        inception_score(uniform[:5], splits=10)
