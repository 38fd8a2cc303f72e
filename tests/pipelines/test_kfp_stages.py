"""The pieces around the components: fingerprints, lineage and the ledger, example_gen's
sources, warm starts, the live stage lines and `show`'s text (fast, no TensorFlow run)."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from types import SimpleNamespace

import pytest

from pipelines.kubeflow.example_gen import check_source, generate_examples, import_location
from pipelines.kubeflow.failures import StageFailure
from pipelines.kubeflow.fingerprint import content_fingerprint, listing_fingerprint
from pipelines.kubeflow.lineage import (
    LEDGER_VARIABLE,
    lineage_metadata,
    producer_run,
    read_ledger,
    record_stage,
)
from pipelines.kubeflow.run_progress import CacheHits, StageProgress
from pipelines.kubeflow.show import describe_run
from pipelines.kubeflow.trainer import copy_warm_start


def test_content_fingerprint_follows_names_and_bytes(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_text("one")
    first = content_fingerprint(tmp_path / "a")
    assert content_fingerprint(tmp_path / "a") == first
    (tmp_path / "a" / "x.txt").write_text("two")
    assert content_fingerprint(tmp_path / "a") != first
    with pytest.raises(FileNotFoundError):
        content_fingerprint(tmp_path / "missing")
    assert listing_fingerprint("") == listing_fingerprint("gs://bucket/data") == ""
    assert len(listing_fingerprint(str(tmp_path / "a"))) == 64


def test_lineage_and_ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    uri = str(tmp_path / "tfface-pipeline-2026" / "trainer" / "model")
    Path(uri).mkdir(parents=True)
    (Path(uri) / "run.json").write_text("{}")
    examples = SimpleNamespace(uri="/root/run0/example-gen/examples", metadata={"fingerprint": "f"})
    metadata = lineage_metadata("trainer", uri, uri, {"examples": examples}, {"steps": 3})
    assert producer_run(uri) == "tfface-pipeline-2026"
    assert metadata["producer"]["component"] == "trainer"
    assert metadata["inputs"] == {"examples": {"uri": examples.uri, "fingerprint": "f"}}
    assert metadata["config"] == {"steps": 3} and len(metadata["fingerprint"]) == 64
    monkeypatch.delenv(LEDGER_VARIABLE, raising=False)
    record_stage("trainer", "succeeded", "no ledger: nothing written")
    monkeypatch.setenv(LEDGER_VARIABLE, str(tmp_path / "ledger"))
    model = SimpleNamespace(uri=uri, metadata=metadata)
    record_stage("trainer", "failed", "why", {"model": model})
    ledger = read_ledger(tmp_path / "ledger")
    assert ledger["trainer"]["status"] == "failed"
    assert ledger["trainer"]["artifacts"]["model"]["uri"] == uri


def test_example_gen_sources(tmp_path: Path) -> None:
    check_source("synthfaces", ["--identities", "2"])
    assert import_location(["--input=/data"]) == "/data"
    with pytest.raises(ValueError, match="unknown source 'nope'; sources: celebamask_hq"):
        check_source("nope", [])
    with pytest.raises(ValueError, match="--output"):
        check_source("synthfaces", ["--output=/x"])
    (tmp_path / "notdata").mkdir()
    with pytest.raises(StageFailure, match="no dataset_info.json"):
        generate_examples("import", ["--input", str(tmp_path / "notdata")], str(tmp_path / "out"))


def test_import_copies_a_built_dataset(tmp_path: Path) -> None:
    source = tmp_path / "data"
    source.mkdir()
    info = {"source": "synthfaces", "schema_version": 1, "counts": {"train": 1}, "inputs": 1}
    (source / "dataset_info.json").write_text(json.dumps(info))
    (source / "train-00000-of-00001.tfrecord").write_bytes(b"records")
    (source / "notes.png").write_bytes(b"not part of a dataset")
    metadata = generate_examples("import", ["--input", str(source)], str(tmp_path / "out"))
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == [
        "dataset_info.json",
        "train-00000-of-00001.tfrecord",
    ]
    assert metadata["counts"] == {"train": 1} and metadata["schema_version"] == 1


def test_warm_start_needs_a_training_run(tmp_path: Path) -> None:
    with pytest.raises(StageFailure, match="cannot warm start"):
        copy_warm_start(str(tmp_path), tmp_path / "new")
    (tmp_path / "checkpoints").mkdir()
    (tmp_path / "checkpoints" / "ckpt-1.index").write_text("")
    (tmp_path / "run.json").write_text(json.dumps({"steps": 7}))
    assert copy_warm_start(str(tmp_path), tmp_path / "new") == 7
    assert (tmp_path / "new" / "checkpoints" / "ckpt-1.index").is_file()


def test_stage_lines_and_cache_hits_reach_the_terminal() -> None:
    log, terminal = io.StringIO(), io.StringIO()
    progress = StageProgress(log, terminal)
    progress.write("noise\n\x1b[96mtfface pipeline: trainer running\x1b[0m\ntfface pipeline: tr")
    progress.write("ainer succeeded: mask_guided trained 3 steps\n")
    CacheHits(progress).emit(
        logging.LogRecord(
            "root", logging.INFO, "", 0, "Task example-gen cache hit (key=ab)", (), None
        )
    )
    assert progress.events == [
        ("trainer", "running", ""),
        ("trainer", "succeeded", "mask_guided trained 3 steps"),
        ("example_gen", "cached", "re-used a finished run"),
    ]
    assert "noise" in log.getvalue() and "noise" not in terminal.getvalue()
    assert "trainer            succeeded: mask_guided trained 3 steps" in terminal.getvalue()


def test_show_names_each_input_by_its_producer() -> None:
    examples = {"uri": "/r/run1/example-gen/examples", "metadata": {"fingerprint": "abc" * 8}}
    model = {
        "uri": "/r/run2/trainer/model",
        "metadata": {
            "producer": {"run": "run2"},
            "inputs": {"examples": {"uri": examples["uri"]}},
        },
    }
    record = {
        "run_id": "20261203-1",
        "status": "failed",
        "message": "evaluator failed: boom",
        "log": "/r/runs/20261203-1/pipeline.log",
        "stages": [
            {
                "stage": "example_gen",
                "status": "cached",
                "message": "",
                "outputs": {"examples": examples},
            },
            {"stage": "trainer", "status": "ran", "message": "", "outputs": {"model": model}},
            {"stage": "evaluator", "status": "failed", "message": "boom\nline 2", "outputs": {}},
        ],
    }
    text = describe_run(record)
    assert "run 20261203-1: failed" in text
    assert "example_gen [cached]\n  -> examples: /r/run1/example-gen/examples" in text
    assert "fingerprint abcabcabcabc" in text
    assert "trainer [ran]\n  <- examples: example_gen.examples" in text
    assert "evaluator [failed]\n  boom\n  line 2" in text


def test_run_stage_adds_lineage_and_records_every_outcome(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipelines.kubeflow.stage_runtime import run_stage

    monkeypatch.setenv(LEDGER_VARIABLE, str(tmp_path / "ledger"))
    uri = str(tmp_path / "run0" / "schema-gen" / "schema")
    schema = SimpleNamespace(uri=uri, path=uri, metadata={})

    def works():
        Path(uri).mkdir(parents=True)
        (Path(uri) / "schema.json").write_text("{}")
        return {"schema": {"origin": "inferred"}}, "schema inferred"

    run_stage("schema_gen", {"schema": schema}, {}, {"kept_schema": ""}, works)
    assert schema.metadata["origin"] == "inferred"
    assert schema.metadata["producer"]["run"] == "run0"
    assert schema.metadata["config"] == {"kept_schema": ""}
    assert read_ledger(tmp_path / "ledger")["schema_gen"]["status"] == "succeeded"

    def anomaly():
        raise StageFailure("1 anomaly: label out of range")

    with pytest.raises(SystemExit) as exit_info:
        run_stage("example_validator", {}, {}, {}, anomaly)
    assert exit_info.value.code == 1
    entry = read_ledger(tmp_path / "ledger")["example_validator"]
    assert (entry["status"], entry["message"]) == ("failed", "1 anomaly: label out of range")

    def bug():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        run_stage("trainer", {}, {}, {}, bug)
    assert read_ledger(tmp_path / "ledger")["trainer"]["message"].startswith("RuntimeError: boom")
