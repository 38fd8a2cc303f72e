"""Hiding the library output a `tfface` user cannot act on (shown again with `tfface --verbose`).

TensorFlow prints a start-up banner and CUDA probe messages from C++ (oneDNN notice, "Could
not find cuda drivers", "Unable to register cuDNN factory", "failed call to cuInit"), Beam
warns about optional accelerators it did not find, and Keras / TensorFlow emit deprecation
warnings about their own internals. By default `library_output(verbose=False)`:

- sets `TF_CPP_MIN_LOG_LEVEL=3` (and `GRPC_VERBOSITY=ERROR`) unless the user set them, before
  TensorFlow is imported, so its C++ logging after start-up is quiet, also in Beam workers;
- captures file descriptor 2 while `tensorflow` is first imported and replays everything but
  the C++ log lines (TensorFlow writes those before its logging is configured, ignoring
  `TF_CPP_MIN_LOG_LEVEL`);
- raises the Python loggers of TensorFlow, absl, Keras and Beam to ERROR and ignores
  deprecation warnings and the libraries' own user warnings.

`tfface data build` also runs its Beam job under `filtered_child_stderr`, which drops the
same C++ lines and the harness chatter of Beam's worker processes as they are written.

Everything is restored when the context ends (the command ran in-process, e.g. in tests).
A process that TensorFlow aborts while it starts (a fatal C++ error) dies before the captured
lines are replayed: `--verbose` shows TensorFlow's message then.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import logging
import os
import re
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

QUIET_ENVIRONMENT = {"TF_CPP_MIN_LOG_LEVEL": "3", "GRPC_VERBOSITY": "ERROR"}
LIBRARY_LOGGERS = ("tensorflow", "absl", "keras", "apache_beam", "tensorflow_datasets")
LIBRARY_MODULES = r"(tensorflow|keras|absl|apache_beam|tensorflow_datasets|google|tf_keras)(\.|$)"
# C++ log lines below FATAL (absl format: severity, date, time, thread, file:line]), absl's
# note about them and the CPU feature notice's second line.
NOISE_LINE = re.compile(
    r"^([IWE]\d{4} [\d:.]+\s+\d+ \S+:\d+\] "
    r"|WARNING: All log messages before absl::InitializeLog\(\) is called"
    r"|To enable the following instructions: .* rebuild TensorFlow)"
)
# Log lines of Beam's worker processes (`--direct_running_mode=multi_processing`): their
# harness chatter and warnings about Beam itself; errors and tfface's warnings stay.
BEAM_WORKER_NOISE = re.compile(
    r"^(INFO:|DEBUG:|WARNING:(__main__|apache_beam[\w.]*):|WARNING:root:apitools not found)"
)
_LIBRARY_PATH = re.compile(r"[/\\](tensorflow|keras|absl|apache_beam|tensorflow_datasets)[/\\]")


def is_noise(line: str) -> bool:
    """True for a line of TensorFlow's C++ start-up logging."""
    return bool(NOISE_LINE.match(line))


@contextmanager
def filtered_stderr() -> Iterator[None]:
    """Captures file descriptor 2 (C++ and Python writes alike) and replays its non-noise lines.

    Does nothing if descriptor 2 cannot be duplicated (no stderr).
    """
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    with tempfile.TemporaryFile() as capture:
        sys.stderr.flush()
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            text = capture.read().decode("utf-8", errors="replace")
            kept = "".join(line for line in text.splitlines(keepends=True) if not is_noise(line))
            if kept:
                sys.stderr.write(kept)
                sys.stderr.flush()


@contextmanager
def filtered_child_stderr() -> Iterator[None]:
    """Passes everything written to file descriptor 2 inside the context, by this process and
    the processes it starts (Beam workers), through a filter that drops TensorFlow's C++
    start-up lines and Beam's worker log chatter (`BEAM_WORKER_NOISE`).

    A thread forwards the kept lines as they come. Does nothing without a descriptor 2.
    """
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    output = os.dup(saved)  # the forwarding thread's own copy: it closes it when done
    read_end, write_end = os.pipe()

    def forward() -> None:
        with os.fdopen(read_end, "rb") as reader:
            for raw_line in reader:
                line = raw_line.decode("utf-8", errors="replace")
                if not is_noise(line) and not BEAM_WORKER_NOISE.match(line):
                    os.write(output, raw_line)
        os.close(output)

    thread = threading.Thread(target=forward, name="tfface-stderr-filter", daemon=True)
    thread.start()
    sys.stderr.flush()
    os.dup2(write_end, 2)
    os.close(write_end)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)  # closes this process's write end of the pipe
        os.close(saved)
        thread.join(timeout=10.0)  # ends once every child that inherited the pipe has exited


class _FilteredLoader(importlib.abc.Loader):
    """Runs another loader's `exec_module` under `filtered_stderr`; delegates everything else."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        module.__loader__ = self.loader
        if module.__spec__ is not None:
            module.__spec__.loader = self.loader
        with filtered_stderr():
            self.loader.exec_module(module)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.loader, name)


class QuietTensorFlowImport(importlib.abc.MetaPathFinder):
    """A meta path finder that makes the first import of `tensorflow` run under `filtered_stderr`."""

    def find_spec(self, fullname: str, path: Any, target: Any = None):
        if fullname != "tensorflow":
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _FilteredLoader(spec.loader)
                return spec
        return None


def _drop_library_records(record: logging.LogRecord) -> bool:
    """Root-logger filter: drops library warnings logged on the root logger (Beam's
    'apitools not found'), keeps errors and everything from elsewhere."""
    return record.levelno >= logging.ERROR or not _LIBRARY_PATH.search(record.pathname or "")


@contextmanager
def library_output(verbose: bool) -> Iterator[None]:
    """Hides the libraries' start-up logging and warnings inside the context unless `verbose`."""
    if verbose:
        yield
        return
    previous_environment = {name: os.environ.get(name) for name in QUIET_ENVIRONMENT}
    for name, value in QUIET_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    previous_levels = {name: logging.getLogger(name).level for name in LIBRARY_LOGGERS}
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    root = logging.getLogger()
    root.addFilter(_drop_library_records)
    finder = QuietTensorFlowImport()
    sys.meta_path.insert(0, finder)
    try:
        with warnings.catch_warnings():
            for category in (DeprecationWarning, PendingDeprecationWarning, FutureWarning):
                warnings.filterwarnings("ignore", category=category)
            warnings.filterwarnings("ignore", category=UserWarning, module=LIBRARY_MODULES)
            yield
    finally:
        if finder in sys.meta_path:
            sys.meta_path.remove(finder)
        root.removeFilter(_drop_library_records)
        for name, level in previous_levels.items():
            logging.getLogger(name).setLevel(level)
        for name, value in previous_environment.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
