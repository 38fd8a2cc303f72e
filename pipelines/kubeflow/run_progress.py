"""Live stage lines of a local run, read from what kfp.local prints.

kfp.local prints every task's output (our stages print `tfface pipeline: STAGE running`,
`... succeeded: MESSAGE`, `... failed: MESSAGE`) and its own log lines to `sys.stdout`, and
logs cache hits (`Task NAME cache hit`) on the root logger. `StageProgress` stands in for
sys.stdout during the run: it keeps everything in the run's log file and prints one line
per stage event to the terminal; `CacheHits` is the logging handler for the cache hits.
"""

from __future__ import annotations

import io
import logging
import re
from typing import TextIO

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_STAGE_LINE = re.compile(r"tfface pipeline: (\w+) (running|succeeded|failed)(?:: (.*))?$")
_CACHE_HIT = re.compile(r"Task '?([\w-]+)'? cache hit")


def stage_name(task_name: str) -> str:
    """KFP's task name (`example-gen`) -> the stage (`example_gen`)."""
    return task_name.replace("-", "_")


class StageProgress(io.TextIOBase):
    """A text stream that logs everything to `log` and echoes stage events to `terminal`.

    Args:
        log: the run's log file.
        terminal: where the stage lines go (the real stderr).
        echo_all: also echo every line (`--verbose`).
    """

    def __init__(self, log: TextIO, terminal: TextIO, echo_all: bool = False) -> None:
        self.log = log
        self.terminal = terminal
        self.echo_all = echo_all
        self._pending = ""
        self.events: list[tuple[str, str, str]] = []

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.log.write(text)
        if self.echo_all:
            self.terminal.write(text)
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            self.line(_ANSI.sub("", line).strip())
        return len(text)

    def flush(self) -> None:
        self.log.flush()
        self.terminal.flush()

    def line(self, line: str) -> None:
        """Handles one complete line of output."""
        match = _STAGE_LINE.search(line)
        if match:
            stage, event, message = match.groups()
            self.event(stage, event, message or "")

    def event(self, stage: str, event: str, message: str) -> None:
        """Records a stage event and prints it (quietly unless --verbose echoes everything)."""
        self.events.append((stage, event, message))
        if not self.echo_all:
            detail = f": {message}" if message else ""
            self.terminal.write(f"  {stage:<18} {event}{detail}\n")
            self.terminal.flush()


class CacheHits(logging.Handler):
    """Turns kfp.local's `Task NAME cache hit` log records into stage events."""

    def __init__(self, progress: StageProgress) -> None:
        super().__init__(logging.INFO)
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        match = _CACHE_HIT.search(_ANSI.sub("", record.getMessage()))
        if match:
            self.progress.event(stage_name(match.group(1)), "cached", "re-used a finished run")
