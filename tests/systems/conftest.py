"""Session caches of the system tests: SynthFaces datasets, trained systems, their exports.

A test asks for a dataset by its recipe (`synthfaces_data(FACES)`) or through the
`faces_dir` / `pose_pairs_dir` fixtures; the first request of a session runs the
`pipelines.synthfaces` job, later ones (any module) reuse its folder: one Beam job per
distinct dataset per session. Likewise `trained_case(case)` trains a contract case's system
once per session, and `exported_case(case)` exports it once; tests must not change them.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from system_kit import FACES, POSE_PAIRS, Case, SynthFacesRecipe, train_case


@pytest.fixture(scope="session")
def synthfaces_data(tmp_path_factory) -> Callable[[SynthFacesRecipe], str]:
    """recipe -> the folder of its SynthFaces TFRecords, built once per session."""
    built: dict[SynthFacesRecipe, str] = {}

    def folder_of(recipe: SynthFacesRecipe) -> str:
        if recipe not in built:
            from pipelines import synthfaces

            folder = tmp_path_factory.mktemp(f"synthfaces_{recipe.label}")
            synthfaces.main(["--output", str(folder), *recipe.arguments()])
            built[recipe] = str(folder)
        return built[recipe]

    return folder_of


@pytest.fixture(scope="session")
def faces_dir(synthfaces_data) -> str:
    """4 identities at yaw 0 and 20, 64 px, all in the train split."""
    return synthfaces_data(FACES)


@pytest.fixture(scope="session")
def pose_pairs_dir(synthfaces_data) -> str:
    """4 identities at yaw 0 and 30, each paired with its frontal view, 64 px."""
    return synthfaces_data(POSE_PAIRS)


def training_key(case: Case) -> tuple:
    """What the shared trained system depends on (not the two-replica check's settings)."""
    return (case.system, case.data, case.overrides, case.steps)


@pytest.fixture(scope="session")
def trained_case(synthfaces_data) -> Callable[[Case], dict]:
    """case -> `system_kit.train_case(case, ...)` on its data, trained once per session."""
    trained: dict[tuple, dict] = {}

    def trained_system(case: Case) -> dict:
        key = training_key(case)
        if key not in trained:
            trained[key] = train_case(case, synthfaces_data(case.data))
        return trained[key]

    return trained_system


@pytest.fixture(scope="session")
def exported_case(trained_case, tmp_path_factory) -> Callable[[Case], object]:
    """case -> the `ExportResult` (tfface.export.writer) of its trained system, exported once."""
    exported: dict[tuple, object] = {}

    def export(case: Case):
        key = training_key(case)
        if key not in exported:
            from tfface.export.writer import export_system

            base = tmp_path_factory.mktemp(f"models_{case.system}")
            # verify=False: the contract loads the export and runs every warmup request itself
            exported[key] = export_system(
                trained_case(case)["system"], case.system, base, "model", verify=False
            )
        return exported[key]

    return export
