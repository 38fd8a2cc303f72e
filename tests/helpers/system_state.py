"""Everything a training step could change in a GAN system, as NumPy arrays."""

from __future__ import annotations

import keras
import numpy as np

from tfface.systems.base import GANSystem


def system_state(system: GANSystem) -> list[np.ndarray]:
    """Network weights (with normalisation statistics and spectral-norm vectors), optimizer
    variables, EMA shadows, seed state and step count, in a fixed order."""
    variables = [weight for name in system.network_names for weight in system.network(name).weights]
    for optimizer in system.system_optimizers.values():
        variables.extend(optimizer.variables)
    if system.ema is not None:
        variables.extend(system.ema.shadow_variables)
    variables.extend([system.seed_generator.state, system.step_counter])
    return [keras.ops.convert_to_numpy(variable) for variable in variables]


def assert_state_unchanged(before: list[np.ndarray], after: list[np.ndarray]) -> None:
    """Every value equal, bit for bit."""
    assert len(before) == len(after) > 20
    for index, (old, new) in enumerate(zip(before, after, strict=True)):
        np.testing.assert_array_equal(old, new, err_msg=f"value {index} changed")
