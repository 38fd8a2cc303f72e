"""Helpers for the Beam job tests: writing tiny fixtures and reading a job's outputs back."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image


class DatasetReader:
    """Reads a job's output folder: info, rejects, serialized and decoded records."""

    def info(self, output: Path) -> dict[str, Any]:
        return json.loads((output / "dataset_info.json").read_text())

    def rejects(self, output: Path) -> dict[str, str]:
        lines = (output / "rejects.jsonl").read_text().splitlines()
        return {entry["key"]: entry["reason"] for entry in map(json.loads, lines)}

    def serialized(self, output: Path) -> list[bytes]:
        import tensorflow as tf

        files = sorted(str(path) for path in output.glob("*.tfrecord"))
        return sorted(bytes(record.numpy()) for record in tf.data.TFRecordDataset(files))

    def records(self, output: Path) -> dict[str, dict[str, Any]]:
        from tfface.data.features import decode_example_numpy

        decoded = [decode_example_numpy(data) for data in self.serialized(output)]
        return {record["key"]: record for record in decoded}

    def check_counts(
        self, output: Path, inputs: int, accepted: int, rejects: dict[str, int]
    ) -> dict[str, Any]:
        info = self.info(output)
        assert info["inputs"] == inputs, info
        assert info["accepted"] == accepted, info
        assert info["rejects_by_reason"] == rejects, info
        assert info["accepted"] + info["rejected"] == info["inputs"]
        assert sum(info["counts"].values()) == accepted
        assert len(self.serialized(output)) == accepted
        assert len(self.rejects(output)) == info["rejected"]
        return info


@pytest.fixture(scope="session")
def dataset() -> DatasetReader:
    return DatasetReader()


def save_image(path: Path, array: np.ndarray, format: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.asarray(array)).save(path, format=format)
    return path


def save_truncated_jpeg(path: Path, array: np.ndarray) -> Path:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="JPEG", quality=90)
    data = buffer.getvalue()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data[: len(data) // 2])
    return path


def random_image(seed: int, height: int, width: int | None = None) -> np.ndarray:
    """A smooth random colour image (compresses well, survives JPEG)."""
    rng = np.random.default_rng(seed)
    width = width or height
    small = rng.integers(0, 256, size=(4, 4, 3), dtype=np.uint8)
    return np.asarray(Image.fromarray(small).resize((width, height), Image.Resampling.BILINEAR))


@pytest.fixture(scope="session")
def images():
    """Namespace of fixture writers."""

    class Writers:
        save = staticmethod(save_image)
        truncated_jpeg = staticmethod(save_truncated_jpeg)
        random = staticmethod(random_image)

    return Writers
