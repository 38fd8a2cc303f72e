"""glibc malloc settings for Beam worker processes that churn through large NumPy arrays.

Beam's SDK workers run bundles on threads other than the main thread. glibc serves
such threads from secondary arenas and, with its default dynamic thresholds, returns
large freed blocks to the kernel and maps them again on the next allocation: every
image-sized NumPy temporary then costs fresh page faults and zeroed pages. Measured on
the synthfaces job with two DirectRunner worker processes (benchmarks/ingest.py), the
workers spent 38-40 s of CPU on 480 examples where one in-process worker spends 27 s;
with the fixed thresholds below they spend 32 s (the rest is the workers' own start-up and
data transfer). In-process runs (the main thread) never hit this.

`tune_allocator()` is called in `SourceDoFn.setup`, so it applies in every worker process
of every runner (DirectRunner subprocesses, Dataflow, Flink, Spark). It keeps freed
memory up to `RETAINED_BYTES` in the process for reuse. A no-op where the C library is
not glibc.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

# mallopt parameters (glibc malloc.h)
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
RETAINED_BYTES = 256 << 20
"""Free memory at the top of a heap that stays mapped (the trim threshold)."""
MMAP_THRESHOLD_MAX = 32 << 20
"""Blocks below this come from the heaps, not from mmap (glibc's cap on 64-bit systems)."""

_tuned = False


def tune_allocator() -> bool:
    """Fixes glibc's mmap and trim thresholds once per process; True if they were set."""
    global _tuned
    if _tuned:
        return True
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to tune
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    mmap_ok = mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_MAX) == 1
    trim_ok = mallopt(M_TRIM_THRESHOLD, RETAINED_BYTES) == 1
    _tuned = mmap_ok and trim_ok
    if not _tuned:
        logging.info("mallopt refused the thresholds; keeping the allocator's defaults")
    return _tuned
