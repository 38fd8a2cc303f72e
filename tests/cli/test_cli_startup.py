"""`tfface --help`, `--version` and every `tfface COMMAND --help` answer without importing
TensorFlow, Keras, Beam or TFDS (each case runs in a fresh interpreter)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tfface.cli.main import SUBCOMMANDS

HEAVY_MODULES = ("tensorflow", "keras", "apache_beam", "tensorflow_datasets")
PROBE = """
import json, sys
from tfface.cli.main import main
try:
    code = main({argv!r})
except SystemExit as exit_info:
    code = exit_info.code
heavy = sorted(name for name in {heavy!r} if name in sys.modules)
print(json.dumps({{"code": code, "heavy": heavy}}))
"""

HELP_COMMANDS = [
    ["--help"],
    ["--version"],
    ["--verbose", "--help"],
    *([name, "--help"] for name in SUBCOMMANDS),
    ["data", "build", "--help"],
    ["data", "validate", "--help"],
]


def run_probe(argv: list[str]) -> tuple[dict, str]:
    """Runs main(argv) in a fresh interpreter; returns its exit code and heavy modules, and stdout."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv, heavy=HEAVY_MODULES)],
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return report, result.stdout


@pytest.mark.parametrize("argv", HELP_COMMANDS, ids=" ".join)
def test_help_and_version_import_no_heavy_library(argv: list[str]) -> None:
    report, output = run_probe(argv)
    assert report["code"] == 0, output
    assert report["heavy"] == [], f"tfface {' '.join(argv)} imported {report['heavy']}"
    assert "tfface" in output


def test_version_names_the_package() -> None:
    from tfface import __version__

    _, output = run_probe(["--version"])
    assert f"tfface {__version__}" in output


def test_every_subcommand_summary_matches_its_module() -> None:
    """The top-level help uses a static table so as not to import every command; it must say
    what the commands' own parsers say."""
    from tfface.cli.main import build_parser

    parser = build_parser()
    choices = parser._subparsers._group_actions[0]._choices_actions
    summaries = {action.dest: action.help for action in choices}
    assert summaries == {name: command.summary for name, command in SUBCOMMANDS.items()}
