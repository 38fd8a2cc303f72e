"""The version folders of a model in the TF Serving layout (`<base>/<name>/<version>/`),
without TensorFlow: the pusher and the writer read them alike."""

from __future__ import annotations

from pathlib import Path


def existing_versions(model_dir: Path) -> list[int]:
    """The numeric version folders of a model folder, ascending."""
    if not model_dir.is_dir():
        return []
    return sorted(int(child.name) for child in model_dir.iterdir() if child.name.isdigit())


def served_versions(model_dir: str | Path) -> list[int]:
    """The numeric version folders that hold a SavedModel (what a server loads), ascending."""
    model_dir = Path(model_dir)
    return [
        version
        for version in existing_versions(model_dir)
        if (model_dir / str(version) / "saved_model.pb").is_file()
    ]
