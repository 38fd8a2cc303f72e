"""Evaluation of a face-embedding export (``face_recognition``): verification and Rank-1.

``tfface evaluate EXPORT --data DIR --metrics identity`` on an export whose signature
returns ``embedding`` (and no ``image``) embeds every image of the split and reports:

- verification (Huang et al. 2007, LFW "View 2"): 10-fold accuracy with the best threshold
  of the 9 other folds, ROC AUC and TAR at FAR 1e-3 / 1e-2 / 1e-1 of the cosine
  similarity, on the pairs of ``--pairs pairs.txt`` (LFW layout; its images are found by
  the records' keys ending in ``name/name_0001.jpg``, as `image_folder` writes them, folds
  as in the file), else on balanced same / different identity pairs drawn from the split
  (``verification.balanced_pairs``, seeded by ``--seed``);
- Rank-1 identification (Multi-PIE protocol, Tran et al. 2017; Yin 2022 Table 3.2): per
  identity the image nearest to frontal is the gallery, all others are probes, with the
  breakdown per yaw bucket (``report['by']``) when the records have a pose.

The report has the layout of every ``tfface evaluate`` report (``run_evaluation``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

from tfface.data.example_files import first_example, present_features
from tfface.data.reader import make_dataset
from tfface.metrics.buckets import bucket_label, pose_bucket
from tfface.metrics.evaluation_inputs import resolve_data, stored_image_size, to_uint8
from tfface.metrics.evaluation_options import EvaluationOptions
from tfface.metrics.identity import frontal_gallery, l2_normalise, rank1_identification
from tfface.metrics.verification import (
    balanced_pairs,
    lfw_image_name,
    read_pairs_file,
    tar_at_far,
    verification_accuracy,
)
from tfface.signatures.evaluation_target import EvaluationTarget

FALSE_ACCEPT_RATES = (1e-3, 1e-2, 1e-1)
MAX_GENERATED_PAIRS = 6000
"""Pairs drawn from the split without a pairs file (LFW View 2 has 6000)."""


def is_embedding_source(source: Any) -> bool:
    """Whether an export's signature returns an ``embedding`` and no ``image``."""
    outputs = getattr(source, "output_specs", {})
    return "embedding" in outputs and "image" not in outputs


