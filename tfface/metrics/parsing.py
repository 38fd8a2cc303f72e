"""Face-parsing quality: a streamed confusion matrix, per-class IoU, mIoU and pixel accuracy.

Long, Shelhamer & Darrell, "Fully Convolutional Networks for Semantic
Segmentation", CVPR 2015, Section 5 (pixel accuracy, mean IU), as used for the face
parser of Gu et al., CVPR 2019. The confusion matrix (rows = ground truth, columns
= prediction) is summed over batches; only it is kept. IoU_c = TP / (TP + FP + FN);
classes absent from both ground truth and predictions have NaN IoU and are left out
of the mean. Pixels labelled ``ignore_label`` (255, ``tfface.data.labels.UNKNOWN_LABEL``)
are skipped.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import tensorflow as tf

IGNORE_LABEL = 255


def batch_confusion(
    labels: tf.Tensor, predictions: tf.Tensor, num_classes: int, ignore_label: int = IGNORE_LABEL
) -> tf.Tensor:
    """Per-example confusion matrices (B, K, K) int64 from (B, H, W) label maps.

    ``predictions`` may also be (B, H, W, K) scores (argmax is taken).
    """
    labels = tf.convert_to_tensor(labels)
    predictions = tf.convert_to_tensor(predictions)
    if predictions.shape.rank == 4 and predictions.shape[-1] == num_classes and num_classes > 1:
        predictions = tf.argmax(predictions, axis=-1)
    if labels.shape.rank == 4:
        labels = labels[..., 0]
    if predictions.shape.rank == 4:
        predictions = predictions[..., 0]
    labels = tf.cast(labels, tf.int64)
    predictions = tf.cast(predictions, tf.int64)
    valid = tf.logical_and(
        tf.not_equal(labels, ignore_label), tf.logical_and(labels >= 0, labels < num_classes)
    )
    predictions = tf.clip_by_value(predictions, 0, num_classes - 1)
    batch = tf.shape(labels, out_type=tf.int64)[0]
    example = tf.broadcast_to(
        tf.range(batch, dtype=tf.int64)[:, None, None], tf.shape(labels, out_type=tf.int64)
    )
    flat = (example * num_classes + labels) * num_classes + predictions
    counts = tf.math.bincount(
        tf.boolean_mask(flat, valid),
        minlength=batch * num_classes * num_classes,
        maxlength=batch * num_classes * num_classes,
        dtype=tf.int64,
    )
    return tf.reshape(counts, [batch, num_classes, num_classes])


class ConfusionMatrix:
    """Streaming confusion matrix over label maps.

    Args:
        num_classes: K (11 for PORTRAIT_11, 19 for CELEBAMASK_HQ_19).
        class_names: optional names for the per-class report.
        ignore_label: ground-truth value that is skipped.
    """

    def __init__(
        self,
        num_classes: int,
        class_names: Sequence[str] | None = None,
        ignore_label: int = IGNORE_LABEL,
    ) -> None:
        self.num_classes = num_classes
        self.class_names = (
            tuple(class_names) if class_names else tuple(map(str, range(num_classes)))
        )
        if len(self.class_names) != num_classes:
            raise ValueError(f"{len(self.class_names)} class names for {num_classes} classes")
        self.ignore_label = ignore_label
        self.matrix = np.zeros((num_classes, num_classes), np.int64)

    def update(self, labels, predictions) -> None:
        """Adds (B, H, W) ground truth and (B, H, W) labels or (B, H, W, K) scores."""
        confusion = batch_confusion(labels, predictions, self.num_classes, self.ignore_label)
        self.add(np.asarray(confusion).sum(axis=0))

    def add(self, matrix: np.ndarray) -> None:
        """Adds a precomputed (K, K) (or per-example (B, K, K)) confusion matrix."""
        matrix = np.asarray(matrix, np.int64)
        self.matrix += matrix.sum(axis=0) if matrix.ndim == 3 else matrix

    def iou(self) -> np.ndarray:
        """(K,) per-class IoU, NaN for classes in neither ground truth nor prediction."""
        true_positive = np.diag(self.matrix).astype(np.float64)
        union = self.matrix.sum(axis=0) + self.matrix.sum(axis=1) - true_positive
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(union > 0, true_positive / union, np.nan)

    def mean_iou(self) -> float:
        values = self.iou()
        return float(np.nanmean(values)) if np.any(np.isfinite(values)) else float("nan")

    def pixel_accuracy(self) -> float:
        total = self.matrix.sum()
        return float(np.trace(self.matrix) / total) if total else float("nan")

    def class_accuracy(self) -> np.ndarray:
        """(K,) per-class pixel accuracy (recall), NaN for classes absent from the ground truth."""
        support = self.matrix.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(support > 0, np.diag(self.matrix) / support, np.nan)

    def report(self) -> dict:
        """JSON-ready summary: mIoU, pixel accuracy, per-class IoU and accuracy."""
        iou, accuracy = self.iou(), self.class_accuracy()

        def clean(value: float) -> float | None:
            return None if np.isnan(value) else float(value)

        return {
            "miou": clean(self.mean_iou()),
            "pixel_accuracy": clean(self.pixel_accuracy()),
            "per_class": {
                name: {"iou": clean(iou[index]), "accuracy": clean(accuracy[index])}
                for index, name in enumerate(self.class_names)
            },
        }
