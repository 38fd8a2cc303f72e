"""Run the whole pipeline on this machine: `tfface pipeline run`.

Everything goes under ROOT:

    ROOT/kfp/<pipeline run>/<task>/<output>   the artifacts (kfp.local's pipeline root)
    ROOT/cache/                               kfp.local's cache: task key -> its outputs
    ROOT/schema/schema.json                   the schema inferred by the first run, kept
    ROOT/serving/<name>/<version>/            the serving base (unless --serving-base)
    ROOT/runs/<run id>/run.json               the run record (`tfface pipeline show`)
    ROOT/runs/<run id>/pipeline.log           everything the stages printed
    ROOT/runs/<run id>/ledger/<stage>.json    the stages that ran (not taken from the cache)

The stages run in subprocesses of this Python (`kfp.local.SubprocessRunner(use_venv=False)`).
A task is taken from the cache when its component, parameters, tfface version and input
artifacts (URI and content fingerprint) are those of a finished task; `use_cache=False`
runs everything again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import sys
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

from pipelines.kubeflow.components import STAGES
from pipelines.kubeflow.example_gen import import_location
from pipelines.kubeflow.fingerprint import listing_fingerprint
from pipelines.kubeflow.lineage import LEDGER_VARIABLE, read_ledger
from pipelines.kubeflow.pipeline_arguments import PipelineArguments
from pipelines.kubeflow.run_graph import collect_stages
from pipelines.kubeflow.run_progress import CacheHits, StageProgress
from pipelines.kubeflow.schema import SCHEMA_FILE, kept_schema_digest
from pipelines.kubeflow.serving_base import MODEL_CARD, latest_version

RUN_RECORD = "run.json"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # kfp.local colours task names in its messages


@dataclass
class StageReport:
    """One stage of a run.

    Attributes:
        stage: the component name.
        status: "ran", "cached", "failed" or "not run".
        message: what the stage said (the failure's reason for a failed one).
        outputs: output name -> {uri, metadata}.
    """

    stage: str
    status: str
    message: str = ""
    outputs: dict[str, Any] = field(default_factory=dict)


@dataclass
class RunReport:
    """A local run's outcome (written to `ROOT/runs/<run id>/run.json`).

    Attributes:
        run_id: the run's folder name.
        status: "pushed", "already pushed" (the served version is this model), "not pushed"
            (not blessed) or "failed".
        message: the pushed version, or why nothing was pushed.
        stages: every stage in pipeline order.
        pushed: the pusher's result (pushed, version, version_dir, reason), if it ran.
        parameters: the pipeline parameters.
        log: the run's log file.
    """

    run_id: str
    status: str
    message: str
    stages: list[StageReport]
    pushed: dict[str, Any] | None
    parameters: dict[str, Any]
    log: str

    @property
    def exit_code(self) -> int:
        """0 when the run's model is served at its end (pushed now or already), else 1."""
        return 0 if self.status in ("pushed", "already pushed") else 1


def new_run_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]


def baseline_fingerprint(model_dir: Path) -> str:
    """The served version and a digest of its model card ("" when nothing is served)."""
    version_dir = latest_version(model_dir)
    if version_dir is None:
        return ""
    card = version_dir / MODEL_CARD
    digest = hashlib.sha256(card.read_bytes()).hexdigest() if card.is_file() else ""
    return f"{version_dir.name}:{digest}"


def run_parameters(arguments: PipelineArguments, root: Path) -> dict[str, Any]:
    """The pipeline parameters of a local run under `root`."""
    serving_base = arguments.serving_base or str(root / "serving")
    kept = root / "schema" / SCHEMA_FILE
    parameters = arguments.replace(serving_base=str(Path(serving_base).resolve())).parameters()
    parameters.update(
        kept_schema=str(kept),
        kept_schema_digest=kept_schema_digest(kept),
        input_fingerprint=listing_fingerprint(import_location(arguments.job_arguments) or ""),
        baseline_fingerprint=baseline_fingerprint(
            Path(parameters["serving_base"]) / parameters["model_name"]
        ),
    )
    return parameters