def recognition_metrics(
    embeddings: np.ndarray,
    identities: np.ndarray | None,
    yaws: np.ndarray | None,
    pairs: tuple[np.ndarray, np.ndarray, np.ndarray, int] | None = None,
    seed: int = 0,
) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """(metrics, breakdown by yaw bucket, notes) of L2-normalisable embeddings (N, D).

    Args:
        embeddings: (N, D) one per image.
        identities: (N,) labels, or None (then only a pairs file gives verification).
        yaws: (N,) degrees, or None (no per-bucket Rank-1).
        pairs: (first (P,), second (P,), same (P,), folds) from a pairs file, or None
            (balanced pairs of the split's identities, 10 folds).
        seed: of the drawn pairs.
    """
    notes: list[str] = []
    metrics: dict[str, Any] = {}
    breakdown: dict[str, Any] = {}
    unit = l2_normalise(embeddings)
    if pairs is None and identities is not None:
        first, second, same = balanced_pairs(identities, MAX_GENERATED_PAIRS, seed)
        folds = max(min(10, same.size // 2), 2)  # LFW's 10; fewer on tiny splits
        pairs = (first, second, same, folds)
        notes.append(
            f"verification: {same.size} balanced same / different identity pairs drawn from "
            f"the split (seed {seed}), {folds} folds"
        )
    if pairs is not None:
        first, second, same, folds = pairs
        scores = np.sum(unit[first] * unit[second], axis=-1)
        if same.all() or not same.any() or same.size < folds:
            notes.append("verification: needs same and different pairs, at least one per fold")
        else:
            result = verification_accuracy(scores, same, folds=folds)
            metrics["verification"] = {
                "accuracy": result.accuracy,
                "accuracy_std": result.accuracy_std,
                "auc": result.auc,
                "pairs": int(same.size),
                "folds": folds,
            }
            rates = {}
            for far in FALSE_ACCEPT_RATES:
                if far * int((~same).sum()) >= 1:
                    rates[f"{far:g}"] = tar_at_far(scores, same, far)[0]
            metrics["tar_at_far"] = rates
            metrics["cosine_same"] = float(scores[same].mean())
            metrics["cosine_different"] = float(scores[~same].mean())
    if identities is None:
        notes.append("Rank-1: the dataset has no 'identity' feature")
        return metrics, breakdown, notes
    magnitude = np.abs(yaws) if yaws is not None else np.zeros(len(identities))
    gallery, probes = frontal_gallery(identities, magnitude)
    if probes.size == 0:
        notes.append("Rank-1: every identity has one image only: no probes")
        return metrics, breakdown, notes
    groups = pose_bucket(magnitude[probes]) if yaws is not None else None
    rank1 = rank1_identification(
        unit[gallery], identities[gallery], unit[probes], identities[probes], groups
    )
    metrics["rank1"] = {
        "accuracy": rank1.accuracy,
        "probes": rank1.probes,
        "gallery": int(gallery.size),
    }
    notes.append(
        "Rank-1: gallery = the image nearest to frontal of each identity, probes = the others"
    )
    for centre, (accuracy, count) in rank1.per_group.items():
        breakdown[bucket_label(centre)] = {"count": count, "rank1": accuracy}
    return metrics, breakdown, notes


def pairs_from_file(path: Path, keys: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """The pairs of an LFW pairs file as example indices, matched by key suffix."""
    parsed = read_pairs_file(str(path))
    index = {"/".join(key.split("/")[-2:]): position for position, key in enumerate(keys)}
    first, second, missing = [], [], []
    for name_a, number_a, name_b, number_b in parsed.pairs:
        for name, number, into in ((name_a, number_a, first), (name_b, number_b, second)):
            file_name = lfw_image_name(name, number)
            if file_name not in index:
                missing.append(file_name)
            into.append(index.get(file_name, -1))
    if missing:
        raise ValueError(
            f"{len(missing)} images of {path} are not in the split (by key suffix), e.g. "
            f"{missing[:3]}; build the LFW folder with `tfface data build image_folder` and "
            "evaluate the split holding every image (e.g. --splits train=1 ... --split train)"
        )
    return np.asarray(first), np.asarray(second), np.asarray(parsed.same), parsed.folds


class RecognitionEvaluation:
    """Evaluates an embedding export on a dataset split (module docstring).

    Has what `run_evaluation.write_reports` reads: ``pattern``, ``target``, ``image_size``,
    ``inception`` / ``fid`` (None), ``strategy``.
    """

    def __init__(
        self,
        source: Any,
        options: EvaluationOptions,
        strategy: tf.distribute.Strategy | None = None,
    ) -> None:
        other = [name for name in options.metrics if name != "identity"]
        if other:
            raise ValueError(
                f"an embedding export (output 'embedding') is evaluated by verification and "
                f"Rank-1: --metrics identity, not {other}"
            )
        if options.by not in (None, "yaw"):
            raise ValueError("an embedding export's Rank-1 is broken down by yaw only")
        self.source = source
        self.options = options
        self.strategy = strategy or tf.distribute.get_strategy()
        self.inception = self.fid = None
        self.pattern, self.info = resolve_data(options.data, options.split)
        example = first_example(self.pattern)
        self.present = present_features(example)
        self.image_size = options.image_size or stored_image_size(example, self.info)
        self.target = EvaluationTarget(
            "image",
            "an embedding export is scored by verification and Rank-1 on the images' identities",
        )
        if "identity" not in self.present and options.pairs is None:
            raise ValueError(
                "the dataset has no 'identity' feature: give an LFW pairs file (--pairs)"
            )

    def __enter__(self) -> RecognitionEvaluation:
        return self

    def __exit__(self, *exception: object) -> None:
        pass

    def embeddings(
        self, progress: Callable[[int], None] | None = None
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """(N, D) embeddings of the split and the records' 'identity', 'pose', 'key'."""
        features = ["image", "key"] + [
            name for name in ("identity", "pose") if name in self.present
        ]
        dataset = make_dataset(
            self.pattern,
            features=features,
            batch_size=self.options.batch_size,
            image_size=self.image_size,
            shuffle=False,
            deterministic=True,
            drop_remainder=False,
        )
        if self.options.max_examples is not None:
            dataset = (
                dataset.unbatch().take(self.options.max_examples).batch(self.options.batch_size)
            )
        embeddings, columns = [], {name: [] for name in features[1:]}
        for batch in dataset:
            outputs = self.source(image=to_uint8(batch["image"]))
            embeddings.append(np.asarray(outputs["embedding"], np.float32))
            for name in columns:
                columns[name].append(batch[name].numpy())
            if progress is not None:
                progress(int(batch["image"].shape[0]))
        if not embeddings:
            raise ValueError(f"no examples in {self.pattern}")
        return np.concatenate(embeddings), {
            name: np.concatenate(parts) for name, parts in columns.items()
        }

    def run(self, progress: Callable[[int], None] | None = None) -> dict[str, Any]:
        """{'metrics', 'by', 'notes', 'examples', 'seconds', 'samples'} (run_evaluation's form)."""
        start = time.perf_counter()
        embeddings, columns = self.embeddings(progress)
        pairs = None
        if self.options.pairs is not None:
            keys = [key.decode("utf-8") for key in columns["key"]]
            pairs = pairs_from_file(Path(self.options.pairs), keys)
        yaws = columns["pose"][:, 0] if "pose" in columns else None
        metrics, breakdown, notes = recognition_metrics(
            embeddings, columns.get("identity"), yaws, pairs, self.options.seed
        )
        return {
            "metrics": metrics,
            "by": breakdown,
            "notes": notes,
            "examples": int(embeddings.shape[0]),
            "seconds": time.perf_counter() - start,
            "samples": {},
        }
