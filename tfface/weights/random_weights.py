"""Reproducible random feature networks for tests (``weights="random"``).

Keras 3 initialisers created without a seed draw one from Python's ``random``
module when they are constructed. Building a network inside ``seeded_build()``
seeds that module (and restores its state afterwards), so two processes that
build InceptionV3 / VGG16 with random weights get the same weights, and cached
statistics from random-weight runs stay comparable (tests of ``--reference-stats``).
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator

RANDOM_WEIGHTS_SEED = 0


@contextlib.contextmanager
def seeded_build(enabled: bool = True, seed: int = RANDOM_WEIGHTS_SEED) -> Iterator[None]:
    """Within the block, unseeded Keras initialisers get reproducible seeds (when enabled)."""
    if not enabled:
        yield
        return
    state = random.getstate()
    random.seed(seed)
    try:
        yield
    finally:
        random.setstate(state)
