"""Adding a model to `models.config`, TF Serving's text-format `ModelServerConfig`.

The export writer keeps `<base>/models.config` listing every model of the base folder, so
`tensorflow_model_server --model_config_file=models.config` and `tfface serve
--model-config models.config` serve it; the server reads the file with
`serving/model_config.py`.
"""

from __future__ import annotations

import os
from pathlib import Path

from google.protobuf import text_format
from tensorflow_serving.config import model_server_config_pb2

PLATFORM = "tensorflow"
CONFIG_FILE = "models.config"


def add_model_to_config(config_path: str | Path, name: str, base_path: str) -> Path:
    """Adds (or updates) model `name` in the models.config at `config_path`, keeping the others.

    The file is replaced atomically (written next to it, then renamed).
    """
    config_path = Path(config_path)
    config = model_server_config_pb2.ModelServerConfig()
    if config_path.is_file():
        text_format.Parse(config_path.read_text(), config)
    models = config.model_config_list.config
    entry = next((model for model in models if model.name == name), None)
    if entry is None:
        entry = models.add()
        entry.name = name
    entry.base_path = base_path
    entry.model_platform = PLATFORM
    temporary = config_path.with_name(f".{config_path.name}.{os.getpid()}.tmp")
    temporary.write_text(text_format.MessageToString(config))
    os.replace(temporary, config_path)
    return config_path
