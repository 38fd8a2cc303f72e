"""Presets of the research systems are found without importing the system first.

Each check runs in a fresh interpreter: inside the test session another test has usually
imported the systems already, which would hide a lookup that needs them imported.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest


def run_fresh(code: str) -> subprocess.CompletedProcess:
    """Runs `code` in a new Python process; its output is returned for the assertions."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_importing_the_config_package_does_not_import_tensorflow() -> None:
    result = run_fresh(
        """
        import sys
        import tfface.config
        print("tensorflow" in sys.modules)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("system", ["mask_guided", "warp_rotation"])
def test_get_preset_imports_the_system_on_demand(system: str) -> None:
    result = run_fresh(
        f"""
        import tfface.config
        config = tfface.config.get_preset({system!r}, "tiny")
        print(type(config).__name__, config.preset)
        print(sorted(tfface.config.list_presets({system!r})[{system!r}]))
        """
    )
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.strip().splitlines()
    assert first.endswith(" tiny") and first.split()[0].endswith("Config")
    assert "'paper'" in second and "'tiny'" in second


def test_unknown_system_still_lists_the_known_systems() -> None:
    result = run_fresh(
        """
        import tfface.config
        try:
            tfface.config.get_preset("no_such_system", "tiny")
        except tfface.config.ConfigError as error:
            print(error)
        """
    )
    assert result.returncode == 0, result.stderr
    assert "unknown system 'no_such_system'" in result.stdout
    assert "mask_guided" in result.stdout and "synthfaces" in result.stdout
