"""`tfface pipeline`: arguments checked before anything runs, help without heavy imports, and
the compiled IR YAML (loaded back with the KFP SDK)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.kubeflow.components import STAGES
from tfface.cli.main import main

STAGE_TASKS = [
    "example-gen",
    "statistics-gen",
    "schema-gen",
    "example-validator",
    "trainer",
    "evaluator",
    "pusher",
]
BASE = ["pipeline", "run", "--out", "unused"]
PROBE = """
import json, sys
from tfface.cli.main import main
try:
    code = main({argv!r})
except SystemExit as exit_info:
    code = exit_info.code
heavy = sorted(name for name in ("tensorflow", "keras", "apache_beam", "kfp") if name in sys.modules)
print(json.dumps({{"code": code, "heavy": heavy}}))
"""


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--system", "nope", "--source", "synthfaces"],
            "unknown system 'nope'; systems: mask_guided",
        ),
        (
            ["--system", "mask_guided", "--source", "nope"],
            "unknown source 'nope'; sources: celebamask",
        ),
        (["--system", "mask_guided", "--source", "import"], "source 'import' needs --input DIR"),
        (
            ["--system", "mask_guided", "--source", "synthfaces", "--output", "x"],
            "do not pass --output to the job",
        ),
        (
            ["--system", "mask_guided", "--source", "synthfaces", "--threshold", "ssim>0.5"],
            "bad threshold 'ssim>0.5'",
        ),
        (
            ["--system", "mask_guided", "--source", "synthfaces", "--preset", "huge"],
            "unknown preset 'huge' of mask_guided; presets: paper, tiny",
        ),
        (
            ["--system", "mask_guided", "--source", "synthfaces", "--metrics", "ssim,nope"],
            "unknown metrics ['nope']",
        ),
        (
            ["--system", "mask_guided", "--source", "synthfaces", "--regression-tolerance", "-1"],
            "--regression-tolerance must be a number >= 0",
        ),
    ],
)
def test_bad_arguments_fail_before_anything_runs(
    argv: list[str], message: str, capsys: pytest.CaptureFixture, tmp_path: Path
) -> None:
    code = main([*BASE[:2], "--out", str(tmp_path / "root"), *argv])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "root").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["pipeline", "run", "--help"],
        ["pipeline", "compile", "--help"],
        ["pipeline", "show", "--help"],
    ],
    ids=" ".join,
)
def test_pipeline_help_imports_no_heavy_library_nor_kfp(argv: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv)], capture_output=True, text=True, check=True
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"code": 0, "heavy": []}, result.stdout
    assert "tfface pipeline" in result.stdout


def test_show_without_runs_says_so(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    assert main(["pipeline", "show", str(tmp_path)]) == 2
    assert "holds no pipeline run" in capsys.readouterr().err


def test_compile_requires_a_yaml_output(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    argv = ["pipeline", "compile", "--system", "mask_guided", "--source", "synthfaces"]
    code = main([*argv, "--serving-base", "/models", "--output", str(tmp_path / "p.json")])
    assert code == 2
    assert "written as YAML" in capsys.readouterr().err


def topological_order(tasks: dict) -> list[str]:
    """Task names, each after the tasks it depends on (ties by name)."""
    done: list[str] = []
    while len(done) < len(tasks):
        ready = sorted(
            name
            for name, task in tasks.items()
            if name not in done and all(dep in done for dep in task.dependent_tasks)
        )
        done.append(ready[0])
    return done


def test_compiled_yaml_loads_back_and_names_the_stages_in_order(tmp_path: Path) -> None:
    from kfp import components

    output = tmp_path / "pipeline.yaml"
    code = main(
        [
            "pipeline",
            "compile",
            "--system",
            "mask_guided",
            "--source",
            "celebamask_hq",
            "--serving-base",
            "/models",
            "--image",
            "registry.example/tfface:0.1.0-gpu",
            "--trainer-gpus",
            "1",
            "--threshold",
            "ssim>=0.3",
            "--output",
            str(output),
            "--",
            "--input",
            "gs://bucket/CelebAMask-HQ",
            "--runner",
            "DataflowRunner",
        ]
    )
    assert code == 0
    loaded = components.load_component_from_file(str(output))
    spec = loaded.pipeline_spec
    tasks = dict(spec.root.dag.tasks)
    assert topological_order(tasks) == STAGE_TASKS
    assert set(tasks["trainer"].dependent_tasks) == {"example-gen", "example-validator"}
    assert set(tasks["pusher"].dependent_tasks) == {"trainer", "evaluator", "example-gen"}
    # the display names are the stages' (TFX) names
    assert [tasks[name].task_info.name for name in STAGE_TASKS] == list(STAGES)
    assert list(STAGES) == [name.replace("-", "_") for name in STAGE_TASKS]
    assert not tasks["pusher"].caching_options.enable_cache
    assert not tasks["evaluator"].caching_options.enable_cache
    parameters = spec.root.input_definitions.parameters
    assert parameters["system"].default_value.string_value == "mask_guided"
    assert list(parameters["job_arguments"].default_value.list_value) == [
        "--input",
        "gs://bucket/CelebAMask-HQ",
        "--runner",
        "DataflowRunner",
    ]
    assert list(parameters["thresholds"].default_value.list_value) == ["ssim>=0.3"]
    executors = spec.deployment_spec["executors"]
    images = {executor["container"]["image"] for executor in executors.values()}
    assert images == {"registry.example/tfface:0.1.0-gpu"}
    text = output.read_text()
    assert "nvidia.com/gpu" in text
    assert "pip install" not in text  # the image has tfface and kfp
