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


# -- LFW pairs files and TAR@FAR (face_recognition) -----------------------------------------

PairEntry = tuple[str, int, str, int]
"""(first name, first image number, second name, second image number): one pairs.txt line."""


@dataclasses.dataclass(frozen=True)
class PairsFile:
    """An LFW ``pairs.txt``: ``folds`` x (``per_fold`` same pairs then ``per_fold`` different).

    ``pairs`` are in file order (fold by fold), ``same`` says which pairs are of one person.
    """

    folds: int
    per_fold: int
    pairs: tuple[PairEntry, ...]
    same: tuple[bool, ...]


def read_pairs_file(path: str) -> PairsFile:
    """Parses the LFW ``pairs.txt`` layout (Huang et al. 2007, View 2).

    First line ``<folds> <per_fold>`` (or just ``<per_fold>``, one fold: ``pairsDevTest.txt``);
    then per fold ``per_fold`` lines ``name n1 n2`` (same person) followed by ``per_fold``
    lines ``name1 n1 name2 n2`` (different people); image numbers start at 1.

    Raises:
        ValueError: a line of another form, or a count that does not match the header.
    """
    with open(path, encoding="utf-8") as handle:
        lines = [line.split() for line in handle if line.strip()]
    if not lines:
        raise ValueError(f"{path}: empty pairs file")
    try:
        header = [int(value) for value in lines[0]]
    except ValueError as error:
        raise ValueError(f"{path}: the first line must be '<folds> <pairs per fold>'") from error
    if len(header) not in (1, 2) or min(header) < 1:
        raise ValueError(f"{path}: the first line must be '<folds> <pairs per fold>'")
    folds, per_fold = (1, header[0]) if len(header) == 1 else header
    pairs: list[PairEntry] = []
    same: list[bool] = []
    for number, fields in enumerate(lines[1:], start=2):
        try:
            if len(fields) == 3:
                pairs.append((fields[0], int(fields[1]), fields[0], int(fields[2])))
                same.append(True)
            elif len(fields) == 4:
                pairs.append((fields[0], int(fields[1]), fields[2], int(fields[3])))
                same.append(fields[0] == fields[2])
            else:
                raise ValueError
        except ValueError as error:
            raise ValueError(
                f"{path}:{number}: expected 'name n1 n2' or 'name1 n1 name2 n2', got {fields}"
            ) from error
    if len(pairs) != 2 * folds * per_fold:
        raise ValueError(
            f"{path}: the header promises {folds} folds x 2 x {per_fold} pairs, found {len(pairs)}"
        )
    return PairsFile(folds, per_fold, tuple(pairs), tuple(same))


def lfw_image_name(name: str, number: int) -> str:
    """The LFW file of a pairs entry, relative to the dataset root: ``name/name_0001.jpg``."""
    return f"{name}/{name}_{number:04d}.jpg"


def tar_at_far(scores: np.ndarray, same: np.ndarray, far: float) -> tuple[float, float]:
    """True accept rate at a false accept rate: (TAR, threshold).

    The threshold is the smallest t with ``mean(score > t | different) <= far``: the
    ceil(... ) largest different-pair score bounds it; TAR = ``mean(score > t | same)``.

    Raises:
        ValueError: no same or no different pairs, or far outside (0, 1].
    """
    scores, same = np.asarray(scores, np.float64), np.asarray(same, bool)
    if not 0.0 < far <= 1.0:
        raise ValueError(f"FAR must lie in (0, 1], got {far}")
    negatives = np.sort(scores[~same])[::-1]  # different pairs, highest first
    if negatives.size == 0 or not same.any():
        raise ValueError("TAR@FAR needs both same-identity and different-identity pairs")
    allowed = int(np.floor(far * negatives.size + 1e-9))  # false accepts allowed
    threshold = (
        float(negatives[allowed]) if allowed < negatives.size else float(negatives[-1] - 1.0)
    )
    return float(np.mean(scores[same] > threshold)), threshold


def nth_outside(sorted_members: np.ndarray, k: int) -> int:
    """The k-th (0-based) integer >= 0 that is not in `sorted_members` (ascending, unique):
    k plus the members below it, found by bisection (g[i] - i integers are missing before
    member i)."""
    missing_before = sorted_members - np.arange(sorted_members.size)
    return k + int(np.searchsorted(missing_before, k, side="right"))


def balanced_pairs(
    identities: np.ndarray, max_pairs: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Same-identity and as many different-identity pairs of examples (seeded, O(N log N)).

    Each example is paired with a random other example of its identity (same) and a random
    example of another identity (different); duplicates are dropped and each kind is cut to
    the smaller count and to ``max_pairs // 2``; the kinds alternate (same, different, ...)
    so that every fold of ``verification_accuracy`` gets both.

    Returns (first index (N,), second index (N,), same (N,) bool).
    """
    identities = np.asarray(identities)
    if identities.ndim != 1 or max_pairs < 2:
        raise ValueError(f"identities must be (N,) and max_pairs >= 2, got {identities.shape}")
    rng = np.random.default_rng(seed)
    # Members of each identity, grouped once: (N,) group of each example, members by group.
    _, group_of, counts = np.unique(identities, return_inverse=True, return_counts=True)
    members = np.split(np.argsort(group_of, kind="stable"), np.cumsum(counts)[:-1])
    kinds = []
    for same in (True, False):
        pairs = set()
        for index in rng.permutation(identities.size):
            group = members[group_of[index]]
            if same:
                if group.size < 2:
                    continue
                other = int(group[rng.integers(group.size - 1)])
                other = other if other != index else int(group[-1])
            else:
                if group.size == identities.size:
                    continue
                # A uniform example outside the group: the k-th of the N - |group| others.
                other = nth_outside(group, int(rng.integers(identities.size - group.size)))
            pairs.add((min(int(index), other), max(int(index), other)))
        kinds.append(sorted(pairs))
    count = min(len(kinds[0]), len(kinds[1]), max_pairs // 2)
    chosen = []
    for kind in kinds:
        order = rng.permutation(len(kind))[:count]
        chosen.append(np.asarray([kind[i] for i in order], np.int64).reshape(-1, 2))
    pairs = np.empty((2 * count, 2), np.int64)
    pairs[0::2], pairs[1::2] = chosen[0], chosen[1]
    same = np.zeros(2 * count, bool)
    same[0::2] = True
    return pairs[:, 0], pairs[:, 1], same
