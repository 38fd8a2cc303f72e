"""Reading the serving base the pusher writes to: the versions of a model and their cards.

`<base>/<name>/<version>/` folders (TF Serving layout); the pipeline's part of a model card
is its `pipeline` section (`pusher.py`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tfface.export.versions import served_versions

MODEL_CARD = Path("assets.extra") / "model_card.json"


def latest_version(model_dir: str | Path) -> Path | None:
    """The highest version folder of `<base>/<name>` (None: nothing is served)."""
    found = served_versions(model_dir)
    return Path(model_dir) / str(found[-1]) if found else None


def model_card(version_dir: str | Path) -> dict[str, Any]:
    """The version's model card ({} if it has none)."""
    path = Path(version_dir) / MODEL_CARD
    return json.loads(path.read_text()) if path.is_file() else {}


def pipeline_card(version_dir: str | Path) -> dict[str, Any]:
    """The `pipeline` section of a version's model card ({} if not pushed by the pipeline)."""
    return model_card(version_dir).get("pipeline") or {}
