"""Where a served model's versions are looked for, and what to say when none is there.

`tfface serve --model-base DIR --model-name NAME` takes DIR as the export `--base` (holding
NAME/) or as the model folder itself (holding the numeric versions, like TF Serving's
--model_base_path). A server that starts with no servable version of a model would answer
every request NOT_FOUND, so it refuses to start, naming the folder it looked in and what
is there, unless asked to wait for a pusher (`--allow-empty`).
"""

from __future__ import annotations

from pathlib import Path

from serving.model_config import ModelEntry

SAVED_MODEL_FILE = "saved_model.pb"
LISTED_ENTRIES = 12


class NoServableVersionError(ValueError):
    """Some model has no version that loaded when the server starts."""


def single_model_entry(model_base: str | Path, model_name: str) -> ModelEntry:
    """The entry of `--model-base DIR --model-name NAME`.

    DIR/NAME when that folder exists; DIR itself when it holds numeric version folders or is
    named NAME (the TF Serving layout `/models/NAME`); otherwise DIR/NAME, where
    `tfface export --base DIR --name NAME` writes the versions.
    """
    base = Path(model_base).resolve()
    model_dir = base / model_name
    if model_dir.is_dir():
        return ModelEntry(model_name, model_dir)
    holds_versions = base.is_dir() and any(
        child.name.isdigit() and child.is_dir() for child in base.iterdir()
    )
    if holds_versions or (base.name == model_name and base.is_dir()):
        return ModelEntry(model_name, base)
    return ModelEntry(model_name, model_dir)


def describe_entry(path: Path) -> str:
    """One folder entry: 'name/' for folders, with '(no saved_model.pb)' for empty versions."""
    if not path.is_dir():
        return path.name
    if path.name.isdigit() and not (path / SAVED_MODEL_FILE).is_file():
        return f"{path.name}/ (no {SAVED_MODEL_FILE})"
    return f"{path.name}/"


def describe_folder(path: Path) -> str:
    """What is at `path`: 'does not exist', 'is empty', or 'holds: a/, b, ...'."""
    if not path.exists():
        return "does not exist"
    if not path.is_dir():
        return "is a file, not a folder"
    children = sorted(path.iterdir(), key=lambda child: child.name)
    if not children:
        return "is empty"
    listed = ", ".join(describe_entry(child) for child in children[:LISTED_ENTRIES])
    more = len(children) - LISTED_ENTRIES
    return f"holds: {listed}" + (f" and {more} more" if more > 0 else "")


def missing_version_line(entry: ModelEntry, load_errors: list[str]) -> str:
    """Why one model has no servable version: the folder, its contents, failed loads."""
    folder = entry.base_path
    line = f"model {entry.name!r} has no servable version: {folder} {describe_folder(folder)}"
    if not folder.exists() and folder.parent.is_dir():
        line += f"; {folder.parent} {describe_folder(folder.parent)}"
    if load_errors:
        line += "; " + "; ".join(load_errors)
    return line


def no_versions_message(lines: list[str]) -> str:
    """The start-up error for the models in `lines` (one missing_version_line each)."""
    return (
        ". ".join(lines)
        + ". A version is a numeric folder holding saved_model.pb (tfface export writes "
        "BASE/NAME/1/). Check --model-base / --model-name (or the base_path in "
        "--model-config), or pass --allow-empty to start anyway and wait for a version."
    )
