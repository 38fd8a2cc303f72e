"""Shared fixtures for the ops tests: two logical CPUs and central differences.

The CPU is split into 2 logical devices (so MirroredStrategy runs 2 replicas) at
import time, before any test creates a tensor. When the runtime is already initialised
or the devices are already configured (the repo-wide tests/conftest.py does the same),
nothing happens; tests that need 2 devices skip when there are fewer.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import tensorflow as tf


def _split_cpu_in_two() -> None:
    cpus = tf.config.list_physical_devices("CPU")
    try:
        if not tf.config.get_logical_device_configuration(cpus[0]):
            tf.config.set_logical_device_configuration(
                cpus[0], [tf.config.LogicalDeviceConfiguration()] * 2
            )
    except (RuntimeError, ValueError):
        pass  # already initialised or configured elsewhere


_split_cpu_in_two()


@pytest.fixture(scope="session")
def two_cpus() -> list[str]:
    """Names of two logical CPU devices (fails the test when there are fewer)."""
    devices = [device.name for device in tf.config.list_logical_devices("CPU")]
    if len(devices) < 2:
        pytest.fail("needs 2 logical CPU devices (TF runtime was initialised before the split)")
    return devices[:2]


def central_differences(
    function: Callable[[np.ndarray], float], point: np.ndarray, step: float = 1e-6
) -> np.ndarray:
    """d function / d point by central differences, element by element (float64)."""
    point = np.asarray(point, dtype=np.float64)
    gradient = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        plus, minus = point.copy(), point.copy()
        plus[index] += step
        minus[index] -= step
        gradient[index] = (function(plus) - function(minus)) / (2.0 * step)
    return gradient


@pytest.fixture(scope="session")
def numerical_gradient() -> Callable[..., np.ndarray]:
    """The central-difference helper, as a fixture (tests import nothing from conftest)."""
    return central_differences
