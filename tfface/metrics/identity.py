"""Identity preservation: embedding cosine similarity and Rank-1 identification.

Works with any face embedding model (a callable images -> (B, D) embeddings: the
tfface ``face_recognition`` ArcFace network, an exported SavedModel, a stub in
tests). Cosine similarity between the embeddings of a generated face and its
ground truth measures identity preservation (as in Yin 2022 and the pose-editing
literature). Rank-1 identification (closed set, as in the Multi-PIE protocol of
Tran et al., DR-GAN, CVPR 2017): each probe is assigned the identity of the most
cosine-similar gallery embedding; accuracy overall and per group (pose bucket).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable, Sequence

import numpy as np

EmbeddingModel = Callable[..., object]
"""images (B, H, W, 3) -> (B, D) embeddings."""


def l2_normalise(embeddings: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), float64."""
    embeddings = np.asarray(embeddings, np.float64)
    norms = np.linalg.norm(embeddings, axis=-1, keepdims=True)
    return embeddings / np.where(norms > 0, norms, 1.0)


def cosine_similarity(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Row-wise cosine similarity of (B, D) embeddings -> (B,) float64 in [-1, 1]."""
    first, second = np.asarray(first), np.asarray(second)
    if first.shape != second.shape or first.ndim != 2:
        raise ValueError(f"embeddings must be two (B, D) arrays, got {first.shape} {second.shape}")
    return np.sum(l2_normalise(first) * l2_normalise(second), axis=-1)


class IdentitySimilarity:
    """Cosine similarity per example between the embeddings of two image batches.

    Args:
        embedding_model: images -> (B, D) embeddings (tensor or array).
    """

    def __init__(self, embedding_model: EmbeddingModel) -> None:
        self.embedding_model = embedding_model

    def embed(self, images) -> np.ndarray:
        outputs = self.embedding_model(images)
        return np.asarray(outputs.numpy() if hasattr(outputs, "numpy") else outputs)

    def __call__(self, first, second) -> np.ndarray:
        """(B, H, W, 3) x 2 -> (B,) float64."""
        return cosine_similarity(self.embed(first), self.embed(second))


@dataclasses.dataclass(frozen=True)
class Rank1Result:
    """Rank-1 accuracy overall and per group: ``per_group[group] = (accuracy, probes)``."""

    accuracy: float
    correct: int
    probes: int
    per_group: dict[Hashable, tuple[float, int]]


def rank1_identification(
    gallery_embeddings: np.ndarray,
    gallery_labels: Sequence[Hashable],
    probe_embeddings: np.ndarray,
    probe_labels: Sequence[Hashable],
    probe_groups: Sequence[Hashable] | None = None,
) -> Rank1Result:
    """Closed-set Rank-1 identification by cosine similarity.

    Args:
        gallery_embeddings: (G, D), one or more per identity.
        gallery_labels: (G,) identity of each gallery entry.
        probe_embeddings: (P, D).
        probe_labels: (P,) true identity of each probe; all must be in the gallery.
        probe_groups: optional (P,) group of each probe (e.g. yaw bucket) for the breakdown.

    Returns:
        Accuracy overall and per group. Ties go to the first gallery entry.
    """
    gallery_labels = np.asarray(gallery_labels)
    probe_labels = np.asarray(probe_labels)
    if len(gallery_labels) != len(gallery_embeddings) or len(probe_labels) != len(probe_embeddings):
        raise ValueError("each embedding needs exactly one label")
    if len(probe_labels) == 0:
        raise ValueError("no probes")
    missing = set(probe_labels.tolist()) - set(gallery_labels.tolist())
    if missing:
        raise ValueError(
            f"closed-set identification: probe identities {sorted(missing)[:10]} are not in the gallery"
        )
    similarities = l2_normalise(probe_embeddings) @ l2_normalise(gallery_embeddings).T  # (P, G)
    predicted = gallery_labels[np.argmax(similarities, axis=1)]
    hits = predicted == probe_labels
    per_group: dict[Hashable, tuple[float, int]] = {}
    if probe_groups is not None:
        groups = np.asarray(probe_groups)
        for group in sorted(set(groups.tolist()), key=str):
            selected = hits[groups == group]
            per_group[group] = (float(selected.mean()), int(selected.size))
    return Rank1Result(float(hits.mean()), int(hits.sum()), int(hits.size), per_group)


def frontal_gallery(
    identities: Sequence[Hashable], yaws: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The Multi-PIE style split (Tran et al. 2017; Yin 2022 sec. 3.4.3): per identity the
    image nearest to frontal (smallest |yaw|, the first on ties) is the gallery, every other
    image is a probe. Returns (gallery indices, probe indices), int arrays."""
    identities = np.asarray(identities)
    magnitude = np.abs(np.asarray(yaws, np.float64))
    if identities.shape != magnitude.shape:
        raise ValueError(f"one yaw per example: {identities.shape} vs {magnitude.shape}")
    gallery = []
    for label in np.unique(identities):
        members = np.nonzero(identities == label)[0]
        gallery.append(members[np.argmin(magnitude[members])])
    gallery_indices = np.asarray(sorted(gallery), np.int64)
    probe_indices = np.setdiff1d(np.arange(identities.size), gallery_indices)
    return gallery_indices, probe_indices
