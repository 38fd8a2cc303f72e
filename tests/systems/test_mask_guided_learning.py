"""Learning check of the mask_guided tiny preset on SynthFaces at 64 px (held-out identities).

1. After the parser pre-training, the face parser P_F reaches mIoU >= 0.7 over the 11
   PORTRAIT_11 classes (NumPy confusion matrix over every pixel of the held-out faces).
2. After 100 generator steps, the global reconstruction error (Eq. 3.2, paired: source =
   target) on the held-out faces is at most half of its value before them.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
import tensorflow as tf
from learning_check import held_out_batch
from system_kit import HELD_OUT_FACES, LEARNING_FACES, make_system, tiny_config

from tfface.config import get_preset

GENERATOR_STEPS = 100
CLASSES = 11


def mean_iou(labels: np.ndarray, predictions: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean over the classes present (in labels or predictions) of TP / (TP + FP + FN)."""
    confusion = np.bincount(
        labels.astype(np.int64).ravel() * CLASSES + predictions.astype(np.int64).ravel(),
        minlength=CLASSES * CLASSES,
    ).reshape(CLASSES, CLASSES)
    intersection = np.diag(confusion)
    union = confusion.sum(axis=0) + confusion.sum(axis=1) - intersection
    iou = intersection / np.maximum(union, 1)
    return float(iou[union > 0].mean()), iou


@pytest.mark.slow
def test_tiny_preset_learns_to_parse_and_reconstruct(synthfaces_data) -> None:
    start = time.monotonic()
    train_dir = synthfaces_data(LEARNING_FACES)
    held_out_dir = synthfaces_data(HELD_OUT_FACES)
    pretrain_steps = get_preset("mask_guided", "tiny").model.parser_pretrain_steps
    config = tiny_config(
        "mask_guided", train_dir, f"train.steps={pretrain_steps + GENERATOR_STEPS}"
    )
    system = make_system(config)
    dataset = system.DATA(config, train_dir)
    held_out = held_out_batch(held_out_dir, ("image", "label_map_11"), 32)
    images = held_out["image"]
    paired = {
        "source_image": images,
        "source_mask": held_out["label_map_11"],
        "target_image": images,
        "target_mask": held_out["label_map_11"],
    }
    generate = tf.function(system.call)

    def reconstruction_error() -> float:
        return float(tf.reduce_mean(tf.square(generate(paired) - images)))

    system.fit(dataset.take(pretrain_steps), verbose=0)
    miou, iou = mean_iou(held_out["label_map_11_index"].numpy(), system.parse(images.numpy()))
    initial_error = reconstruction_error()
    system.fit(dataset.skip(pretrain_steps).take(GENERATOR_STEPS), verbose=0)
    final_error = reconstruction_error()
    elapsed = time.monotonic() - start
    print(
        f"parser mIoU {miou:.3f} (per class {np.round(iou, 2).tolist()}); reconstruction MSE "
        f"{initial_error:.4f} -> {final_error:.4f} ({final_error / initial_error:.2f}); {elapsed:.0f}s"
    )
    assert miou >= 0.7
    assert final_error <= 0.5 * initial_error
