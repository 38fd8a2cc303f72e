"""Content fingerprints of artifacts and inputs: what the pipeline cache is keyed on.

An output artifact carries the SHA-256 of its files in its metadata (`fingerprint`), and KFP's
local cache keys a task by its component, its parameters and its input artifacts (URI and
metadata), so a task re-runs exactly when the content it reads changed. External inputs (a
source's `--input` folder) are fingerprinted from their names, sizes and modification times,
which is cheap for datasets of many files and changes whenever a file is replaced.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

CHUNK_BYTES = 1 << 20


def files_under(directory: str | os.PathLike) -> list[Path]:
    """Every regular file below `directory`, in a stable order (hidden files included)."""
    root = Path(directory)
    return sorted(path for path in root.rglob("*") if path.is_file())


def content_fingerprint(directory: str | os.PathLike) -> str:
    """SHA-256 over the relative path and the bytes of every file below `directory`.

    Raises:
        FileNotFoundError: `directory` does not exist.
    """
    root = Path(directory)
    if not root.exists():
        raise FileNotFoundError(f"cannot fingerprint {root}: it does not exist")
    digest = hashlib.sha256()
    paths = [root] if root.is_file() else files_under(root)
    for path in paths:
        digest.update(str(path.relative_to(root) if path != root else path.name).encode())
        digest.update(b"\0")
        with path.open("rb") as stream:
            while chunk := stream.read(CHUNK_BYTES):
                digest.update(chunk)
        digest.update(b"\0")
    return digest.hexdigest()


def listing_fingerprint(location: str) -> str:
    """SHA-256 over names, sizes and modification times of the files at a local `location`.

    Returns "" for an empty location or a remote URL (gs://, s3://, ...): those are not
    fingerprinted here, and the cache then keys on the location alone.
    """
    if not location or "://" in location:
        return ""
    root = Path(location)
    if not root.exists():
        raise FileNotFoundError(f"input {root} does not exist")
    digest = hashlib.sha256()
    for path in [root] if root.is_file() else files_under(root):
        status = path.stat()
        digest.update(f"{path.relative_to(root.parent)}\0{status.st_size}\0".encode())
        digest.update(f"{status.st_mtime_ns}\0".encode())
    return digest.hexdigest()
