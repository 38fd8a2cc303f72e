"""Face verification on pairs: 10-fold accuracy (LFW protocol) and ROC AUC.

Huang, Ramesh, Berg & Learned-Miller, "Labeled Faces in the Wild", UMass TR 07-49,
2007, "View 2": the pairs are split into 10 folds; for each fold the similarity
threshold is chosen to maximise accuracy on the other 9 and the accuracy is measured
on the held-out fold; the result is the mean and standard deviation over the folds.
Folds are contiguous in the given order (LFW's ``pairs.txt`` is arranged by fold),
so pass pairs in a mixed order or set ``shuffle_seed``. AUC is the probability that
a same-identity pair scores higher than a different-identity pair (ties count half),
the area under the ROC curve (Mann-Whitney U).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy.stats import rankdata


@dataclasses.dataclass(frozen=True)
class VerificationResult:
    """Mean and std of the held-out fold accuracies, AUC, and each fold's threshold."""

    accuracy: float
    accuracy_std: float
    auc: float
    thresholds: tuple[float, ...]


def roc_auc(scores: np.ndarray, same: np.ndarray) -> float:
    """Area under the ROC curve of ``scores`` (higher = same) for labels ``same`` (bool)."""
    scores, same = np.asarray(scores, np.float64), np.asarray(same, bool)
    positives, negatives = int(same.sum()), int((~same).sum())
    if positives == 0 or negatives == 0:
        raise ValueError("AUC needs both same-identity and different-identity pairs")
    ranks = rankdata(scores)  # average ranks for ties
    return float((ranks[same].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def best_threshold(scores: np.ndarray, same: np.ndarray) -> float:
    """The threshold t maximising the accuracy of ``score > t`` (midpoints between scores).

    O(N log N): sorted scores, cumulative counts; ties broken towards the lowest t.
    """
    order = np.argsort(scores, kind="stable")
    values, labels = scores[order], same[order]
    count = values.size
    negatives_below = np.concatenate([[0], np.cumsum(~labels)])  # (N + 1,) for cut k
    positives_above = labels.sum() - np.concatenate([[0], np.cumsum(labels)])
    accuracy = (negatives_below + positives_above) / count
    cuts = np.arange(count + 1)
    valid = (cuts == 0) | (cuts == count)
    valid[1:count] = values[:-1] < values[1:]  # a cut between equal scores is not a threshold
    best = int(cuts[valid][np.argmax(accuracy[valid])])
    if best == 0:
        return float(values[0] - 1.0)
    if best == count:
        return float(values[-1] + 1.0)
    return float((values[best - 1] + values[best]) / 2.0)


def verification_accuracy(
    scores: np.ndarray, same: np.ndarray, folds: int = 10, shuffle_seed: int | None = None
) -> VerificationResult:
    """LFW-protocol verification accuracy with per-fold thresholds, plus AUC.

    Args:
        scores: (N,) similarity of each pair (e.g. embedding cosine similarity).
        same: (N,) True for same-identity pairs.
        folds: number of folds (10 for LFW); N >= folds.
        shuffle_seed: permute the pairs with this seed before folding (None: given order).
    """
    scores, same = np.asarray(scores, np.float64), np.asarray(same, bool)
    if scores.shape != same.shape or scores.ndim != 1:
        raise ValueError(f"scores and same must be (N,), got {scores.shape} {same.shape}")
    if folds < 2 or scores.size < folds:
        raise ValueError(f"need folds >= 2 and at least {folds} pairs, got {scores.size}")
    order = np.arange(scores.size)
    if shuffle_seed is not None:
        order = np.random.default_rng(shuffle_seed).permutation(scores.size)
    accuracies, thresholds = [], []
    for held_out in np.array_split(order, folds):
        training = np.setdiff1d(order, held_out)
        threshold = best_threshold(scores[training], same[training])
        accuracies.append(np.mean((scores[held_out] > threshold) == same[held_out]))
        thresholds.append(threshold)
    return VerificationResult(
        float(np.mean(accuracies)),
        float(np.std(accuracies)),
        roc_auc(scores, same),
        tuple(thresholds),
    )
