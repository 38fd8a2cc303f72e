"""Sample diversity of multimodal generators: mean pairwise distance between samples.

The protocol of Zhu et al., "Toward Multimodal Image-to-Image Translation"
(BicycleGAN), NeurIPS 2017, Section 4 (and Lee et al., DRIT, ECCV 2018): for each of
N inputs draw M outputs (different latent codes), compute the perceptual distance
(``tfface.metrics.perceptual``, LPIPS form, Zhang 2018) between every pair of the M
outputs, average over the M(M-1)/2 pairs, then over the inputs. Higher is more
diverse; a deterministic generator scores 0. Streams one input's samples at a time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import tensorflow as tf

Distance = Callable[[tf.Tensor, tf.Tensor], tf.Tensor]
"""(P, H, W, C) x 2 -> (P,) distances; one with a ``pairwise(samples, first, second)``
method (``PerceptualDistance``) computes each sample's features once."""


@dataclasses.dataclass(frozen=True)
class DiversityResult:
    """Mean (and std over inputs) of the per-input mean pairwise distance."""

    mean: float
    std: float
    inputs: int
    samples_per_input: int


def pairwise_distance_mean(samples: tf.Tensor, distance: Distance) -> float:
    """Mean distance over the M(M-1)/2 pairs of (M, H, W, C) samples of one input."""
    count = int(samples.shape[0])
    if count < 2:
        raise ValueError(f"diversity needs at least 2 samples per input, got {count}")
    first, second = np.triu_indices(count, k=1)
    pairwise = getattr(distance, "pairwise", None)  # PerceptualDistance: features once per sample
    if pairwise is not None:
        values = pairwise(samples, first, second)
    else:
        values = distance(tf.gather(samples, first), tf.gather(samples, second))
    return float(np.mean(np.asarray(values, np.float64)))


class Diversity:
    """Streaming diversity: ``update`` with the M samples of each input, then ``result``.

    Args:
        distance: pairwise distance function, e.g. a ``PerceptualDistance``.
    """

    def __init__(self, distance: Distance) -> None:
        self.distance = distance
        self.per_input: list[float] = []
        self.samples_per_input = 0

    def update(self, samples: tf.Tensor) -> None:
        """Adds (M, H, W, C) samples of one input, or (N, M, H, W, C) for N inputs."""
        samples = tf.convert_to_tensor(samples)
        groups = [samples] if samples.shape.rank == 4 else list(samples)
        for group in groups:
            self.per_input.append(pairwise_distance_mean(group, self.distance))
            self.samples_per_input = int(group.shape[0])

    def result(self) -> DiversityResult:
        if not self.per_input:
            raise ValueError("no inputs were added")
        values = np.asarray(self.per_input)
        return DiversityResult(
            float(values.mean()), float(values.std()), len(values), self.samples_per_input
        )
