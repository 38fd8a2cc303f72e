"""The one check that 2 replicas make the update of one device, with one tolerance policy.

Both systems are built from the same seeds, compiled with plain SGD (the check is about the
reduction arithmetic: Adam's first steps divide each gradient element by its own magnitude,
so elements whose true gradient is ~0 turn summation-order rounding into O(lr) steps) and
fitted on the same global batches, one on the default strategy and one under a 2-replica
MirroredStrategy (tests/conftest.py splits the CPU into 2 logical devices).

Tolerance, relative to the update: each variable's update under 2 replicas equals its
one-device update within 2 % of that variable's largest update. float32 sums in another
order differ by far less (measured on warp_inpainting with the style weight 5e4: at most
0.09 % of the update), while a lost or doubled replica gradient differs by about the update
itself. Logged losses agree to 1e-4 relative.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np
import pytest
import tensorflow as tf
from system_kit import values

from tfface.systems.base import GANSystem
from tfface.training.strategy import make_strategy

UPDATE_TOLERANCE = 2e-2
"""Largest allowed difference of an update, as a fraction of the variable's largest update."""
ROUNDING = 1e-4
"""Floor of the tolerance, as a fraction of the largest update of any variable."""
LOSS_RTOL = 1e-4


def assert_two_replicas_make_the_update_of_one_device(
    build: Callable[[], GANSystem],
    batches: tf.data.Dataset,
    learning_rate: float = 1e-3,
    jit_compile: bool = False,
) -> dict[str, list[float]]:
    """Fits `build()` on `batches` on one device and on 2 replicas and compares the updates.

    Args:
        build: builds an uncompiled system (called inside each strategy's scope).
        batches: the global batches (materialised: both fits must see the same ones).
        learning_rate: of the SGD optimizer of every optimizer group.
        jit_compile: the 2-replica system compiles with XLA (per replica, see
            `GANSystem.gradient_function`); the one-device system never does, so XLA is
            checked against plain TensorFlow too.

    Returns:
        The one-device fit's history (for system-specific checks on the losses).
    """
    strategy = make_strategy("mirrored")
    if strategy.num_replicas_in_sync != 2:
        pytest.fail("needs 2 logical CPU devices (tests/conftest.py)")
    systems = []
    for scope, xla in ((tf.distribute.get_strategy(), False), (strategy, jit_compile)):
        with scope.scope():
            system = build()
            system.compile(
                optimizers={
                    name: keras.optimizers.SGD(learning_rate) for name in system.optimizer_groups
                },
                jit_compile=xla,
            )
        systems.append(system)
    single, mirrored = systems
    assert mirrored.xla_per_replica == jit_compile, "XLA per replica is not what was asked"
    names = single.network_names
    initial = values(single.variables_of(*names))
    single_history = single.fit(batches, verbose=0).history
    mirrored_history = mirrored.fit(batches, verbose=0).history
    for key, value in single_history.items():
        np.testing.assert_allclose(
            mirrored_history[key], value, rtol=LOSS_RTOL, atol=1e-6, err_msg=key
        )
    variables = single.variables_of(*names)
    single_weights = values(variables)
    mirrored_weights = values(mirrored.variables_of(*names))
    largest = max(
        float(np.abs(a - before).max()) if before.size else 0.0
        for before, a in zip(initial, single_weights, strict=True)
    )
    for variable, before, a, b in zip(
        variables, initial, single_weights, mirrored_weights, strict=True
    ):
        scale = float(np.abs(a - before).max()) if before.size else 0.0
        # A variable whose true gradient is ~0 (a bias before instance normalisation) moves
        # by rounding noise only: float32 rounding of the whole update bounds it.
        np.testing.assert_allclose(
            b - before,
            a - before,
            rtol=0,
            atol=UPDATE_TOLERANCE * scale + ROUNDING * largest,
            err_msg=variable.path,
        )
    offset = 0
    for name in names:  # every network's update is there to compare
        count = len(single.variables_of(name))
        span = slice(offset, offset + count)
        offset += count
        if count:
            moved = max(
                float(np.abs(a - before).max()) if before.size else 0.0
                for before, a in zip(initial[span], single_weights[span], strict=True)
            )
            assert moved > 0, f"{name} did not move: nothing to compare"
    return single_history
