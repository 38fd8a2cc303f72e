"""Host-side accumulation of an evaluation's per-batch outputs, and the final numbers.

The per-replica step returns per-example tensors; here they become: lists of
per-example scalars (a few floats per example), float64 feature statistics (overall
and per pose bucket), KID features / IS logits / identity embeddings when those
metrics are asked for, and confusion matrices. Never images.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from typing import Any

import numpy as np

from tfface.data.labels import PORTRAIT_11
from tfface.metrics.buckets import bucket_label, pose_bucket
from tfface.metrics.evaluation_options import KID_SCALE, EvaluationOptions
from tfface.metrics.feature_statistics import FeatureStatistics
from tfface.metrics.fid import MIN_SAMPLES, FrechetInceptionDistance
from tfface.metrics.frechet import frechet_distance_details
from tfface.metrics.identity import cosine_similarity, rank1_identification
from tfface.metrics.inception_score import inception_score
from tfface.metrics.kid import kernel_inception_distance
from tfface.metrics.parsing import ConfusionMatrix
from tfface.metrics.verification import verification_accuracy

POSE_ANGLES = ("yaw", "pitch", "roll")


def summarise(values: np.ndarray) -> dict[str, Any]:
    """mean / std / count over finite values; infinities (PSNR of equal images) counted apart."""
    values = np.asarray(values, np.float64)
    finite = values[np.isfinite(values)]
    summary: dict[str, Any] = {
        "mean": float(finite.mean()) if finite.size else None,
        "std": float(finite.std()) if finite.size else None,
        "count": int(finite.size),
    }
    if np.isinf(values).any():
        summary["infinite"] = int(np.isinf(values).sum())
    if np.isnan(values).any():
        summary["undefined"] = int(np.isnan(values).sum())  # e.g. empty masks
    return summary


class EvaluationAccumulator:
    """Collects the host outputs of every batch; ``results()`` computes the metrics.

    Args:
        options: the evaluation options.
        fid: the streaming FID (real statistics cached or accumulated), or None.
        feature_metadata: what the Inception features depend on (for per-bucket stats).
    """

    def __init__(
        self,
        options: EvaluationOptions,
        fid: FrechetInceptionDistance | None,
        feature_metadata: dict[str, Any] | None = None,
    ) -> None:
        self.options = options
        self.fid = fid
        self.metadata = dict(feature_metadata or {})
        self.scalars: dict[str, list[np.ndarray]] = defaultdict(list)
        self.buckets: list[np.ndarray] = []
        self.bucket_statistics: dict[tuple[int, str], FeatureStatistics] = {}
        self.logits: list[np.ndarray] = []
        self.embeddings: dict[str, list[np.ndarray]] = defaultdict(list)
        self.identities: list[np.ndarray] = []
        self.confusion = ConfusionMatrix(PORTRAIT_11.num_classes, PORTRAIT_11.names)
        self.bucket_confusion: dict[int, ConfusionMatrix] = {}
        self.rank1_by_bucket: dict[str, float] = {}
        self.examples = 0

    def add(self, outputs: dict[str, np.ndarray]) -> int:
        """Adds one gathered batch; returns its size."""
        count = len(next(iter(outputs.values())))
        self.examples += count
        buckets = pose_bucket(outputs["angle"]) if "angle" in outputs else None
        if buckets is not None:
            self.buckets.append(buckets)
        for name, values in outputs.items():
            if name.startswith("metric_"):
                self.scalars[name[len("metric_") :]].append(np.asarray(values, np.float64))
            elif name == "pose_error":
                for index, angle in enumerate(POSE_ANGLES):
                    self.scalars[f"pose_{angle}"].append(np.asarray(values[:, index], np.float64))
        if "generated_pool3" in outputs and self.fid is not None:
            self.fid.update_features(outputs["generated_pool3"])
            if "real_pool3" in outputs:
                self.fid.update_features(outputs["real_pool3"], real=True)
            if buckets is not None:
                self._add_bucket_features(buckets, outputs)
        if "generated_logits" in outputs:
            self.logits.append(np.asarray(outputs["generated_logits"], np.float32))
        for name in ("generated_embedding", "target_embedding"):
            if name in outputs:
                self.embeddings[name].append(np.asarray(outputs[name], np.float32))
        if "identity" in outputs:
            self.identities.append(np.asarray(outputs["identity"]))
        if "confusion" in outputs:
            self.confusion.add(outputs["confusion"])
            if buckets is not None:
                for centre in np.unique(buckets):
                    matrix = self.bucket_confusion.setdefault(
                        int(centre), ConfusionMatrix(PORTRAIT_11.num_classes, PORTRAIT_11.names)
                    )
                    matrix.add(outputs["confusion"][buckets == centre])
        return count

    def _add_bucket_features(self, buckets: np.ndarray, outputs: dict[str, np.ndarray]) -> None:
        for centre in np.unique(buckets):
            selected = buckets == centre
            for which in ("generated", "real"):
                if f"{which}_pool3" not in outputs:
                    continue
                statistics = self.bucket_statistics.setdefault(
                    (int(centre), which), FeatureStatistics(metadata=self.metadata)
                )
                statistics.update(outputs[f"{which}_pool3"][selected])

    # -- results ---------------------------------------------------------------------------

    def results(self) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
        """(metrics, breakdown by bucket, notes)."""
        notes: list[str] = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            metrics = self._metrics(notes)
            breakdown = self._breakdown(notes) if self.buckets else {}
        notes.extend(str(warning.message) for warning in caught)
        return metrics, breakdown, list(dict.fromkeys(notes))

    def _metrics(self, notes: list[str]) -> dict[str, Any]:
        options = self.options
        metrics: dict[str, Any] = {}
        for name, parts in self.scalars.items():
            metrics[name] = summarise(np.concatenate(parts))
        if options.wants("fid") and self.fid is not None:
            details = self.fid.details()
            metrics["fid"] = {
                "value": details.value,
                "generated": self.fid.generated.count,
                "real": self.fid.real.count,
                "sqrt_method": details.method,
                "reference": self.fid.reference_source,
            }
        if options.wants("kid") and self.fid is not None:
            real = self.fid.real.features
            if real is None:
                raise ValueError(
                    f"KID needs real features; {self.fid.reference_source} holds only mu / sigma "
                    "(save statistics with tfface evaluate --save-stats to keep features)"
                )
            kid = kernel_inception_distance(
                self.fid.generated.features,
                real,
                options.kid_subsets,
                options.kid_subset_size,
                options.seed,
            )
            metrics["kid"] = {
                "mean": kid.mean * KID_SCALE,
                "std": kid.std * KID_SCALE,
                "scale": KID_SCALE,
                "subset_size": kid.subset_size,
                "subsets": kid.subsets,
            }
        if options.wants("is") and self.logits:
            logits = np.concatenate(self.logits)
            splits = min(10, len(logits))
            if splits < 10:
                notes.append(f"IS: {len(logits)} samples, so {splits} splits instead of 10")
            score = inception_score(logits, splits)
            metrics["is"] = {"mean": score.mean, "std": score.std, "splits": score.splits}
        if options.wants("identity"):
            metrics.update(self._identity(notes))
        if options.wants("miou"):
            metrics["miou"] = self.confusion.report()
        return metrics

    def _identity(self, notes: list[str]) -> dict[str, Any]:
        """Cosine(output, target) per example; Rank-1 of the outputs (probes) against a gallery
        of one mean target embedding per identity; verification on 2N pairs (module text)."""
        generated = np.concatenate(self.embeddings["generated_embedding"])
        target = np.concatenate(self.embeddings["target_embedding"])
        result: dict[str, Any] = {
            "identity_cosine": summarise(cosine_similarity(generated, target))
        }
        if not self.identities:
            notes.append(
                "identity: the dataset has no 'identity' feature: no Rank-1 / verification"
            )
            return result
        identities = np.concatenate(self.identities)
        labels = np.unique(identities)
        gallery = np.stack([target[identities == label].mean(axis=0) for label in labels])
        groups = np.concatenate(self.buckets) if self.buckets else None
        rank1 = rank1_identification(gallery, labels, generated, identities, groups)
        result["rank1"] = {
            "accuracy": rank1.accuracy,
            "probes": rank1.probes,
            "gallery": int(labels.size),
        }
        if groups is not None:
            self.rank1_by_bucket = {
                bucket_label(group): accuracy for group, (accuracy, _) in rank1.per_group.items()
            }
        # Pairs: each output with its own target (same) and with the next example's target of
        # another identity (different): 2N pairs, interleaved so every fold gets both kinds.
        scores, same = [], []
        for index in range(len(identities)):
            others = np.nonzero(identities != identities[index])[0]
            scores.append(
                cosine_similarity(generated[index : index + 1], target[index : index + 1])[0]
            )
            same.append(True)
            if others.size:
                other = others[np.searchsorted(others, index) % others.size]
                scores.append(
                    cosine_similarity(generated[index : index + 1], target[other : other + 1])[0]
                )
                same.append(False)
        if labels.size < 2 or len(scores) < 10:
            notes.append("identity: fewer than 2 identities or 10 pairs: no verification accuracy")
        else:
            verification = verification_accuracy(np.asarray(scores), np.asarray(same))
            result["verification"] = {
                "accuracy": verification.accuracy,
                "accuracy_std": verification.accuracy_std,
                "auc": verification.auc,
                "pairs": len(scores),
                "folds": len(verification.thresholds),
            }
        return result

    def _breakdown(self, notes: list[str]) -> dict[str, Any]:
        buckets = np.concatenate(self.buckets)
        logits = np.concatenate(self.logits) if self.logits and self.options.wants("is") else None
        table: dict[str, Any] = {}
        for centre in sorted(np.unique(buckets).tolist()):
            selected = buckets == centre
            row: dict[str, Any] = {"count": int(selected.sum())}
            for name, parts in self.scalars.items():
                row[name] = summarise(np.concatenate(parts)[selected])["mean"]
            generated = self.bucket_statistics.get((centre, "generated"))
            real = self.bucket_statistics.get((centre, "real"))
            if generated is not None and real is not None:
                if min(generated.count, real.count) >= MIN_SAMPLES:
                    row["fid"] = frechet_distance_details(
                        generated.mean,
                        generated.covariance,
                        real.mean,
                        real.covariance,
                        method=self.options.fid_sqrt,
                        features1=generated.small_features,
                        features2=real.small_features,
                    ).value
            if logits is not None:  # IS per bucket (Sevastopolskiy 2019 Table 4.1), up to 10 splits
                row["is"] = inception_score(logits[selected], min(10, int(selected.sum()))).mean
            if bucket_label(centre) in self.rank1_by_bucket:
                row["rank1"] = self.rank1_by_bucket[bucket_label(centre)]
            if centre in self.bucket_confusion:
                row["miou"] = self.bucket_confusion[centre].mean_iou()
            table[bucket_label(centre)] = row
        if self.options.wants("fid") and self.fid is not None and self.fid.real_is_cached:
            notes.append(
                "FID per bucket needs real images per bucket: not computed with --reference-stats"
            )
        elif self.options.wants("fid"):
            notes.append(
                "FID per bucket compares generated and real images of the bucket; "
                "buckets hold few samples, so these values are strongly biased upwards"
            )
        return table
