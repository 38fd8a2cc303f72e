"""Recognition trained with and without synthesized faces: one table (Yin 2022 Table 4.1).

The thesis's experiment: train the same recognition network on CASIA-WebFace and on
CASIA + faces synthesized by its generator (rotated to larger yaws), then compare
verification accuracy and AUC. On SynthFaces the effect is measurable on poses the
training data lack: frontal-only training identities, probes at large yaw.

    # 1. frontal-only training faces, and the same identities at large yaw (probes)
    tfface data build synthfaces --output data/frontal --identities 100 --yaws 0 --size 64 \\
        --splits train=1,validation=0,test=0
    tfface data build synthfaces --output data/probes --identities 100 --yaws 0 45 60 \\
        --size 64 --splits train=0,validation=0,test=1
    # 2. the same faces plus synthesized views (any generator export, e.g. warp_rotation)
    tfface data build identity_augmentation --input data/frontal \\
        --generator exports/warp_rotation --signature rotate_to_yaw \\
        --value target_yaw=30,45,60 --ratio 1 --output data/augmented
    # 3. train both with one config and compare on the probes (gallery: the frontal image)
    python -m tfface.systems.face_recognition.augmentation_study --preset tiny \\
        --plain data/frontal --augmented data/augmented --probes data/probes \\
        --probe-split test --out study/

writes study/table.md and study/table.json: per training set the verification accuracy,
AUC, TAR@FAR 1e-2 and Rank-1 overall and per yaw bucket
(`tfface.metrics.evaluation_recognition.recognition_metrics`).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tfface.config import apply_overrides, get_preset
from tfface.data.reader import make_dataset
from tfface.metrics.buckets import bucket_order
from tfface.metrics.evaluation_recognition import recognition_metrics
from tfface.systems import registry
from tfface.systems.face_recognition.data import identity_count
from tfface.systems.splits import split_pattern


def probe_embeddings(system, probe_dir: str, split: str) -> tuple[np.ndarray, ...]:
    """(embeddings (N, D), identities (N,), yaws (N,)) of a split of identity-labelled faces."""
    dataset = make_dataset(
        split_pattern(probe_dir, split),
        features=("image", "identity", "pose"),
        batch_size=64,
        image_size=system.image_size,
        shuffle=False,
        deterministic=True,
        drop_remainder=False,
    )
    parts: dict[str, list[np.ndarray]] = {"embedding": [], "identity": [], "yaw": []}
    for batch in dataset:
        parts["embedding"].append(system.embed(batch["image"]).numpy())
        parts["identity"].append(batch["identity"].numpy())
        parts["yaw"].append(batch["pose"][:, 0].numpy())
    return tuple(np.concatenate(parts[name]) for name in ("embedding", "identity", "yaw"))


def train_and_score(config, data_dir: str, probe_dir: str, probe_split: str) -> dict[str, Any]:
    """Trains the system of `config` on `data_dir` for train.steps; its probe metrics."""
    system = registry.build(config.system, config)
    registry.compile_system(system, config)
    batches = system.DATA(config, data_dir)
    history = system.fit(batches, steps_per_epoch=config.train.steps, epochs=1, verbose=0)
    embeddings, identities, yaws = probe_embeddings(system, probe_dir, probe_split)
    metrics, by, notes = recognition_metrics(embeddings, identities, yaws, seed=config.data.seed)
    return {
        "metrics": metrics,
        "by": by,
        "notes": notes,
        "final_loss": float(history.history["loss"][-1]),
    }


def compare(
    config,
    training_sets: dict[str, str],
    probe_dir: str,
    probe_split: str = "test",
) -> dict[str, Any]:
    """{label: train_and_score(...)} for each training set, one head size for all (the largest
    identity count of the sets, so that the runs differ in their data only)."""
    classes = max(identity_count(path) for path in training_sets.values())
    results = {}
    for label, data_dir in training_sets.items():
        run_config = dataclasses.replace(
            config,
            data=dataclasses.replace(config.data, data_dir=data_dir),
            model=dataclasses.replace(config.model, identities=classes),
        )
        results[label] = train_and_score(run_config, data_dir, probe_dir, probe_split)
    return results


def table(results: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """(header, rows): one row per training set."""
    buckets = sorted(
        {bucket for result in results.values() for bucket in result["by"]}, key=bucket_order
    )
    header = ["training data", "verification", "AUC", "TAR@FAR 1e-2", "Rank-1"]
    header += [f"Rank-1 {bucket}" for bucket in buckets]
    rows = []
    for label, result in results.items():
        metrics = result["metrics"]
        verification = metrics.get("verification", {})
        cells = [
            label,
            verification.get("accuracy"),
            verification.get("auc"),
            metrics.get("tar_at_far", {}).get("0.01"),
            metrics.get("rank1", {}).get("accuracy"),
        ]
        cells += [result["by"].get(bucket, {}).get("rank1") for bucket in buckets]
        rows.append([cells[0], *("-" if v is None else f"{v:.4f}" for v in cells[1:])])
    return header, rows


def write_table(results: dict[str, Any], out_dir: str | Path) -> Path:
    """out/table.md (the table) and out/table.json (every number); returns table.md."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    header, rows = table(results)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    (out / "table.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (out / "table.json").write_text(json.dumps(results, indent=1, default=float) + "\n")
    return out / "table.md"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tfface.systems.face_recognition.augmentation_study",
        description="Train face_recognition with and without synthesized faces; one table.",
    )
    parser.add_argument("--preset", default="paper", help="face_recognition preset")
    parser.add_argument("--plain", required=True, help="identity dataset without synthesis")
    parser.add_argument("--augmented", required=True, help="the same plus synthesized faces")
    parser.add_argument("--probes", required=True, help="dataset of the same identities")
    parser.add_argument("--probe-split", default="test", help="split of --probes")
    parser.add_argument("--out", required=True, help="folder of table.md and table.json")
    parser.add_argument("--set", action="append", default=[], help="config override KEY=VALUE")
    arguments = parser.parse_args(argv)
    config = apply_overrides(get_preset("face_recognition", arguments.preset), arguments.set)
    results = compare(
        config,
        {"without synthesis": arguments.plain, "with synthesis": arguments.augmented},
        arguments.probes,
        arguments.probe_split,
    )
    print(write_table(results, arguments.out).read_text(), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
