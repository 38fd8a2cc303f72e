"""Evaluation of uv_completion as the chapter's tables, and the ablation comparison command.

The chapter measures L1 and SSIM (Table 4.2, on renders); on SynthFaces the exact texture
makes UV-space numbers honest (summary A20). The system bakes lighting into its UV maps
(A2: UV_gt is sampled from the photo, UV_bl blends into the LIT 3DMM texture), so its
reference is SynthFaces' exact albedo texture LIT like the image: albedo x the SH shading
of the sample's exact coefficients at every texel's posed normal (`exact_lit_texture`).
The raw albedo is reported too ('albedo_*'): there the lighting difference dominates
every method (tests/systems/test_uv_completion_learning.py documents the numbers).

Per method, L1 (mean |difference| in units of the full range), SSIM and PSNR over the
whole texture and over the texels visible in the image (valid in UV_gt):
- 'completed': UV_pred of the system;
- 'sampled_mirror': the sampler's UV_spl with missing texels filled from the mirror
  (the chapter's starting point without a generator);
- 'traditional_mirror': UV_gt (the traditional method, Fig. 4.2) with mirror fill.

Comparison of runs (the ablations of section 4.5 are presets; train each, then). `tfface
evaluate EXPORT_A EXPORT_B ...` scores exports' `uv_texture` against the RAW exact texture
side by side; this command adds the lit reference, the visible-texel region, the two
mirror-fill baselines and `no_sampler` runs (whose export takes an incomplete UV map, which
datasets do not store):

    python -m tfface.systems.uv_completion.evaluation runs/paper runs/no_sampler \\
        runs/no_partial runs/no_symmetry --data DIR [--split test] [--batches 8] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence

import numpy as np
import tensorflow as tf

from tfface.config import apply_overrides
from tfface.face3d import mirror_fill
from tfface.face3d.lighting import shade, vertex_normals
from tfface.metrics.pixel_errors import l1, psnr
from tfface.metrics.structural_similarity import ssim
from tfface.systems.splits import split_pattern
from tfface.systems.uv_completion.uv_targets import rasterize_uv

METHODS = ("completed", "sampled_mirror", "traditional_mirror")


def exact_lit_texture(system, batch: Mapping[str, tf.Tensor]) -> tf.Tensor:
    """SynthFaces' exact texture lit as the image: (B, U, U, 3) in [-1, 1] (module docstring).

    Raises:
        KeyError: the batch has no 'uv_texture' (build the data with --with-uv-texture).
    """
    if "uv_texture" not in batch:
        raise KeyError(
            "uv_completion evaluation needs the exact texture: build the data with "
            "`tfface data build synthfaces ... --uv-completion --with-uv-texture`"
        )
    renderer = system.renderer
    coefficients = batch["coefficients"]
    vertices = renderer.posed_vertices(coefficients)
    lighting = renderer.layout.split(coefficients)["lighting"]
    shading = shade(vertex_normals(vertices, renderer.triangles), lighting)  # (B, V, 3)
    model = renderer.model
    shading_uv, _ = rasterize_uv(shading, model.triangles, model.uv_coords, system.uv_size)
    albedo = (batch["uv_texture"] + 1.0) / 2.0
    return tf.clip_by_value(albedo * shading_uv, 0.0, 1.0) * 2.0 - 1.0


def method_maps(system, batch: Mapping[str, tf.Tensor]) -> dict[str, tf.Tensor]:
    """{method: (B, U, U, 3) in [-1, 1]} of `METHODS` for a batch of `data.uv_batches`."""
    completed = system.complete(batch["image"])
    if not system.model_config.use_sampler:  # the ablation completes the traditional UV_gt
        completed["uv_texture"] = system.complete_traditional(batch["uv_gt"], batch["uv_valid"])
    sampled_valid = tf.cast(completed["uv_mask"] > 0.5, tf.float32)
    return {
        "completed": completed["uv_texture"],
        "sampled_mirror": mirror_fill(completed["uv_sampled"] * sampled_valid, sampled_valid)[0],
        "traditional_mirror": mirror_fill(batch["uv_gt"], batch["uv_valid"])[0],
    }


def uv_scores(system, batch: Mapping[str, tf.Tensor]) -> dict[str, np.ndarray]:
    """{'<method>_<metric>_<region>': (B,) float64}: metric l1 / ssim / psnr, region whole /
    visible, against the exact lit texture; and '<method>_albedo_l1_whole'."""
    reference = exact_lit_texture(system, batch)
    albedo = batch["uv_texture"]
    visible = batch["uv_valid"]
    scores = {}
    for method, uv_map in method_maps(system, batch).items():
        for region, mask in (("whole", None), ("visible", visible)):
            scores[f"{method}_l1_{region}"] = l1(uv_map, reference, mask).numpy()
            scores[f"{method}_ssim_{region}"] = ssim(uv_map, reference, mask).numpy()
            scores[f"{method}_psnr_{region}"] = psnr(uv_map, reference, mask).numpy()
        scores[f"{method}_albedo_l1_whole"] = l1(uv_map, albedo).numpy()
    return scores


def evaluate_system(system, batches) -> dict[str, float]:
    """Means of `uv_scores` over an iterable of batches."""
    collected: dict[str, list[np.ndarray]] = {}
    for batch in batches:
        for name, values in uv_scores(system, batch).items():
            collected.setdefault(name, []).append(values)
    return {name: float(np.mean(np.concatenate(values))) for name, values in collected.items()}


def comparison_markdown(reports: Mapping[str, Mapping[str, float]]) -> str:
    """A markdown table: one row per run, the completed UV's numbers (exact lit texture)."""
    columns = [
        f"completed_{metric}_{region}"
        for region in ("whole", "visible")
        for metric in ("l1", "ssim", "psnr")
    ]
    lines = ["| run | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for label, report in reports.items():
        lines.append(f"| {label} | " + " | ".join(f"{report[name]:.4f}" for name in columns) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """The comparison command (module docstring)."""
    from tfface.export.run_loading import load_trained_system
    from tfface.systems.uv_completion.data import uv_batches

    parser = argparse.ArgumentParser(
        prog="python -m tfface.systems.uv_completion.evaluation",
        description="UV-space L1 / SSIM / PSNR of uv_completion runs against SynthFaces' exact "
        "texture (whole map and visible texels), with the mirror-fill baselines",
    )
    parser.add_argument("runs", nargs="+", help="tfface train run directories")
    parser.add_argument("--data", required=True, help="a --uv-completion --with-uv-texture dataset")
    parser.add_argument("--split", default="test")
    parser.add_argument(
        "--batches", type=int, default=8, help="batches per run (at most one pass over the split)"
    )
    parser.add_argument("--out", default="", help="write the reports as JSON here")
    arguments = parser.parse_args(argv)
    if arguments.batches < 1:
        parser.error("--batches must be >= 1")
    split_files = tf.io.gfile.glob(split_pattern(arguments.data, arguments.split))
    available = sum(1 for _ in tf.data.TFRecordDataset(split_files)) if split_files else 0
    if not available:
        parser.error(f"no {arguments.split} records in {arguments.data}")
    reports = {}
    for run in arguments.runs:
        trained = load_trained_system(run)
        if trained.system_name != "uv_completion":
            parser.error(f"{run} is a {trained.system_name!r} run, not uv_completion")
        # One pass over the split, in record order: no example scored twice.
        config = apply_overrides(trained.config, ["data.shuffle_buffer=0"])
        steps = min(arguments.batches, available // config.train.batch_size)
        if steps < 1:
            parser.error(
                f"{arguments.split} holds {available} records, fewer than one batch of "
                f"{config.train.batch_size}"
            )
        batches = uv_batches(config, arguments.data, arguments.split)
        reports[run] = evaluate_system(trained.system, batches.take(steps))
    print(comparison_markdown(reports))
    if arguments.out:
        with open(arguments.out, "w") as file:
            json.dump(reports, file, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
