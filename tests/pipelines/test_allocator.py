"""The worker allocator settings apply on glibc (and nowhere else) and are harmless to repeat."""

from __future__ import annotations

import platform

import numpy as np
import pytest

from pipelines.common import allocator


def test_thresholds_are_set_once_per_process_where_the_libc_is_glibc() -> None:
    on_glibc = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"
    assert allocator.tune_allocator() is on_glibc
    assert allocator.tune_allocator() is on_glibc  # idempotent
    # The process keeps working normally with large temporaries afterwards.
    total = sum(float(np.ones((512, 512, 3)).sum()) for _ in range(20))
    assert total == 20 * 512 * 512 * 3


def test_source_dofn_setup_tunes_the_allocator(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipelines.common import processing

    calls = []
    monkeypatch.setattr(processing, "tune_allocator", lambda: calls.append(1) or True)

    class Loading(processing.SourceDoFn):
        def load(self) -> None:
            calls.append(2)

    Loading(fractions={"train": 1.0}, salt="s").setup()
    assert calls == [1, 2]
