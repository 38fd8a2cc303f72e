"""The preset registry and the SynthFaces presets."""

from __future__ import annotations

import pytest

from tfface.config import (
    DOMAINS,
    OCCLUDERS,
    ConfigError,
    SynthConfig,
    get_preset,
    list_presets,
)


def test_synthfaces_presets():
    assert get_preset("synthfaces", "default") == SynthConfig()
    demo = get_preset("synthfaces", "demo")
    assert (demo.identities, demo.image_size, demo.uv_size) == (12, 128, 128)
    assert demo.yaws == (-60.0, -30.0, 0.0, 30.0, 60.0)
    assert demo.domains == DOMAINS
    assert demo.occluders == OCCLUDERS
    tiny = get_preset("synthfaces", "tiny")
    assert (tiny.identities, tiny.image_size, tiny.uv_size, tiny.yaws) == (4, 64, 64, (0.0, 30.0))


def test_list_presets():
    assert list_presets("synthfaces") == {"synthfaces": ["default", "demo", "tiny"]}
    assert list_presets()["synthfaces"] == ["default", "demo", "tiny"]


def test_unknown_preset_lists_available():
    with pytest.raises(ConfigError, match="unknown preset 'huge'.*default, demo, tiny"):
        get_preset("synthfaces", "huge")


def test_unknown_system_lists_available():
    with pytest.raises(ConfigError, match="unknown system 'nope'.*synthfaces"):
        get_preset("nope", "default")
    with pytest.raises(ConfigError, match="unknown system 'nope'"):
        list_presets("nope")


def test_a_system_class_declares_its_presets():
    from toy_system import ToySystem, register_toy, tiny_config

    register_toy()
    assert get_preset("toy", "tiny") == tiny_config()
    assert list_presets("toy") == {"toy": sorted(ToySystem.PRESETS)}
    assert list_presets()["toy"] == ["tiny"]
