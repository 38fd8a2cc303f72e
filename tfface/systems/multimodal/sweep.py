"""The configuration search of Bergqvist 2020 ch. 4 on your data: train each named
configuration, score it (FID, diversity) and write ONE table beside the thesis's numbers.

    tfface sweep multimodal --presets ED-LS ED-LS-LR-2 ED-LS-LR-IR-2 --data PAIRS --out SWEEP \\
        [--tiny] [--set train.steps=20000] [--eval-split test] [--fid-weights imagenet] \\
        [--lpips-weights lpips_vgg.npz] [--styles 10] [--eval-batches 100] \\
        [--preservation] [--landmark-model LANDMARK_EXPORT]

Each configuration trains with `tfface train` into SWEEP/<name>/ (a run directory: export
it like any run); SWEEP/table.md, table.json and table.csv hold one row per configuration:
our FID, the untranslated input's FID, our diversity, and the thesis's FID and LPIPS
(`thesis_results.py`; they are orderings to compare, not values to reproduce). With
`--preservation` (SynthFaces pairs, which carry their exact landmarks) the rows add the gaze
error and, with `--landmark-model`, the pose NME of the translations and of the real targets
(`preservation.py`). The held-out split is read once, in record order, unaugmented.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path

from tfface.config import apply_overrides, dump_yaml, get_preset
from tfface.systems.multimodal.config import MultimodalConfig, tiny_variant
from tfface.systems.multimodal.naming import split_name
from tfface.systems.multimodal.thesis_results import thesis_result


@dataclasses.dataclass(frozen=True)
class SweepOptions:
    """How the sweep trains and scores (module docstring)."""

    data_dir: str
    out: str
    tiny: bool = False
    overrides: tuple[str, ...] = ()
    strategy: str = "default"
    eval_split: str = "test"
    eval_batches: int = 100
    styles: int = 10
    fid_weights: str = "imagenet"
    fid_image_size: int = 299
    lpips_weights: str | None = None
    vgg_weights: str = "imagenet"
    preservation: bool = False
    landmark_model: str | None = None

    @property
    def scores_preservation(self) -> bool:
        return self.preservation or self.landmark_model is not None


def sweep_config(name: str, options: SweepOptions) -> MultimodalConfig:
    """Configuration `name` (a preset), at tiny sizes with `tiny`, then the overrides."""
    if name not in ("paper", "tiny"):
        split_name(name)  # a clear error for malformed names before the registry's
    config = get_preset("multimodal", name)
    if options.tiny and name != "tiny":
        config = tiny_variant(config)
    return apply_overrides(config, [f"data.data_dir={options.data_dir}", *options.overrides])


def run_configuration(name: str, options: SweepOptions) -> dict:
    """Trains configuration `name` into OUT/<name> (resuming if it has checkpoints) and
    returns its table row."""
    from tfface.export.run_loading import load_trained_system
    from tfface.metrics.fid import FrechetInceptionDistance
    from tfface.metrics.inception import InceptionFeatures
    from tfface.metrics.perceptual import PerceptualDistance
    from tfface.runs.train import TrainRequest, train
    from tfface.systems.multimodal.data import evaluation_pairs
    from tfface.systems.multimodal.evaluation import translation_scores
    from tfface.systems.multimodal.preservation import preservation_scores
    from tfface.systems.reconstruction_landmarks import ReconstructionLandmarks
    from tfface.weights.random_weights import seeded_build

    config = sweep_config(name, options)
    run_dir = Path(options.out) / name
    run_dir.mkdir(parents=True, exist_ok=True)
    requested = dump_yaml(config, run_dir / "requested.yaml")
    checkpoints = run_dir / "checkpoints"
    train(
        TrainRequest(
            system="multimodal",
            run_dir=str(run_dir),
            data_dir=options.data_dir,
            preset=name,
            config_file=str(requested),
            strategy=options.strategy,
            resume=checkpoints.exists() and any(checkpoints.iterdir()),
            verbose=0,
        )
    )
    system = load_trained_system(run_dir).system
    held_out = evaluation_pairs(
        config, options.data_dir, options.eval_split, landmarks=options.scores_preservation
    )
    fid = FrechetInceptionDistance(
        InceptionFeatures(options.fid_weights, image_size=options.fid_image_size)
    )
    with seeded_build(enabled=options.vgg_weights == "random"):
        distance = PerceptualDistance(
            linear_weights=options.lpips_weights, vgg_weights=options.vgg_weights
        )
    scores = translation_scores(
        system, held_out.take(options.eval_batches), fid, distance, options.styles
    )
    preservation = None
    if options.scores_preservation:
        landmarks = (
            ReconstructionLandmarks(options.landmark_model, "--landmark-model")
            if options.landmark_model
            else None
        )
        preservation = preservation_scores(
            system, held_out.take(options.eval_batches), landmarks
        ).as_dict()
    thesis = thesis_result(name if name not in ("paper", "tiny") else "ED-LS-LR-2")
    return {
        "configuration": name,
        "fid": scores.fid,
        "input_fid": scores.input_fid,
        "diversity": scores.diversity,
        "diversity_metric": scores.diversity_metric,
        "sources": scores.sources,
        "thesis_table": thesis.table if thesis else "",
        "thesis_fid": thesis.fid if thesis else None,
        "thesis_lpips": thesis.lpips if thesis else None,
        "thesis_note": thesis.note if thesis else "",
        "gaze_error": preservation["gaze_error"] if preservation else None,
        "landmark_nme": preservation["landmark_nme"] if preservation else None,
        "real_landmark_nme": preservation["real_landmark_nme"] if preservation else None,
    }


def format_value(value: float | None, digits: int = 4) -> str:
    return "-" if value is None else f"{value:.{digits}g}"


def write_table(rows: Sequence[dict], out: str | Path) -> Path:
    """OUT/table.md (markdown), table.json and table.csv; returns the markdown path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "table.json").write_text(json.dumps(list(rows), indent=2))
    with (out / "table.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else ["configuration"])
        writer.writeheader()
        writer.writerows(rows)
    metric = rows[0]["diversity_metric"] if rows else "perceptual_unit"
    preserved = any(row.get("gaze_error") is not None for row in rows)
    extra = " gaze error | pose NME | pose NME of the real targets |" if preserved else ""
    lines = [
        "| configuration | FID | FID of the input | "
        f"diversity ({metric}) | thesis table | thesis FID | thesis LPIPS (AlexNet) |{extra}",
        "|---|---|---|---|---|---|---|" + "---|" * (3 if preserved else 0),
    ]
    for row in rows:
        line = (
            f"| {row['configuration']} | {format_value(row['fid'])} | "
            f"{format_value(row['input_fid'])} | {format_value(row['diversity'])} | "
            f"{row['thesis_table'] or '-'} | {format_value(row['thesis_fid'])} | "
            f"{format_value(row['thesis_lpips'], 3)} |"
        )
        if preserved:
            line += "".join(
                f" {format_value(row.get(key), 3)} |"
                for key in ("gaze_error", "landmark_nme", "real_landmark_nme")
            )
        lines.append(line)
    lines += [
        "",
        f"FID: one translation per held-out source against every held-out target "
        f"({rows[0]['sources'] if rows else 0} sources); the input's FID is the untranslated "
        "source in grey. Thesis numbers: Bergqvist 2020 tables 4.2-4.8 on its proprietary data "
        "(compare orderings, not values).",
    ]
    if preserved:
        lines.append(
            "Gaze error: pupil-centre distance between translation and real target over the "
            "inter-ocular distance; pose NME: landmarks of the landmark model against the exact "
            "ones (its NME on the real targets is its floor). Lower is better."
        )
    path = out / "table.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def sweep(names: Sequence[str], options: SweepOptions) -> Path:
    """Trains and scores every configuration of `names`, then writes the table."""
    if not names:
        raise ValueError("name at least one configuration (e.g. ED-LS ED-LS-LR-2)")
    for name in names:  # every name checked before hours of training
        sweep_config(name, options)
    rows = [run_configuration(name, options) for name in names]
    return write_table(rows, options.out)
