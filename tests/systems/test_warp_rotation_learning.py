"""Learning check of the warp_rotation tiny preset on SynthFaces at 64 px (held-out identities).

After the tiny preset's 400 steps on pose pairs (yaws -30, 0, 30, each with its frontal view,
half of them turned around for any-yaw training), rotating held-out faces at yaw 30 to frontal
gives an image closer to the true frontal view than the unwarped input is: the masked L1 over
the visible face of the target (PORTRAIT_11 labels 1-9: skin to lower lip, no hair, no
background, whose colours SynthFaces draws anew for every view) is at most 95% of the input's.
About 1 minute on 2 CPU cores (1.5 on a busy machine).

The warped image alone (before inpainting, holes black) is measured and printed, not asserted:
at this budget the warp field stays close to the identity. Measured (face L1 to the frontal
view; Beam's record order changes the outcome, so several builds / data seeds):

- these per-pose scenes: input 0.261, warped 0.259-0.260, rotated 0.215-0.245.
- pairs built with `--shared-scene` (one lighting and background per identity, as in
  Multi-PIE): input 0.189 (with the same lighting the input itself is a closer baseline);
  warped mostly 0.175-0.190 (at best 0.93 of the input), sometimes 0.20-0.37 (BatchNorm
  spikes), with any of: the preset, model.warp_weight 1.0, train.learning_rate 3e-3 or
  3e-4, model.regressor_norm instance, model.reverse_fraction 0, EMA weights, 600 or 1200
  steps; rotated 0.155-0.34, at most 95% of the input in 16 of 42 runs (1 of 6 with the
  preset as it is), so this check keeps the per-pose scenes. The regressor trained alone
  on the warp loss learns from yaw 30 or +-30 to frontal pairs in 400 steps (warped
  0.145-0.153), but not from this mixture with identity pairs (yaw 0 to frontal) and
  reversed pairs (frontal to +-30), not even in 1600 steps.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
import tensorflow as tf
from learning_check import held_out_batch
from system_kit import make_system, tiny_config

FACE_LABELS = (1, 9)
"""PORTRAIT_11 labels 1 (skin) .. 9 (lower lip): the face without hair and background."""


def pose_pairs(folder, identities: int, first_identity: int, yaws: list[str]) -> str:
    from pipelines import synthfaces as job

    job.main(
        ["--output", str(folder), "--identities", str(identities), "--size", "64"]
        + ["--uv-size", "32", "--yaws", *yaws, "--first-identity", str(first_identity)]
        + ["--pair-with-frontal", "--splits", "train=1,validation=0,test=0"]
    )
    canonical_order(folder)
    return str(folder)


def canonical_order(folder) -> None:
    """Rewrites the train shards as one shard sorted by key.

    Beam writes records to shards in an order that changes from build to build, and that
    order changes what a short GAN training learns (one run in four collapsed); sorted
    records make the check reproducible.
    """
    files = sorted(tf.io.gfile.glob(f"{folder}/train-*.tfrecord"))
    records = [record.numpy() for record in tf.data.TFRecordDataset(files)]
    keys = [
        tf.train.Example.FromString(record).features.feature["key"].bytes_list.value[0]
        for record in records
    ]
    for file in files:
        tf.io.gfile.remove(file)
    with tf.io.TFRecordWriter(f"{folder}/train-00000-of-00001.tfrecord") as writer:
        for _, record in sorted(zip(keys, records, strict=True)):
            writer.write(record)


def face_l1(images: np.ndarray, targets: np.ndarray, face: np.ndarray) -> float:
    """sum |images - targets| over the face pixels / (3 |face|): L_pix1's normalisation."""
    return float((np.abs(images - targets) * face).sum() / (3.0 * face.sum()))


@pytest.mark.slow
def test_tiny_preset_rotates_yaw_30_towards_frontal(tmp_path) -> None:
    start = time.monotonic()
    train_dir = pose_pairs(tmp_path / "train", 60, 0, ["-30", "0", "30"])
    held_out_dir = pose_pairs(tmp_path / "held_out", 16, 1000, ["30"])
    config = tiny_config("warp_rotation", train_dir)
    system = make_system(config)
    held_out = held_out_batch(
        held_out_dir, ("image", "target_image", "pose", "target_label_map_11"), 16, one_hot=False
    )
    assert np.all(held_out["pose"].numpy()[:, 0] == 30.0)
    images, targets = held_out["image"].numpy(), held_out["target_image"].numpy()
    labels = held_out["target_label_map_11"].numpy()
    face = ((labels >= FACE_LABELS[0]) & (labels <= FACE_LABELS[1]))[..., None]
    unwarped = face_l1(images, targets, face)

    system.fit(system.DATA(config, train_dir).take(config.train.steps), verbose=0)
    outputs = system.rotate(images, 0.0)  # 'image', 'warped' (holes black): (16, 64, 64, 3)
    rotated = face_l1(outputs["image"], targets, face)
    warped = face_l1(outputs["warped"], targets, face)  # the warp alone, before inpainting
    elapsed = time.monotonic() - start
    print(
        f"face L1 to the frontal view: unwarped input {unwarped:.4f}, warped {warped:.4f} "
        f"({warped / unwarped:.2f}), rotated {rotated:.4f} ({rotated / unwarped:.2f}); "
        f"{config.train.steps} steps, {elapsed:.0f}s"
    )
    assert rotated <= 0.95 * unwarped
