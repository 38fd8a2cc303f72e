"""models.config parsing and writing, version policies, retries."""

from __future__ import annotations

from pathlib import Path

import pytest

from serving.model_config import parse_model_config, read_model_config
from serving.retry import RetryPolicy
from serving.version_policy import VersionPolicy
from tfface.export.model_config import add_model_to_config

CONFIG = """
model_config_list {
  config { name: "a" base_path: "/srv/a" model_platform: "tensorflow" }
  config {
    name: "b" base_path: "relative/b"
    model_version_policy { specific { versions: 2 versions: 5 } }
  }
  config { name: "c" base_path: "/srv/c" model_version_policy { latest { num_versions: 2 } } }
  config { name: "d" base_path: "/srv/d" model_version_policy { all {} } }
}
"""


def test_parse_models_config_with_version_policies(tmp_path: Path) -> None:
    path = tmp_path / "models.config"
    path.write_text(CONFIG)
    entries = {entry.name: entry for entry in read_model_config(path)}
    assert entries["a"].base_path == Path("/srv/a")
    assert entries["b"].base_path == tmp_path.resolve() / "relative/b"
    versions = [1, 2, 3, 4, 5, 6]
    assert entries["a"].policy.select(versions) == [6]
    assert entries["b"].policy.select(versions) == [2, 5]
    assert entries["c"].policy.select(versions) == [5, 6]
    assert entries["d"].policy.select(versions) == versions


def test_bad_configs_are_rejected() -> None:
    with pytest.raises(ValueError, match="text-format"):
        parse_model_config("model_config_list { config { nme: 1 } }")
    with pytest.raises(ValueError, match="platform"):
        parse_model_config(
            'model_config_list { config { name: "a" base_path: "/a" model_platform: "pytorch" } }'
        )
    with pytest.raises(ValueError, match="twice"):
        parse_model_config(
            'model_config_list { config { name: "a" base_path: "/a" } config { name: "a" base_path: "/b" } }'
        )
    with pytest.raises(ValueError, match="num_versions"):
        VersionPolicy("latest", count=0)


def test_add_model_keeps_other_models(tmp_path: Path) -> None:
    path = tmp_path / "models.config"
    path.write_text(CONFIG)
    add_model_to_config(path, "a", "/new/a")
    add_model_to_config(path, "e", "/srv/e")
    entries = {entry.name: entry for entry in read_model_config(path)}
    assert set(entries) == {"a", "b", "c", "d", "e"}
    assert entries["a"].base_path == Path("/new/a")
    assert entries["b"].policy.versions == (2, 5)


def test_retry_backs_off_on_retryable_errors_only() -> None:
    policy = RetryPolicy(attempts=4, initial_backoff=0.1, multiplier=2.0, max_backoff=0.3)
    assert policy.delays() == pytest.approx([0.1, 0.2, 0.3])
    sleeps: list[float] = []
    calls = {"count": 0}

    def flaky() -> str:
        calls["count"] += 1
        if calls["count"] < 3:
            raise ConnectionRefusedError("down")
        return "ok"

    assert policy.call(flaky, lambda e: isinstance(e, ConnectionError), sleeps.append) == "ok"
    assert sleeps == pytest.approx([0.1, 0.2])

    def bad_input() -> str:
        calls["count"] += 1
        raise ValueError("bad")

    calls["count"] = 0
    with pytest.raises(ValueError):
        policy.call(bad_input, lambda e: isinstance(e, ConnectionError), sleeps.append)
    assert calls["count"] == 1
