"""Cosine similarity, Rank-1 identification and LFW-style verification on hand-built data."""

from __future__ import annotations

import numpy as np
import pytest

from tfface.metrics.identity import IdentitySimilarity, cosine_similarity, rank1_identification
from tfface.metrics.verification import best_threshold, roc_auc, verification_accuracy


def test_cosine_similarity_known_values() -> None:
    first = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 2.0]])
    second = np.array([[2.0, 0.0], [-1.0, -1.0], [1.0, 0.0]])
    np.testing.assert_allclose(cosine_similarity(first, second), [1.0, -1.0, 0.0], atol=1e-12)
    similarity = IdentitySimilarity(lambda images: np.asarray(images).reshape(len(images), -1))
    np.testing.assert_allclose(similarity(first[:, None], second[:, None]), [1.0, -1.0, 0.0])


def test_rank1_on_a_hand_built_gallery() -> None:
    gallery = np.eye(3)  # identities 10, 20, 30 along the axes
    labels = [10, 20, 30]
    probes = np.array(
        [
            [0.9, 0.1, 0.0],  # 10, right
            [0.1, 0.8, 0.3],  # 20, right
            [0.6, 0.0, 0.5],  # 30, wrong (closer to 10)
            [0.0, 0.2, 0.9],  # 30, right
        ]
    )
    result = rank1_identification(
        gallery, labels, probes, [10, 20, 30, 30], ["0", "0", "±45", "±45"]
    )
    assert result.accuracy == pytest.approx(0.75) and result.correct == 3 and result.probes == 4
    assert result.per_group == {"0": (1.0, 2), "±45": (0.5, 2)}
    with pytest.raises(ValueError, match="not in the gallery"):
        rank1_identification(gallery, labels, probes[:1], [40])


def test_auc_known_values() -> None:
    same = np.array([True, True, False, False])
    assert roc_auc(np.array([0.9, 0.8, 0.1, 0.2]), same) == 1.0
    assert roc_auc(np.array([0.1, 0.2, 0.9, 0.8]), same) == 0.0
    assert roc_auc(np.array([0.9, 0.2, 0.5, 0.1]), same) == pytest.approx(0.75)
    assert roc_auc(np.array([0.5, 0.5, 0.5, 0.5]), same) == pytest.approx(0.5)  # ties count half


def test_best_threshold_and_ten_fold_accuracy() -> None:
    scores = np.array([0.1, 0.2, 0.3, 0.6, 0.7, 0.9])
    same = np.array([False, False, False, True, True, True])
    assert 0.3 < best_threshold(scores, same) < 0.6
    generator = np.random.default_rng(0)
    labels = np.tile([True, False], 100)
    separable = np.where(
        labels, generator.uniform(0.6, 1.0, 200), generator.uniform(-1.0, 0.4, 200)
    )
    result = verification_accuracy(separable, labels)
    assert result.accuracy == 1.0 and result.accuracy_std == 0.0 and result.auc == 1.0
    assert len(result.thresholds) == 10 and all(0.4 <= t <= 0.6 for t in result.thresholds)
    # One mislabelled pair per fold of 20 pairs: 95% held-out accuracy in every fold.
    flipped = labels.copy()
    flipped[::20] = ~flipped[::20]
    noisy = verification_accuracy(separable, flipped)
    assert noisy.accuracy == pytest.approx(0.95)
    assert verification_accuracy(separable, flipped, shuffle_seed=1).accuracy == pytest.approx(
        0.95, abs=0.03
    )
