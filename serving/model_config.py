"""`models.config`: TF Serving's text-format `ModelServerConfig`, read and written.

    model_config_list {
      config {
        name: "faces"
        base_path: "/srv/models/faces"
        model_platform: "tensorflow"
        model_version_policy { latest { num_versions: 1 } }   # optional
      }
    }

`tensorflow_model_server --model_config_file=models.config` and
`tfface serve --model-config models.config` read the same file. A relative base_path is
taken relative to the directory of the config file. The export writes the file
(`tfface/export/model_config.py`); the server reads it here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from google.protobuf import text_format
from tensorflow_serving.config import model_server_config_pb2

from serving.version_policy import VersionPolicy

PLATFORM = "tensorflow"
CONFIG_FILE = "models.config"


@dataclass(frozen=True)
class ModelEntry:
    """One served model: name, the folder of its numeric versions, and the version policy."""

    name: str
    base_path: Path
    policy: VersionPolicy = field(default_factory=VersionPolicy)


def parse_model_config(text: str, relative_to: Path | None = None) -> list[ModelEntry]:
    """The models of a text-format ModelServerConfig."""
    config = model_server_config_pb2.ModelServerConfig()
    try:
        text_format.Parse(text, config)
    except text_format.ParseError as error:
        raise ValueError(
            f"models.config is not a text-format ModelServerConfig: {error}"
        ) from error
    if config.WhichOneof("config") != "model_config_list":
        raise ValueError("models.config must hold a model_config_list")
    entries: list[ModelEntry] = []
    for model in config.model_config_list.config:
        if not model.name or not model.base_path:
            raise ValueError("every model in models.config needs a name and a base_path")
        if model.model_platform not in ("", PLATFORM):
            raise ValueError(
                f"model {model.name!r}: platform {model.model_platform!r} is not served "
                f"(only {PLATFORM!r})"
            )
        if any(entry.name == model.name for entry in entries):
            raise ValueError(f"model {model.name!r} appears twice in models.config")
        base_path = Path(model.base_path)
        if not base_path.is_absolute() and relative_to is not None:
            base_path = relative_to / base_path
        policy = VersionPolicy.from_proto(model.model_version_policy)
        entries.append(ModelEntry(model.name, base_path, policy))
    if not entries:
        raise ValueError("models.config lists no model")
    return entries


def read_model_config(path: str | Path) -> list[ModelEntry]:
    """The models of a models.config file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"model config {path} does not exist")
    return parse_model_config(path.read_text(), relative_to=path.parent.resolve())
