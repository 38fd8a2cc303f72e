"""What ``tfface evaluate`` evaluates: TF Serving exports and training runs.

An EXPORT is a SavedModel in TF Serving layout, ``<base>/<name>/<version>/``
(DESIGN.md, serving contract). Accepted paths: the version directory itself (it
holds ``saved_model.pb``), the model directory ``<base>/<name>`` (its highest
numeric version is used, as TF Serving does), or a base holding a single model. The
export is loaded with ``tf.saved_model.load`` only: no tfface model code, exactly
what a serving process sees. One signature (``serving_default`` unless chosen) is
called with keyword tensors; it takes uint8 images (``image``; optionally ``mask``,
``label_map``, latent codes) and returns a dict with a uint8 ``image``.

A RUN directory (written by ``tfface train``: ``logs/``, checkpoints, config) is
evaluated through ``load_run``, which exports its latest checkpoint to a temporary
TF Serving layout first, so a run is evaluated by the graph it would be served with.
"""

from __future__ import annotations

import os
from pathlib import Path

import tensorflow as tf

SAVED_MODEL_FILES = ("saved_model.pb", "saved_model.pbtxt")
RUN_DIR_MARKERS = ("logs", "checkpoints", "config.yaml", "run.json")
DEFAULT_SIGNATURE = "serving_default"


class SourceNotSupportedError(ValueError):
    """The path is not something ``tfface evaluate`` can evaluate (yet)."""


def _is_saved_model(path: Path) -> bool:
    return any((path / name).is_file() for name in SAVED_MODEL_FILES)


def _versions(model_dir: Path) -> list[Path]:
    """Numeric subdirectories holding a SavedModel, highest version last."""
    found = [
        child
        for child in model_dir.iterdir()
        if child.is_dir() and child.name.isdigit() and _is_saved_model(child)
    ]
    return sorted(found, key=lambda child: int(child.name))


def find_export_version(path: str | os.PathLike) -> Path | None:
    """The SavedModel version directory for a version, model or single-model base path."""
    path = Path(path)
    if not path.is_dir():
        return None
    if _is_saved_model(path):
        return path
    versions = _versions(path)
    if versions:
        return versions[-1]
    models = [child for child in path.iterdir() if child.is_dir() and _versions(child)]
    if len(models) == 1:
        return _versions(models[0])[-1]
    if len(models) > 1:
        names = ", ".join(sorted(model.name for model in models))
        raise SourceNotSupportedError(
            f"{path} holds several models ({names}); pass <base>/<name> or a version directory"
        )
    return None


def is_run_dir(path: str | os.PathLike) -> bool:
    """Whether ``path`` looks like a ``tfface train`` run directory."""
    path = Path(path)
    return path.is_dir() and any((path / marker).exists() for marker in RUN_DIR_MARKERS)


class ExportedModel:
    """One signature of a TF Serving export, loaded with ``tf.saved_model.load``.

    Args:
        version_dir: the SavedModel directory (``<base>/<name>/<version>``).
        signature: signature name (``serving_default`` by default).
    """

    def __init__(self, version_dir: str | os.PathLike, signature: str = DEFAULT_SIGNATURE):
        self.path = Path(version_dir)
        self.loaded = tf.saved_model.load(str(self.path))
        available = sorted(self.loaded.signatures.keys())
        if signature not in self.loaded.signatures:
            raise SourceNotSupportedError(
                f"{self.path} has no signature {signature!r}; it has: {', '.join(available) or 'none'}"
            )
        self.signature = signature
        self.function = self.loaded.signatures[signature]
        self.input_specs: dict[str, tf.TensorSpec] = dict(
            self.function.structured_input_signature[1]
        )
        self.output_specs: dict[str, tf.TensorSpec] = dict(self.function.structured_outputs)

    @property
    def name(self) -> str:
        """``<name>/<version>`` of the export."""
        return f"{self.path.parent.name}/{self.path.name}"

    def __call__(self, **inputs: tf.Tensor) -> dict[str, tf.Tensor]:
        missing = set(self.input_specs) - set(inputs)
        if missing:
            raise ValueError(f"signature {self.signature!r} needs inputs {sorted(missing)}")
        return self.function(**{name: inputs[name] for name in self.input_specs})

    def describe(self) -> dict:
        """JSON-ready description of the signature."""

        def spec(value: tf.TensorSpec) -> str:
            return f"{value.dtype.name}{list(value.shape)}"

        return {
            "path": str(self.path),
            "kind": "export",
            "signature": self.signature,
            "inputs": {name: spec(value) for name, value in sorted(self.input_specs.items())},
            "outputs": {name: spec(value) for name, value in sorted(self.output_specs.items())},
        }


def load_run(run_dir: str | os.PathLike, signature: str = DEFAULT_SIGNATURE) -> ExportedModel:
    """The evaluable model of a ``tfface train`` run directory.

    The run's latest checkpoint (EMA weights where the system keeps them) is
    exported with ``serving.export.export_run`` into a temporary TF Serving
    layout and loaded like any export, so runs and exports are evaluated by
    exactly the same graph (the one ``tfface export`` would ship).
    """
    import tempfile

    from serving.export import export_run

    base = Path(tempfile.mkdtemp(prefix="tfface-evaluate-"))
    result = export_run(run_dir, base, "run", version=1, verify=False)
    model = ExportedModel(result.version_dir, signature)
    model.temporary_export = base  # kept alive with the model; removed by the OS temp cleaner
    return model


def load_source(path: str | os.PathLike, signature: str = DEFAULT_SIGNATURE) -> ExportedModel:
    """An export (version, model or single-model base dir) or a training run directory."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist")
    version_dir = find_export_version(path)
    if version_dir is not None:
        return ExportedModel(version_dir, signature)
    if is_run_dir(path):
        return load_run(path, signature)
    raise SourceNotSupportedError(
        f"{path} is neither an export (<base>/<name>/<version>/saved_model.pb) nor a run directory"
    )
