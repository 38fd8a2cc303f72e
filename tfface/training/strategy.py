"""Choosing the tf.distribute strategy: one device, MirroredStrategy, MultiWorkerMirroredStrategy.

- `default`: the default strategy (one device; GPU 0 if there is one).
- `mirrored`: `MirroredStrategy` over all GPUs, or, on a CPU-only machine, over
  the logical CPU devices (split the CPU first with `split_cpu(n)`, or
  `tfface train --cpu-replicas n`, to run N
  replicas on one CPU, as the tests do).
- `multiworker`: `MultiWorkerMirroredStrategy`, cluster from the `TF_CONFIG`
  environment variable (one process per machine).
"""

from __future__ import annotations

import json
import os

import tensorflow as tf

from tfface.ops.private_apis import set_collective_key_base
from tfface.training.strategy_names import STRATEGIES

_KEY_SPACING = 10_000
_strategies_created = 0


def mirrored_strategy(devices: list[str], **kwargs) -> tf.distribute.MirroredStrategy:
    """A MirroredStrategy whose collective group keys differ from every earlier one.

    TensorFlow numbers collective groups from the same base for every
    MirroredStrategy, so a second strategy over the same devices in one
    process (a notebook, a test suite) reuses the first one's collective
    instances and fails with "Shape mismatch in the collective instance".
    Giving each strategy its own key base avoids that.
    """
    global _strategies_created
    _strategies_created += 1
    set_collective_key_base(_strategies_created * _KEY_SPACING)
    try:
        return tf.distribute.MirroredStrategy(devices, **kwargs)
    finally:
        set_collective_key_base(0)


def split_cpu(replicas: int) -> None:
    """Splits the first CPU into `replicas` logical devices (before TensorFlow initialises)."""
    cpus = tf.config.list_physical_devices("CPU")
    try:
        tf.config.set_logical_device_configuration(
            cpus[0], [tf.config.LogicalDeviceConfiguration()] * replicas
        )
    except RuntimeError as error:
        existing = len(tf.config.list_logical_devices("CPU"))
        if existing != replicas:
            raise RuntimeError(
                f"cannot split the CPU into {replicas} devices after TensorFlow initialised ({existing} exist)"
            ) from error


def use_cpu_replicas(kind: str, replicas: int) -> None:
    """`tfface train --cpu-replicas N`: MirroredStrategy over N logical CPU devices.

    Lets a user without GPUs try data parallelism: the CPU is split into `replicas` logical
    devices (before TensorFlow initialises), and `mirrored` then runs one replica on each.
    Only for `kind == "mirrored"` on a machine without GPUs (with GPUs the strategy uses
    them); `replicas` >= 1.
    """
    if replicas < 1:
        raise ValueError(f"--cpu-replicas must be >= 1, got {replicas}")
    if kind != "mirrored":
        raise ValueError(f"--cpu-replicas splits the CPU for --strategy mirrored, not {kind!r}")
    if tf.config.list_physical_devices("GPU"):
        raise ValueError("--cpu-replicas: this machine has GPUs; --strategy mirrored uses them")
    split_cpu(replicas)


def make_strategy(kind: str = "default") -> tf.distribute.Strategy:
    """The strategy called `kind` (see the module docstring)."""
    if kind == "default":
        return tf.distribute.get_strategy()
    if kind == "mirrored":
        gpus = tf.config.list_logical_devices("GPU")
        devices = [device.name for device in gpus] or [
            device.name for device in tf.config.list_logical_devices("CPU")
        ]
        return tf.distribute.MirroredStrategy(devices)
    if kind == "multiworker":
        if "TF_CONFIG" not in os.environ:
            raise ValueError(
                "--strategy multiworker needs the TF_CONFIG environment variable (cluster and task)"
            )
        try:
            json.loads(os.environ["TF_CONFIG"])
        except json.JSONDecodeError as error:
            raise ValueError(f"TF_CONFIG is not valid JSON: {error}") from error
        options = tf.distribute.experimental.CommunicationOptions(
            implementation=tf.distribute.experimental.CommunicationImplementation.AUTO
        )
        return tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
    raise ValueError(f"unknown strategy {kind!r}; choose one of {', '.join(STRATEGIES)}")


def is_chief() -> bool:
    """True on the process that writes checkpoints and logs.

    That is the only process without TF_CONFIG, the 'chief' task, or worker 0
    of a cluster without a chief (MultiWorkerMirroredStrategy's convention).
    """
    config = json.loads(os.environ.get("TF_CONFIG", "{}"))
    task = config.get("task")
    if not task:
        return True
    if task.get("type") == "chief":
        return True
    has_chief = "chief" in config.get("cluster", {})
    return task.get("type") == "worker" and task.get("index", 0) == 0 and not has_chief
