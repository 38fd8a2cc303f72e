"""Suite-wide setup: quiet TensorFlow, and split the CPU into 2 logical devices.

With two logical CPU devices `tf.distribute.MirroredStrategy` runs with 2
replicas on any machine, so distribution tests compare 2 replicas with one
device. This must happen before TensorFlow initialises its runtime.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Shared test helpers (tiny systems, fixtures builders) live in tests/helpers.
sys.path.insert(0, str(Path(__file__).parent / "helpers"))


def pytest_configure(config) -> None:
    import tensorflow as tf

    cpus = tf.config.list_physical_devices("CPU")
    try:
        tf.config.set_logical_device_configuration(
            cpus[0], [tf.config.LogicalDeviceConfiguration()] * 2
        )
    except RuntimeError:  # the runtime was initialised already (a plugin imported TF first)
        pass
