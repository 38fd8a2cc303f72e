"""Per-file numeric metadata from a CSV with a `path` column (poses, gaze, camera positions).

Keys are the `path` values without extension ('/' separators), so they match
files whatever their image format. A column in which no value is a number is
a text column and ignored; in the other columns a non-number, a missing value,
a wrong field count or a repeated path marks that file's row as bad (None).
"""

from __future__ import annotations

import csv
import io
import math

from pipelines.common.image_io import strip_extension

MetadataRow = tuple[tuple[str, float], ...]


def _number(text: str | None) -> float | None:
    try:
        value = float(text) if text is not None else math.nan
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_metadata(text: str) -> tuple[dict[str, MetadataRow | None], list[str]]:
    """CSV text -> ({pair key: ((column, value), ...) or None if the row is malformed}, text columns).

    Keys are the `path` column without extension. Text columns (no value is a
    number) are ignored; in the other columns a non-number marks the row bad.
    """
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or "path" not in reader.fieldnames:
        raise ValueError("the metadata CSV needs a 'path' column")
    rows = list(reader)
    columns = [name for name in reader.fieldnames if name != "path"]
    text_columns = [
        name for name in columns if not any(_number(row.get(name)) is not None for row in rows)
    ]
    numeric = [name for name in columns if name not in text_columns]
    table: dict[str, MetadataRow | None] = {}
    for row in rows:
        path = (row.get("path") or "").strip()
        if not path:
            continue
        values = [(name, _number(row.get(name))) for name in numeric]
        # extra fields land under the key None; a duplicate row is bad too
        malformed = None in row or any(value is None for _, value in values)
        key = strip_extension(path.replace("\\", "/").lstrip("/"))
        table[key] = None if malformed or key in table else tuple(values)
    return table, text_columns
