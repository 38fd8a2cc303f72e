"""What ``tfface evaluate`` evaluates: TF Serving exports and training runs.

An EXPORT is a SavedModel in TF Serving layout, ``<base>/<name>/<version>/``
(`tfface/export/writer.py`). Accepted paths: the version directory itself (it
holds ``saved_model.pb``), the model directory ``<base>/<name>`` (its highest
numeric version is used, as TF Serving does), or a base holding a single model. The
export is loaded with ``tf.saved_model.load`` only: no tfface model code, exactly
what a serving process sees. One signature (``serving_default`` unless chosen) is
called with keyword tensors; it takes uint8 images (``image``; optionally ``mask``,
``label_map``, latent codes) and returns a dict with a uint8 ``image``.

A RUN directory (written by ``tfface train``: ``logs/``, checkpoints, config) is
evaluated through ``load_run``, which exports its latest checkpoint to a temporary
TF Serving layout first, so a run is evaluated by the graph it would be served with.
The temporary export (tens of MB) belongs to the loaded model: ``close()`` removes it,
and a loaded source is a context manager, so it goes on success, error and Ctrl-C alike:

    with load_source("runs/rotation") as source:
        report = evaluate("runs/rotation", options, "eval/", source=source)

The report names the run (``describe()``), not the temporary folder.

An export's model card (``assets.extra/model_card.json``, written by ``tfface export``)
says per signature what its output is compared with (``evaluation_target``, see
``tfface.signatures.evaluation_target``); ``ExportedModel.evaluation_target`` reads it.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from types import TracebackType

import tensorflow as tf

from tfface.signatures.evaluation_target import EvaluationTarget

SAVED_MODEL_FILES = ("saved_model.pb", "saved_model.pbtxt")
RUN_DIR_MARKERS = ("logs", "checkpoints", "config.yaml", "run.json")
DEFAULT_SIGNATURE = "serving_default"
MODEL_CARD = Path("assets.extra") / "model_card.json"
TEMPORARY_EXPORT_PREFIX = "tfface-evaluate-"


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


def read_model_card(version_dir: Path) -> dict:
    """The export's model card, or {} when it has none (exports not written by tfface)."""
    path = version_dir / MODEL_CARD
    if not path.is_file():
        return {}
    try:
        card = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path} is not valid JSON: {error}") from error
    return card if isinstance(card, dict) else {}


class ExportedModel:
    """One signature of a TF Serving export, loaded with ``tf.saved_model.load``.

    A context manager: leaving it calls ``close()``, which removes a temporary export.

    Args:
        version_dir: the SavedModel directory (``<base>/<name>/<version>``).
        signature: signature name (``serving_default`` by default).
        run_dir: the ``tfface train`` run this export was made from for the evaluation
            (``load_run``); the export is then temporary and removed by ``close()``.
        temporary_export: the folder to remove on ``close()`` (``load_run``'s export base).

    Attributes:
        evaluation_target: what the signature's output is compared with, as declared in
            the model card; None when the export declares nothing.
    """

    def __init__(
        self,
        version_dir: str | os.PathLike,
        signature: str = DEFAULT_SIGNATURE,
        run_dir: str | os.PathLike | None = None,
        temporary_export: str | os.PathLike | None = None,
    ):
        self.path = Path(version_dir)
        self.run_dir = Path(run_dir).resolve() if run_dir is not None else None
        self.temporary_export = Path(temporary_export) if temporary_export is not None else None
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
        self.card = read_model_card(self.path)
        declared = self.card.get("signatures", {}).get(signature, {}).get("evaluation_target")
        self.evaluation_target = (
            EvaluationTarget.from_description(declared) if declared is not None else None
        )

    @property
    def name(self) -> str:
        """``<name>/<version>`` of the export, or the run directory's name."""
        if self.run_dir is not None:
            return self.run_dir.name
        return f"{self.path.parent.name}/{self.path.name}"

    @property
    def logs_dir(self) -> Path | None:
        """The TensorBoard logs of the run behind this source (the run, or the export's card)."""
        run_dir = self.run_dir or (Path(self.card["run_dir"]) if self.card.get("run_dir") else None)
        return run_dir / "logs" if run_dir is not None else None

    def close(self) -> None:
        """Removes the temporary export, if any (the model is unusable afterwards)."""
        if self.temporary_export is not None:
            shutil.rmtree(self.temporary_export, ignore_errors=True)
            self.temporary_export = None

    def __enter__(self) -> ExportedModel:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __call__(self, **inputs: tf.Tensor) -> dict[str, tf.Tensor]:
        missing = set(self.input_specs) - set(inputs)
        if missing:
            raise ValueError(f"signature {self.signature!r} needs inputs {sorted(missing)}")
        return self.function(**{name: inputs[name] for name in self.input_specs})

    def describe(self) -> dict:
        """JSON-ready description of the signature."""

        def spec(value: tf.TensorSpec) -> str:
            return f"{value.dtype.name}{list(value.shape)}"

        description = {
            "path": str(self.path),
            "kind": "export",
            "signature": self.signature,
            "inputs": {name: spec(value) for name, value in sorted(self.input_specs.items())},
            "outputs": {name: spec(value) for name, value in sorted(self.output_specs.items())},
        }
        if self.card.get("system"):
            description["system"] = self.card["system"]
        if self.run_dir is not None:
            description.update(
                path=str(self.run_dir),
                kind="run",
                export="the latest checkpoint, exported temporarily for this evaluation "
                "(as `tfface export` would) and removed afterwards",
                checkpoint=self.card.get("checkpoint"),
                steps=self.card.get("steps"),
            )
        return description


def load_run(run_dir: str | os.PathLike, signature: str = DEFAULT_SIGNATURE) -> ExportedModel:
    """The evaluable model of a ``tfface train`` run directory.

    The run's latest checkpoint (EMA weights where the system keeps them) is
    exported with ``tfface.export.writer.export_run`` into a temporary TF Serving
    layout and loaded like any export, so runs and exports are evaluated by
    exactly the same graph (the one ``tfface export`` would ship). The temporary
    export is removed by the model's ``close()`` (use it as a context manager), and
    right away if exporting or loading fails or is interrupted.
    """
    import tempfile

    from tfface.export.writer import export_run

    base = Path(tempfile.mkdtemp(prefix=TEMPORARY_EXPORT_PREFIX))
    try:
        result = export_run(run_dir, base, "run", version=1, verify=False)
        return ExportedModel(result.version_dir, signature, run_dir=run_dir, temporary_export=base)
    except BaseException:
        shutil.rmtree(base, ignore_errors=True)
        raise


def load_source(path: str | os.PathLike, signature: str = DEFAULT_SIGNATURE) -> ExportedModel:
    """An export (version, model or single-model base dir) or a training run directory.

    Close the result (``with load_source(...) as source:``): a run's temporary export goes.
    """
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
