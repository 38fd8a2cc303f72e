"""`tfface pipeline run` end to end on SynthFaces (32 px, the tiny mask_guided preset, 3
training steps), run as the command: the first run pushes version 1 with its lineage, a second
run re-uses every stage up to the trainer from the cache, `show` prints the graph, a run whose
thresholds cannot be met pushes nothing, and an injected out-of-range label stops the run at
the validator."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.slow

JOB = ["--identities", "12", "--size", "32", "--shards", "1"]
SPLITS = ["--splits", "train=0.5,validation=0.25,test=0.25"]
TRAINING = [
    "--set",
    "data.image_size=32",
    "--set",
    "train.steps=3",
    "--set",
    "model.parser_pretrain_steps=1",
    "--set",
    "train.batch_size=2",
]
UPSTREAM = ["example_gen", "statistics_gen", "schema_gen", "example_validator", "trainer"]


def tfface(*argv: str) -> subprocess.CompletedProcess:
    """Runs the `tfface` command; returns its exit code and output."""
    return subprocess.run(
        [sys.executable, "-m", "tfface.cli.main", *argv],
        capture_output=True,
        text=True,
        timeout=600,
    )


def run_pipeline(root: Path, *extra: str, source: list[str] | None = None):
    source = source or ["--source", "synthfaces", *JOB, *SPLITS]
    return tfface(
        "pipeline", "run", "--system", "mask_guided", *source, "--out", str(root), *TRAINING, *extra
    )


def run_record(root: Path) -> dict:
    """The latest run's run.json."""
    return json.loads(sorted((root / "runs").glob("*/run.json"))[-1].read_text())


def stage_status(record: dict) -> dict[str, str]:
    return {stage["stage"]: stage["status"] for stage in record["stages"]}


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pipeline")


@pytest.fixture(scope="module")
def first_run(root: Path) -> tuple[subprocess.CompletedProcess, dict]:
    result = run_pipeline(root)
    return result, run_record(root)


@pytest.fixture(scope="module")
def second_run(root: Path, first_run) -> tuple[subprocess.CompletedProcess, dict]:
    result = run_pipeline(root)
    return result, run_record(root)


def outputs_of(record: dict, stage: str) -> dict:
    return next(item for item in record["stages"] if item["stage"] == stage)["outputs"]


def test_first_run_runs_every_stage_and_pushes_version_1(root: Path, first_run) -> None:
    result, record = first_run
    assert result.returncode == 0, result.stdout + result.stderr
    assert set(stage_status(record).values()) == {"ran"}
    assert "pushed: version 1 at" in result.stdout
    for stage in UPSTREAM:
        assert f"{stage:<18} succeeded" in result.stderr  # the live stage lines
    examples = Path(outputs_of(record, "example_gen")["examples"]["uri"])
    assert (examples / "dataset_info.json").is_file()
    assert json.loads((examples / "dataset_info.json").read_text())["counts"]["test"] >= 1
    artifacts = {
        "statistics_gen": ("statistics", "statistics.json"),
        "schema_gen": ("schema", "schema.json"),
        "example_validator": ("anomalies", "anomalies.json"),
        "trainer": ("model", "run.json"),
        "evaluator": ("evaluation", "report.json"),
        "pusher": ("pushed", "push.json"),
    }
    for stage, (name, file) in artifacts.items():
        assert (Path(outputs_of(record, stage)[name]["uri"]) / file).is_file(), stage
    assert (root / "schema" / "schema.json").is_file()  # kept for the next runs
    version = root / "serving" / "mask_guided" / "1"
    assert (version / "saved_model.pb").is_file()
    assert "mask_guided" in (root / "serving" / "models.config").read_text()
    assert not [path for path in (root / "serving").iterdir() if path.name.startswith(".")]


