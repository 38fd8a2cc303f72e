"""`tfface serve` as a test subprocess: started on free ports, stopped with SIGTERM.

Ports are chosen by the OS (`--grpc-port 0 --rest-port 0`) and read back from the
server's ready line, so concurrent test runs never collide.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

SERVER_START_SECONDS = 180


@dataclass
class ServerProcess:
    """A running `tfface serve` subprocess and its addresses."""

    process: subprocess.Popen
    grpc_address: str = ""
    rest_address: str = ""
    output: list[str] = field(default_factory=list)

    def terminate(self, timeout: float = 60) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)


def _read_lines(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def start_server(*arguments: str) -> ServerProcess:
    """Starts `python -m tfface serve ARGUMENTS --grpc-port 0 --rest-port 0`; waits until ready."""
    environment = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tfface",
            "serve",
            *arguments,
            "--grpc-port",
            "0",
            "--rest-port",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=environment,
    )
    server = ServerProcess(process)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True).start()
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            continue
        if line is None:
            raise RuntimeError(f"tfface serve exited early: {''.join(server.output)}")
        server.output.append(line)
        if line.startswith("tfface serve: ready"):
            fields = dict(part.split("=", 1) for part in line.split()[3:])
            server.grpc_address, server.rest_address = fields["grpc"], fields["rest"]
            return server
    process.kill()
    raise RuntimeError("tfface serve did not become ready in time")
