"""`test_step` of every shipped system (the registry's system packages and the template), each
on the SynthFaces data of its contract case: validation during `fit`, `evaluate()` without
updates, and callbacks on validation losses.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from system_cases import CASES
from system_kit import make_system, tiny_config
from system_state import assert_state_unchanged, system_state

from tfface.systems import registry

SYSTEMS = sorted([*registry.available_packages(), "template"])
"""The shipped systems (tests define toy systems of their own in the same process)."""
DATA = {case.system: case.data for case in CASES}
"""Each system's SynthFaces recipe (its contract case)."""


def fit_with_validation(system_name: str, data_dir: str) -> dict:
    """A tiny system fitted on one batch per epoch, validated on another, stopped early."""
    config = tiny_config(system_name, data_dir, "train.batch_size=2")
    system = make_system(config)
    training, held_out = list(system.DATA(config, data_dir).take(2))
    held_out = tf.data.Dataset.from_tensors(held_out)
    # Default monitor val_loss, mode "auto": Keras infers "min" from the name.
    stopper = keras.callbacks.EarlyStopping(patience=0, min_delta=1e9)
    history = system.fit(
        tf.data.Dataset.from_tensors(training).repeat(),
        steps_per_epoch=1,
        epochs=3,
        validation_data=held_out,
        callbacks=[stopper],
        verbose=0,
    ).history
    return {"system": system, "history": history, "held_out": held_out, "stopper": stopper}


@pytest.mark.parametrize("system_name", SYSTEMS)
def test_validation_evaluate_and_early_stopping(system_name: str, synthfaces_data) -> None:
    run = fit_with_validation(system_name, synthfaces_data(DATA[system_name]))
    system, history = run["system"], run["history"]
    logged = {"loss", *system.LOSS_NAMES}
    assert set(history) == logged | {f"val_{name}" for name in logged}
    assert run["stopper"].stopped_epoch == 1 and len(history["val_loss"]) == 2
    assert all(np.isfinite(values).all() for values in history.values())
    objective = system.OBJECTIVE  # also logged as `loss`
    assert history["val_loss"] == history[f"val_{objective}"]
    assert history["loss"] == history[objective]
    assert history[f"val_{objective}"][-1] > 0

    before = system_state(system)
    results = system.evaluate(run["held_out"], return_dict=True, verbose=0)
    assert_state_unchanged(before, system_state(system))
    # The last validation ran on the same batch with the same weights: same losses.
    assert set(results) == logged
    for name in logged:
        assert results[name] == pytest.approx(history[f"val_{name}"][-1], rel=1e-5), name