def test_served_model_card_points_back_to_the_dataset_and_the_run(root: Path, first_run) -> None:
    _, record = first_run
    card = json.loads(
        (root / "serving" / "mask_guided" / "1" / "assets.extra" / "model_card.json").read_text()
    )
    lineage = card["pipeline"]
    examples = outputs_of(record, "example_gen")["examples"]
    assert lineage["dataset"]["uri"] == examples["uri"]
    assert lineage["dataset"]["fingerprint"] == examples["metadata"]["fingerprint"]
    assert lineage["dataset"]["config"]["job_arguments"] == [*JOB, *SPLITS]
    assert lineage["model"]["config"]["overrides"] == TRAINING[1::2]
    assert lineage["run"] == examples["metadata"]["producer"]["run"]
    assert set(lineage["evaluation"]["metrics"]) == {"ssim", "psnr", "l1"}
    assert lineage["blessing"]["blessed"] is True and lineage["baseline"] is None
    assert card["metrics"] == lineage["evaluation"]["metrics"]
    model = outputs_of(record, "trainer")["model"]["metadata"]
    assert set(model["inputs"]) == {"examples", "anomalies"}
    assert model["producer"]["component"] == "trainer"


def test_second_run_reuses_every_stage_up_to_the_trainer(root: Path, second_run) -> None:
    result, record = second_run
    assert result.returncode == 0, result.stdout + result.stderr
    status = stage_status(record)
    assert [status[stage] for stage in UPSTREAM] == ["cached"] * len(UPSTREAM)
    # the baseline changed (version 1 is now served), so the evaluator ran again
    assert status["evaluator"] == "ran" and status["pusher"] == "ran"
    assert "already pushed: version 1 is already this model" in result.stdout
    assert sorted(path.name for path in (root / "serving" / "mask_guided").iterdir()) == ["1"]
    blessing = outputs_of(record, "evaluator")["blessing"]["metadata"]
    assert blessing["baseline"]["version"] == 1
    assert blessing["baseline"]["metrics_from"] == "same model as the candidate"


def test_show_prints_the_graph_with_uris(root: Path, second_run) -> None:
    _, record = second_run
    result = tfface("pipeline", "show", str(root))
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert f"run {record['run_id']}: already pushed" in text
    for stage in [*UPSTREAM, "evaluator", "pusher"]:
        assert f"\n{stage} [" in text
    assert "<- examples: example_gen.examples" in text
    assert "<- anomalies: example_validator.anomalies" in text
    assert "<- blessing: evaluator.blessing" in text
    assert outputs_of(record, "trainer")["model"]["uri"] in text


def test_unmet_thresholds_push_nothing(root: Path, second_run, tmp_path: Path) -> None:
    serving = tmp_path / "serving"
    result = run_pipeline(root, "--serving-base", str(serving), "--threshold", "psnr>=1000")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "not pushed: the model is not blessed: psnr" in result.stdout
    assert "fails psnr >= 1000" in result.stdout
    assert not serving.exists() or not any(serving.rglob("saved_model.pb"))
    assert stage_status(run_record(root))["trainer"] == "cached"


def inject_bad_label(dataset: Path) -> None:
    """Appends a copy of a test record whose label map holds 200 (PORTRAIT_11 has 11)."""
    import tensorflow as tf

    from tfface.data.features import encode_png

    shard = next(dataset.glob("test-*.tfrecord"))
    records = [bytes(record.numpy()) for record in tf.data.TFRecordDataset(str(shard))]
    example = tf.train.Example.FromString(records[0])
    example.features.feature["key"].bytes_list.value[0] = b"injected"
    example.features.feature["label_map_11"].bytes_list.value[0] = encode_png(
        np.full((32, 32), 200, np.uint8)
    )
    with tf.io.TFRecordWriter(str(shard)) as writer:
        for record in [*records, example.SerializeToString()]:
            writer.write(record)


def test_an_out_of_range_label_stops_the_run_at_the_validator(
    root: Path, first_run, tmp_path: Path
) -> None:
    _, record = first_run
    dataset = tmp_path / "dataset"
    shutil.copytree(outputs_of(record, "example_gen")["examples"]["uri"], dataset)
    inject_bad_label(dataset)
    serving = tmp_path / "serving"
    source = ["--source", "import", "--input", str(dataset)]
    result = run_pipeline(root, "--serving-base", str(serving), source=source)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "failed: example_validator failed: 1 anomaly" in result.stdout
    assert "'label_map_11' has label value(s) [200] outside the schema's domain [0, 10]" in (
        result.stdout
    )
    status = stage_status(run_record(root))
    assert status["example_validator"] == "failed"
    assert status["trainer"] == status["pusher"] == "not run"
    assert not serving.exists()
