"""Learning check of the warp_rotation tiny preset on SynthFaces at 64 px (held-out identities).

After the tiny preset's 400 steps on pose pairs (yaws -30, 0, 30, each with its frontal view,
half of them turned around for any-yaw training), rotating held-out faces at yaw 30 to frontal
gives an image closer to the true frontal view than the unwarped input is: the masked L1 over
the visible face of the target (PORTRAIT_11 labels 1-9: skin to lower lip, no hair, no
background, whose colours SynthFaces draws anew for every view) is at most 95% of the input's.
About 1.5 minutes on 2 CPU cores.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from tfface.config import apply_overrides, get_preset
from tfface.data.reader import make_dataset
from tfface.systems import registry

FACE_LABELS = (1, 9)
"""PORTRAIT_11 labels 1 (skin) .. 9 (lower lip): the face without hair and background."""


def pose_pairs(folder, identities: int, first_identity: int, yaws: list[str]) -> str:
    from pipelines import synthfaces as job

    job.main(
        ["--output", str(folder), "--identities", str(identities), "--size", "64"]
        + ["--uv-size", "32", "--yaws", *yaws, "--first-identity", str(first_identity)]
        + ["--pair-with-frontal", "--splits", "train=1,validation=0,test=0"]
    )
    return str(folder)


def face_l1(images: np.ndarray, targets: np.ndarray, face: np.ndarray) -> float:
    """sum |images - targets| over the face pixels / (3 |face|): L_pix1's normalisation."""
    return float((np.abs(images - targets) * face).sum() / (3.0 * face.sum()))


@pytest.mark.slow
def test_tiny_preset_rotates_yaw_30_towards_frontal(tmp_path) -> None:
    start = time.monotonic()
    train_dir = pose_pairs(tmp_path / "train", 60, 0, ["-30", "0", "30"])
    held_out_dir = pose_pairs(tmp_path / "held_out", 16, 1000, ["30"])
    spec = registry.get("warp_rotation")
    config = apply_overrides(get_preset("warp_rotation", "tiny"), [f"data.data_dir={train_dir}"])
    system = spec.build(config)
    spec.compile(system, config)
    held_out = next(
        iter(
            make_dataset(
                f"{held_out_dir}/train-*.tfrecord",
                features=("image", "target_image", "pose", "target_label_map_11"),
                batch_size=16,
                image_size=64,
                one_hot=False,
                shuffle=False,
            )
        )
    )
    assert np.all(held_out["pose"].numpy()[:, 0] == 30.0)
    images, targets = held_out["image"].numpy(), held_out["target_image"].numpy()
    labels = held_out["target_label_map_11"].numpy()
    face = ((labels >= FACE_LABELS[0]) & (labels <= FACE_LABELS[1]))[..., None]
    unwarped = face_l1(images, targets, face)

    system.fit(spec.dataset(config, train_dir).take(config.train.steps), verbose=0)
    rotated = face_l1(system.rotate(images, 0.0)["image"], targets, face)
    elapsed = time.monotonic() - start
    print(
        f"face L1 to the frontal view: unwarped input {unwarped:.4f}, rotated {rotated:.4f} "
        f"({rotated / unwarped:.2f}); {config.train.steps} steps, {elapsed:.0f}s"
    )
    assert rotated <= 0.95 * unwarped
