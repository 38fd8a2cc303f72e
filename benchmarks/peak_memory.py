"""Peak resident memory of this process (benchmarks/train_*.py)."""

from __future__ import annotations

import resource
from pathlib import Path


def peak_rss_mib() -> float:
    """The process's peak resident set size in MiB: VmHWM of /proc/self/status.

    Not `getrusage(RUSAGE_SELF).ru_maxrss`: Linux keeps that across fork and execve, so a
    measuring subprocess started by a parent that built a dataset (Beam) would report the
    parent's peak whenever it is larger. VmHWM belongs to the process's own address space.
    ru_maxrss is the fallback where /proc is missing (macOS reports it in bytes there).
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)  # kB
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
