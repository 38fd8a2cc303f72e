"""`tfface evaluate` end to end on a tiny export and a tiny SynthFaces dataset."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from tfface.cli.main import main
from tfface.data.reader import make_dataset
from tfface.metrics.evaluation import Evaluation
from tfface.metrics.evaluation_options import EvaluationOptions
from tfface.metrics.sources import SourceNotSupportedError, load_source
from tfface.training.strategy import mirrored_strategy


def evaluate_arguments(dataset: Path, export: Path, out: Path, *extra: str) -> list[str]:
    return [
        "evaluate",
        str(export),  # <base>/<name>: the highest version is used
        "--data",
        str(dataset),
        "--split",
        "train",
        "--metrics",
        "ssim,psnr,l1,fid",
        "--batch-size",
        "4",
        "--out",
        str(out),
        "--fid-sqrt",
        "eigh",  # the same value as sqrtm, faster on 2048 x 2048 (unit-tested there)
        "--feature-weights",
        "random",  # tests only: no pretrained weights on this machine
        *extra,
    ]


def test_evaluate_export_end_to_end(
    synthfaces_dataset: Path,
    exports: dict[str, Path],
    tensorboard_logs: Path,
    tmp_path: Path,
    capsys,
) -> None:
    out, stats = tmp_path / "report", tmp_path / "real.npz"
    arguments = evaluate_arguments(
        synthfaces_dataset, exports["blur"], out, "--save-stats", str(stats)
    )
    assert main(arguments) == 0
    assert "psnr" in capsys.readouterr().out

    report = json.loads((out / "report.json").read_text())
    metrics = report["metrics"]
    assert report["data"]["examples"] == 6 and report["source"]["path"].endswith("blur/1")
    assert 0.3 < metrics["ssim"]["mean"] < 1.0 and metrics["ssim"]["count"] == 6
    assert 10.0 < metrics["psnr"]["mean"] < 60.0
    assert 0.0 < metrics["l1"]["mean"] < 0.3
    assert metrics["fid"]["generated"] == metrics["fid"]["real"] == 6
    assert math.isfinite(metrics["fid"]["value"]) and metrics["fid"]["value"] >= -1e-9
    assert report["inception"]["weights"] == "random"
    assert any("2048" in note for note in report["notes"])
    assert "| ssim |" in (out / "report.md").read_text()
    page = (out / "report.html").read_text()
    assert "<table>" in page and "data:image/png;base64," in page  # the sample grid
    assert (out / "samples.png").is_file() and stats.is_file()

    # Reuse the cached real statistics (same seeded random weights): same FID; by yaw bucket.
    again = tmp_path / "again"
    reuse = evaluate_arguments(
        synthfaces_dataset,
        exports["blur"],
        again,
        "--reference-stats",
        str(stats),
        "--by",
        "yaw",
        "--grid-examples",
        "0",
        "--logs",
        str(tensorboard_logs),
    )
    assert main(reuse) == 0
    assert "By yaw bucket" in capsys.readouterr().out
    second = json.loads((again / "report.json").read_text())
    assert second["metrics"]["fid"]["reference"] == str(stats)
    assert second["metrics"]["fid"]["value"] == pytest.approx(metrics["fid"]["value"], rel=1e-5)
    assert set(second["by"]) == {"0", "±30"} and second["by"]["0"]["count"] == 3
    mean_of_buckets = np.mean([row["ssim"] for row in second["by"].values()])
    assert mean_of_buckets == pytest.approx(metrics["ssim"]["mean"], rel=1e-9)  # 3 + 3 examples
    assert "## By yaw bucket" in (again / "report.md").read_text()
    assert (again / "loss_curves.svg").is_file()
    assert "Loss curves" in (again / "report.html").read_text()


def test_run_dirs_and_bad_sources_give_clear_errors(tmp_path: Path, capsys) -> None:
    run = tmp_path / "run"
    (run / "logs").mkdir(parents=True)
    # A folder that looks like a run but holds no trained system says what is missing.
    with pytest.raises(FileNotFoundError, match="run.json|config.yaml"):
        load_source(run)
    code = main(["evaluate", str(run), "--data", str(tmp_path), "--metrics", "ssim"])
    assert code == 2
    assert "run.json" in capsys.readouterr().err or "config.yaml" in capsys.readouterr().err
    with pytest.raises(SourceNotSupportedError, match="neither an export"):
        load_source(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(["evaluate", str(run), "--data", ".", "--metrics", "ssim,bogus"])
    assert exit_info.value.code == 2
    assert "unknown metrics ['bogus']; choose from: fid, kid" in capsys.readouterr().err


def test_identity_parsing_pose_and_two_replicas(
    synthfaces_dataset: Path, exports: dict[str, Path]
) -> None:
    options = EvaluationOptions(
        metrics=("ssim", "identity", "miou", "pose"),
        data=str(synthfaces_dataset),
        split="train",
        by="yaw",
        batch_size=4,
        identity_model=exports["embedding"],
        grid_examples=0,
    )
    source = load_source(exports["blur_extra"])
    single = Evaluation(source, options).run()
    metrics = single["metrics"]
    assert metrics["identity_cosine"]["mean"] > 0.9  # a blur keeps the pooled "identity"
    assert metrics["rank1"]["probes"] == 6 and metrics["rank1"]["gallery"] == 3
    # An all-background parser: accuracy = background share, IoU 0 for every other class.
    labels = np.concatenate(
        [batch["label_map_11"].numpy() for batch in make_dataset(
            f"{synthfaces_dataset}/train-*.tfrecord", ("label_map_11",), 6, one_hot=False,
            shuffle=False, drop_remainder=False)]
    )  # fmt: skip
    background = np.mean(labels == 0)
    assert metrics["miou"]["pixel_accuracy"] == pytest.approx(background)
    assert metrics["miou"]["miou"] == pytest.approx(background / len(np.unique(labels)))
    assert metrics["pose_yaw"]["mean"] == pytest.approx(15.0, abs=0.5)  # predicts 0 for 0 / 30
    assert single["by"]["±30"]["pose_yaw"] == pytest.approx(30.0, abs=0.5)

    strategy = mirrored_strategy(["/cpu:0", "/cpu:1"])  # conftest: 2 logical CPUs
    mirrored = Evaluation(source, options, strategy).run()
    assert mirrored["examples"] == 6
    for name in ("ssim", "identity_cosine", "pose_yaw"):
        np.testing.assert_allclose(
            mirrored["metrics"][name]["mean"], metrics[name]["mean"], rtol=1e-6
        )
    assert mirrored["metrics"]["miou"] == metrics["miou"]


def test_diversity_of_an_export_with_a_latent_input(
    synthfaces_dataset: Path, exports: dict[str, Path]
) -> None:
    options = EvaluationOptions(
        metrics=("diversity", "l1"),
        data=str(synthfaces_dataset),
        split="train",
        feature_weights="random",
        diversity_inputs=3,
        diversity_samples=3,
        grid_examples=2,
    )
    evaluation = Evaluation(load_source(exports["latent"]), options)
    result = evaluation.run()
    diversity = result["metrics"]["diversity"]
    assert diversity["inputs"] == 3 and diversity["samples_per_input"] == 3
    assert diversity["mean"] > 0 and diversity["distance"] == "perceptual_unit"
    assert not any("no latent input" in note for note in result["notes"])
    assert len(result["samples"]["grid"]["rows"]) == 2
    again = evaluation.samples()["diversity"]  # latent codes are seeded per example key
    assert again["mean"] == pytest.approx(diversity["mean"], rel=1e-6)


def test_inpainting_export_gets_seeded_holes_and_hole_metrics(
    synthfaces_dataset: Path, exports: dict[str, Path]
) -> None:
    options = EvaluationOptions(
        metrics=("l1", "psnr", "landmarks"),
        data=str(synthfaces_dataset),
        split="train",
        batch_size=4,
        grid_examples=0,
    )
    evaluation = Evaluation(load_source(exports["gray_fill"]), options)
    result = evaluation.run()
    metrics = result["metrics"]
    # Errors only inside the holes: the whole-image L1 is the hole L1 times the hole ratio.
    ratio = metrics["l1"]["mean"] / metrics["l1_hole"]["mean"]
    assert 0.0 < ratio < 0.5 and metrics["l1_hole"]["count"] == 6
    assert metrics["psnr_hole"]["mean"] < metrics["psnr"]["mean"]
    assert metrics["landmark_nme"]["mean"] > 0.5  # all points at the origin
    assert any("free-form masks" in note for note in result["notes"])
    first = next(iter(evaluation.dataset()))["hole_mask"].numpy()
    again = next(iter(evaluation.dataset()))["hole_mask"].numpy()
    np.testing.assert_array_equal(first, again)  # seeded by the example keys
    assert 0 < first.mean() < 0.5
