"""`tfface data build --help`, `tfface data build SOURCE --help` and `tfface data validate` on
folders that are not datasets."""

from __future__ import annotations

from pathlib import Path

import pytest

from tfface.cli.data import SOURCES
from tfface.cli.main import main


def test_build_help_lists_the_sources(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["data", "build", "--help"])
    assert exit_info.value.code == 0
    output = capsys.readouterr().out
    assert "usage: tfface data build" in output
    for source in SOURCES:
        assert source in output
    assert "SOURCE --help" in output


def test_build_source_help_lists_the_job_options(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["data", "build", "synthfaces", "--help"])
    assert exit_info.value.code == 0
    output = capsys.readouterr().out
    assert "usage: tfface data build synthfaces" in output
    for option in ("--output", "--identities", "--pair-with-frontal", "--shards"):
        assert option in output
    assert "Beam pipeline option" in output


def test_build_without_a_source_names_the_sources(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["data", "build"])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert "SOURCE" in error and "synthfaces" in error


def test_build_of_an_unknown_source_is_refused(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["data", "build", "nosuch", "--output", "x"])
    assert exit_info.value.code == 2
    assert "nosuch" in capsys.readouterr().err


def test_validate_a_missing_folder_says_so(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    missing = tmp_path / "no_such_dataset"
    assert main(["data", "validate", str(missing)]) == 2
    error = capsys.readouterr().err
    assert str(missing) in error and "does not exist" in error
    assert "dataset_info.json" not in error


def test_validate_a_file_says_it_is_not_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    not_a_folder = tmp_path / "train-00000-of-00001.tfrecord"
    not_a_folder.write_bytes(b"")
    assert main(["data", "validate", str(not_a_folder)]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_validate_a_folder_without_dataset_info(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    assert main(["data", "validate", str(tmp_path)]) == 1
    assert "dataset_info.json is missing" in capsys.readouterr().err
