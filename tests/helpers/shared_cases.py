"""A test module's fixture of a contract case's shared trained system (tests/systems/conftest.py).

    trained = shared_trained_fixture(Case("warp_inpainting", FACES))

gives the module a `trained` fixture: the `system_kit.train_case` dict of the case, trained
once per session and shared with the contract tests (do not change it).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from system_kit import Case


def shared_trained_fixture(case: Case) -> Callable:
    """A module-scoped fixture named `trained` that returns `trained_case(case)`."""

    @pytest.fixture(scope="module", name="trained")
    def trained(trained_case) -> dict:
        return trained_case(case)

    return trained
