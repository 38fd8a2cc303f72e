"""Inception Score from classifier logits.

Salimans et al., "Improved Techniques for Training GANs", NeurIPS 2016, Section 4:
IS = exp(E_x KL(p(y|x) || p(y))), computed on ``splits`` (10) consecutive equal
parts of the samples, reported as mean and standard deviation over the parts, as
the reference code does. p(y|x) is the softmax of InceptionV3's ImageNet logits
(keras.applications weights: comparable between tfface runs, not with published
numbers, see ``tfface.metrics.fid``). float64, log-sum-exp stable.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy.special import log_softmax


@dataclasses.dataclass(frozen=True)
class InceptionScoreResult:
    """IS mean and standard deviation over ``splits`` parts."""

    mean: float
    std: float
    splits: int


def inception_score(logits: np.ndarray, splits: int = 10) -> InceptionScoreResult:
    """Inception Score of (N, classes) logits over ``splits`` consecutive parts (Salimans 2016).

    Args:
        logits: pre-softmax class scores, (N, K), N >= splits.
        splits: number of parts (10 in the reference).
    """
    logits = np.asarray(logits, np.float64)
    if logits.ndim != 2:
        raise ValueError(f"logits must be (N, classes), got shape {logits.shape}")
    if splits < 1 or logits.shape[0] < splits:
        raise ValueError(
            f"need at least {splits} samples for {splits} splits, got {logits.shape[0]}"
        )
    log_probabilities = log_softmax(logits, axis=1)  # log p(y|x)
    scores = []
    for part in np.array_split(log_probabilities, splits, axis=0):
        log_marginal = np.log(np.mean(np.exp(part), axis=0))  # log p(y)
        probabilities = np.exp(part)
        divergence = np.sum(probabilities * (part - log_marginal[None, :]), axis=1)
        scores.append(np.exp(np.mean(divergence)))
    return InceptionScoreResult(float(np.mean(scores)), float(np.std(scores)), splits)
