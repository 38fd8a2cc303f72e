"""The served models: versions on disk -> loaded versions, following each version policy.

Every `poll_seconds` the manager lists each model's numeric version folders holding a
`saved_model.pb`, and applies the model's version policy: new versions are loaded and
warmed up first, then versions no longer wanted are unloaded (TF Serving's
availability-preserving order), so a model stays available while a new version is swapped
in. Requests in flight keep their version object and finish on it. A version that fails
to load is reported (state END with the error) and not retried until the server restarts.
"""

from __future__ import annotations

import gc
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import tensorflow as tf

from serving.errors import ServingError, not_found
from serving.metadata import STATE
from serving.model_config import ModelEntry
from serving.servable import ServableOptions, ServableVersion

LOGGER = logging.getLogger("tfface.serve")


@dataclass
class VersionRecord:
    """What happened to one version: state (STATE enum), error, and the loaded servable."""

    state: int
    servable: ServableVersion | None = None
    error_code: int = 0
    error_message: str = ""


def versions_on_disk(base_path: Path) -> list[int]:
    """Numeric subfolders of `base_path` that hold a SavedModel, ascending."""
    if not base_path.is_dir():
        return []
    return sorted(
        int(child.name)
        for child in base_path.iterdir()
        if child.name.isdigit() and (child / "saved_model.pb").is_file()
    )


def refreeze_garbage_collector() -> None:
    """Collects unloaded versions, then exempts the long-lived objects from collection.

    TensorFlow's many long-lived objects would otherwise be re-scanned by every full
    collection, which large JSON requests trigger often (REST answers 10x slower).
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class ModelManager:
    """Loads, serves and unloads the versions of the configured models.

    Args:
        entries: the models (name, base path, version policy).
        options: how versions run (batching...).
    """

    def __init__(self, entries: list[ModelEntry], options: ServableOptions) -> None:
        self.entries = {entry.name: entry for entry in entries}
        self.options = options
        self._records: dict[str, dict[int, VersionRecord]] = {name: {} for name in self.entries}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- loading -------------------------------------------------------------------------
    def _load(self, entry: ModelEntry, version: int) -> None:
        with self._lock:
            self._records[entry.name][version] = VersionRecord(STATE.LOADING)
        try:
            servable = ServableVersion(
                entry.name, version, entry.base_path / str(version), self.options
            )
            servable.warmup()
        except Exception as error:  # a broken export must not take the server down
            code = 2  # UNKNOWN
            if isinstance(error, ServingError):
                code = error.code.value[0]
            elif isinstance(error, tf.errors.OpError):
                code = error.error_code
            LOGGER.error("%s version %d failed to load: %s", entry.name, version, error)
            with self._lock:
                self._records[entry.name][version] = VersionRecord(
                    STATE.END, error_code=code, error_message=f"failed to load: {error}"
                )
            return
        with self._lock:
            self._records[entry.name][version] = VersionRecord(STATE.AVAILABLE, servable)
        LOGGER.info("%s version %d AVAILABLE (%s)", entry.name, version, servable.path)

    def _unload(self, model_name: str, version: int) -> None:
        with self._lock:
            record = self._records[model_name][version]
            record.state = STATE.END
            record.servable = None
        LOGGER.info("%s version %d unloaded", model_name, version)

    def poll_once(self) -> None:
        """Brings the loaded versions of every model in line with the disk and the policy."""
        changed = False
        for entry in self.entries.values():
            wanted = entry.policy.select(versions_on_disk(entry.base_path))
            with self._lock:
                records = dict(self._records[entry.name])
            for version in wanted:
                if version not in records:
                    self._load(entry, version)
                    changed = True
            with self._lock:
                available = [
                    version
                    for version, record in self._records[entry.name].items()
                    if record.state == STATE.AVAILABLE
                ]
            for version in available:
                if version not in wanted:
                    self._unload(entry.name, version)
                    changed = True
        if changed:
            refreeze_garbage_collector()

    def start_polling(self, poll_seconds: float) -> None:
        """Polls in a background thread every `poll_seconds` (<= 0: never)."""
        if poll_seconds <= 0:
            return

        def loop() -> None:
            while not self._stop.wait(poll_seconds):
                try:
                    self.poll_once()
                except Exception:  # keep polling whatever happens on disk
                    LOGGER.exception("polling the model folders failed")

        self._thread = threading.Thread(target=loop, name="tfface-model-poll", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stops polling (loaded versions stay until the process ends)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)

    # -- lookup --------------------------------------------------------------------------
    def _entry(self, model_name: str) -> ModelEntry:
        if model_name not in self.entries:
            raise not_found(
                f"Servable not found for request: model {model_name!r} is not served; "
                f"models: {', '.join(sorted(self.entries))}"
            )
        return self.entries[model_name]

    def servable(self, model_name: str, version: int | None = None) -> ServableVersion:
        """The requested version, or the highest available one (NOT_FOUND if none)."""
        self._entry(model_name)
        with self._lock:
            available = {
                number: record.servable
                for number, record in self._records[model_name].items()
                if record.state == STATE.AVAILABLE and record.servable is not None
            }
        if version is None:
            if not available:
                raise not_found(
                    f"Servable not found for request: Latest({model_name}); no version of "
                    f"{model_name!r} is available yet"
                )
            return available[max(available)]
        if version not in available:
            raise not_found(
                f"Servable not found for request: Specific({model_name}, {version}); "
                f"available versions: {sorted(available) or 'none'}"
            )
        return available[version]

    def status(
        self, model_name: str, version: int | None = None
    ) -> list[tuple[int, int, int, str]]:
        """(version, state, error code, error message) of the model's versions, or of one."""
        self._entry(model_name)
        with self._lock:
            records = sorted(self._records[model_name].items(), reverse=True)
        entries = [
            (number, record.state, record.error_code, record.error_message)
            for number, record in records
            if version is None or number == version
        ]
        if not entries:
            wanted = f"version {version} of " if version is not None else ""
            raise not_found(f"Could not find {wanted}model {model_name!r}")
        return entries

    def available_versions(self, model_name: str) -> list[int]:
        """The AVAILABLE versions of a model, ascending."""
        self._entry(model_name)
        with self._lock:
            records = self._records[model_name]
            return sorted(v for v, record in records.items() if record.state == STATE.AVAILABLE)

    def signature_names(self, model_name: str) -> set[str]:
        """The signatures of the model's AVAILABLE versions (empty for an unknown model)."""
        with self._lock:
            records = self._records.get(model_name, {})
            return {
                name
                for record in records.values()
                if record.state == STATE.AVAILABLE and record.servable is not None
                for name in record.servable.signatures
            }

    def models_without_versions(self) -> list[ModelEntry]:
        """The models with no AVAILABLE version, in configuration order."""
        with self._lock:
            return [
                entry
                for name, entry in self.entries.items()
                if not any(
                    record.state == STATE.AVAILABLE for record in self._records[name].values()
                )
            ]

    def load_errors(self, model_name: str) -> list[str]:
        """'version N: message' for each version of the model that failed to load."""
        with self._lock:
            records = sorted(self._records[model_name].items())
        return [
            f"version {number}: {record.error_message}"
            for number, record in records
            if record.state == STATE.END and record.error_message
        ]

    def is_ready(self) -> bool:
        """Whether every model has an available version."""
        with self._lock:
            return all(
                any(record.state == STATE.AVAILABLE for record in records.values())
                for records in self._records.values()
            )
