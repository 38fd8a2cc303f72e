"""The light system catalog (`tfface train --help`) lists exactly what the registry has."""

from __future__ import annotations

from tfface.config import list_presets
from tfface.systems import registry
from tfface.systems.catalog import SYSTEMS, describe_systems


def test_catalog_lists_the_registry_systems() -> None:
    assert set(SYSTEMS) == set(registry.SYSTEM_MODULES)


def test_catalog_lists_each_system_presets() -> None:
    for name, entry in SYSTEMS.items():
        registry.get(name)  # imports the system module, which registers its presets
        assert sorted(entry.presets) == list_presets(name)[name], name


def test_description_names_every_system_and_preset() -> None:
    text = describe_systems()
    for name, entry in SYSTEMS.items():
        line = next(line for line in text.splitlines() if line.split()[0] == name)
        for preset in entry.presets:
            assert preset in line