def stage_reports(
    ledger: dict[str, dict[str, Any]],
    start: dict[str, dict[str, Any]],
    progress_events: list[tuple[str, str, str]],
) -> list[StageReport]:
    """Every stage's report: ran / failed from the ledger, cached when found upstream."""
    stages = collect_stages(start)
    cached = {stage for stage, event, _ in progress_events if event == "cached"}
    reports = []
    for stage in STAGES:
        entry = ledger.get(stage)
        if entry is not None:
            status = "ran" if entry["status"] == "succeeded" else "failed"
            reports.append(StageReport(stage, status, entry["message"], entry["artifacts"]))
        elif stage in stages:
            status = "cached"
            message = "re-used" if stage in cached else "re-used (from an earlier run)"
            reports.append(StageReport(stage, status, message, stages[stage]))
        else:
            reports.append(StageReport(stage, "not run"))
    return reports


@contextlib.contextmanager
def captured_output(log_path: Path, terminal: TextIO, verbose: bool):
    """Sends stdout/stderr of the run to the log (and stage lines to the terminal)."""
    with log_path.open("w") as log:
        progress = StageProgress(log, terminal, echo_all=verbose)
        handler = CacheHits(progress)
        root_logger = logging.getLogger()
        level = root_logger.level
        root_logger.addHandler(handler)
        root_logger.setLevel(logging.INFO)
        try:
            with contextlib.redirect_stdout(progress), contextlib.redirect_stderr(progress):
                yield progress
        finally:
            root_logger.removeHandler(handler)
            root_logger.setLevel(level)
            progress.flush()


def run_locally(
    arguments: PipelineArguments,
    root: str | os.PathLike,
    use_cache: bool = True,
    verbose: bool = False,
    terminal: TextIO | None = None,
) -> RunReport:
    """Runs the pipeline under `root` (see the module docstring); returns the run's report.

    Raises:
        ValueError: bad arguments (checked before anything runs).
    """
    from kfp import local

    from pipelines.kubeflow.pipeline import build_pipeline

    arguments.check()
    terminal = terminal or sys.stderr
    root = Path(root).resolve()
    run_id = new_run_id()
    run_dir = root / "runs" / run_id
    ledger = run_dir / "ledger"
    ledger.mkdir(parents=True)
    parameters = run_parameters(arguments, root)
    (run_dir / "workspace").mkdir()
    local.init(
        runner=local.SubprocessRunner(use_venv=False),
        pipeline_root=str(root / "kfp"),
        workspace_root=str(run_dir / "workspace"),  # else a temporary folder is left behind
        enable_caching=use_cache,
        cache_root=str(root / "cache"),
        raise_on_error=True,
    )
    pipeline = build_pipeline()
    previous = os.environ.get(LEDGER_VARIABLE)
    os.environ[LEDGER_VARIABLE] = str(ledger)
    failure, pushed_artifact = "", None
    try:
        with captured_output(run_dir / "pipeline.log", terminal, verbose) as progress:
            try:
                pushed_artifact = pipeline(**parameters).output
            except RuntimeError as error:
                failure = _ANSI.sub("", str(error))
    finally:
        if previous is None:
            os.environ.pop(LEDGER_VARIABLE, None)
        else:
            os.environ[LEDGER_VARIABLE] = previous
    entries = read_ledger(ledger)
    start = {stage: entry["artifacts"] for stage, entry in entries.items() if entry["artifacts"]}
    pushed = None
    if pushed_artifact is not None:
        pushed_record = {"uri": pushed_artifact.uri, "metadata": dict(pushed_artifact.metadata)}
        start.setdefault("pusher", {"pushed": pushed_record})
        pushed = {
            key: pushed_artifact.metadata.get(key)
            for key in ("pushed", "version", "version_dir", "reason")
        }
    stages = stage_reports(entries, start, progress.events)
    report = _outcome(run_id, failure, stages, pushed, parameters, run_dir)
    (run_dir / RUN_RECORD).write_text(json.dumps(asdict(report), indent=1, default=str))
    return report


def _outcome(
    run_id: str,
    failure: str,
    stages: list[StageReport],
    pushed: dict[str, Any] | None,
    parameters: dict[str, Any],
    run_dir: Path,
) -> RunReport:
    log = str(run_dir / "pipeline.log")
    if failure or pushed is None:
        failed = [stage for stage in stages if stage.status == "failed"]
        if failed:
            message = f"{failed[0].stage} failed: {failed[0].message}"
        else:
            message = f"{failure or 'the pipeline did not finish'} (log: {log})"
        return RunReport(
            run_id, "failed", message + "\nnothing pushed", stages, None, parameters, log
        )
    if pushed.get("pushed"):
        status = "pushed"
    else:
        status = "already pushed" if pushed.get("version") else "not pushed"
    return RunReport(run_id, status, str(pushed.get("reason")), stages, pushed, parameters, log)
