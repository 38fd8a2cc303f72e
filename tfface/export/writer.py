"""Export a trained system as a TF Serving model version: `tfface export`.

Layout (what `tensorflow_model_server` and `tfface serve` read):

    <base>/models.config                        text-format ModelServerConfig (all models)
    <base>/<name>/<version>/saved_model.pb      signatures from the system's export spec, and
                                                for each one with picture inputs its
                                                encoded-image sibling (`*_bytes`)
    <base>/<name>/<version>/variables/          inference weights (EMA weights if the run has them)
    <base>/<name>/<version>/assets.extra/tf_serving_warmup_requests   PredictionLogs
    <base>/<name>/<version>/assets.extra/model_card.json

Versions are integers; without `version` the next one after the highest existing is used.
An existing version is never overwritten. The version is written into a hidden temporary
folder next to it, checked (loaded, every warmup request run), then renamed into place in
one step, so a server polling the folder never sees a half-written version.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tensorflow as tf

from tfface.export.model_card import model_card, write_model_card
from tfface.export.model_config import CONFIG_FILE, add_model_to_config
from tfface.export.run_loading import load_trained_system
from tfface.export.saved_model_writer import write_saved_model
from tfface.export.versions import existing_versions
from tfface.export.warmup import read_warmup_file, write_warmup_file
from tfface.signatures.bytes_signatures import with_bytes_signatures
from tfface.signatures.signature import BuildSignatures, ExportSignature, check_signatures
from tfface.systems import registry


@dataclass(frozen=True)
class ExportResult:
    """Where an export went.

    Attributes:
        version_dir: `<base>/<name>/<version>`.
        version: the version number.
        model_config: `<base>/models.config`.
        signatures: the exported signature names.
        card: the model card.
    """

    version_dir: Path
    version: int
    model_config: Path
    signatures: tuple[str, ...]
    card: dict


def choose_version(model_dir: Path, version: int | None) -> int:
    """`version` if free (refusing to overwrite), else the next after the highest existing."""
    versions = existing_versions(model_dir)
    if version is None:
        return versions[-1] + 1 if versions else 1
    if version < 0:
        raise ValueError(f"--version must be a non-negative integer, got {version}")
    if version in versions:
        raise ValueError(
            f"{model_dir / str(version)} already exists; versions are never overwritten "
            f"(next free version: {versions[-1] + 1})"
        )
    return version


def verify_export(version_dir: Path) -> None:
    """Loads the SavedModel and runs every warmup request through its signature."""
    loaded = tf.saved_model.load(str(version_dir))
    for log in read_warmup_file(version_dir / "assets.extra" / "tf_serving_warmup_requests"):
        request = log.predict_log.request
        function = loaded.signatures[request.model_spec.signature_name]
        function(**{name: tf.make_ndarray(proto) for name, proto in request.inputs.items()})


def system_signatures(
    system: Any, system_name: str, export_signatures: BuildSignatures | None = None
) -> dict[str, ExportSignature]:
    """The checked signatures of `system`: from `export_signatures`, else from its registry
    entry (`SystemSpec.export_signatures`)."""
    if export_signatures is None:
        export_signatures = registry.get(system_name).export_signatures
    if export_signatures is None:
        exportable = [name for name in registry.available() if registry.get(name).export_signatures]
        raise ValueError(
            f"system {system_name!r} has no serving export (systems with one: "
            f"{', '.join(exportable) or 'none yet'}); give its SystemSpec export_signatures"
        )
    return check_signatures(system_name, export_signatures(system))


def export_system(
    system: Any,
    system_name: str,
    base: str | os.PathLike,
    name: str,
    version: int | None = None,
    *,
    config_base_path: str | None = None,
    verify: bool = True,
    card_fields: dict[str, Any] | None = None,
    export_signatures: BuildSignatures | None = None,
) -> ExportResult:
    """Exports `system` (a built GANSystem with its weights) as `<base>/<name>/<version>`.

    Args:
        system: the system; its EMA weights are exported if it has `ema`.
        system_name: registry name; its `SystemSpec.export_signatures` gives the signatures
            (`tfface/signatures/signature.py`) unless `export_signatures` is given. Every
            signature with picture inputs also gets its encoded-image sibling
            (`tfface.signatures.bytes_signatures`: `serving_bytes`, `<name>_bytes`).
        base: the model base folder (holds models.config and one folder per model).
        name: model name (the TF Serving model name).
        version: version number; default: next after the highest existing.
        config_base_path: prefix of the base_path written to models.config (e.g. "/models"
            for the tensorflow/serving Docker image); default: the absolute base folder.
        verify: load the written SavedModel and run the warmup requests before publishing.
        card_fields: extra model-card fields (config, run_dir, checkpoint, steps...).
        export_signatures: system -> signatures, instead of the registry's (tests, tools).
    """
    if not name or "/" in name or name.startswith("."):
        raise ValueError(f"invalid model name {name!r}")
    base = Path(base).resolve()
    model_dir = base / name
    chosen = choose_version(model_dir, version)
    signatures = with_bytes_signatures(system_signatures(system, system_name, export_signatures))
    model_dir.mkdir(parents=True, exist_ok=True)
    # Hidden and non-numeric: servers only look at numeric folders.
    staging = model_dir / f".export-{chosen}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        ema = getattr(system, "ema", None)
        with ema.swap() if ema is not None else contextlib.nullcontext():
            functions = write_saved_model(system, signatures, staging)
        write_warmup_file(staging, name, signatures)
        fields = dict(card_fields or {})
        if "steps" not in fields and hasattr(system, "step_counter"):
            fields["steps"] = int(system.step_counter.numpy())
        card = model_card(
            system_name=system_name,
            model_name=name,
            version=chosen,
            signatures=signatures,
            functions=functions,
            weights="ema" if ema is not None else "raw",
            **fields,
        )
        write_model_card(staging, card)
        if verify:
            verify_export(staging)
        final = model_dir / str(chosen)
        if final.exists():
            raise ValueError(f"{final} appeared while exporting; not overwriting it")
        os.rename(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    config_prefix = config_base_path.rstrip("/") if config_base_path else str(base)
    config_path = add_model_to_config(base / CONFIG_FILE, name, f"{config_prefix}/{name}")
    return ExportResult(final, chosen, config_path, tuple(signatures), card)


def export_run(
    run_dir: str | os.PathLike,
    base: str | os.PathLike,
    name: str,
    version: int | None = None,
    *,
    config_base_path: str | None = None,
    verify: bool = True,
) -> ExportResult:
    """Restores RUN_DIR's latest checkpoint and exports it (`tfface export`)."""
    trained = load_trained_system(run_dir)
    return export_system(
        trained.system,
        trained.system_name,
        base,
        name,
        version,
        config_base_path=config_base_path,
        verify=verify,
        card_fields={
            "config": trained.config,
            "run_dir": trained.run_dir.resolve(),
            "run_info": trained.run_info,
            "checkpoint_path": trained.checkpoint_path,
            "steps": trained.run_info.get("steps", int(trained.system.step_counter.numpy())),
        },
    )
