"""The light system catalog (`tfface train --help`, no TensorFlow) says what the system classes
declare: the shipped systems, their summaries and presets."""

from __future__ import annotations

from tfface.config import list_presets
from tfface.systems import registry
from tfface.systems.catalog import SYSTEMS, describe_systems


def test_catalog_lists_the_registry_systems() -> None:
    assert sorted(SYSTEMS) == registry.available_packages()


def test_catalog_says_what_each_system_class_declares() -> None:
    for name, entry in SYSTEMS.items():
        spec = registry.get(name)
        assert sorted(entry.presets) == list_presets(name)[name] == sorted(spec.presets), name
        assert entry.summary == spec.summary, name


def test_description_names_every_system_and_preset() -> None:
    text = describe_systems()
    for name, entry in SYSTEMS.items():
        line = next(line for line in text.splitlines() if line.split()[0] == name)
        for preset in entry.presets:
            assert preset in line
