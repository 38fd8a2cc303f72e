"""The contract every registered system passes (DESIGN.md, "The system pattern").

One line per system in `CASES` (tests/helpers/system_cases.py): its name, the overrides that make its tiny preset fast here,
the extra overrides that switch every loss term on for the two-replica check, and the
SynthFaces recipe of its data. A new system adds its line and only its own tests.

Checked for every system, on one trained system per case (2 steps, as `tfface train`
builds and compiles it): every network trains; each optimizer updates only its own
networks; two replicas make the update of one device (`two_replicas`, isolated); the
checkpoint restores networks, optimizer state, EMA, seed and step into a fresh system; the
export loads and answers every signature in a process that never imports tfface; every
preset round-trips through YAML.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
from system_cases import CASES
from system_kit import (
    Case,
    fixed_batches,
    largest_change,
    make_system,
    tiny_config,
    values,
)
from system_state import system_state
from two_replicas import assert_two_replicas_make_the_update_of_one_device

from tfface.config import get_preset, list_presets
from tfface.config.serialize import dump_yaml, load_yaml
from tfface.systems import registry


def test_every_registered_system_has_a_case() -> None:
    # The shipped systems: the packages under tfface/systems/ and the template (tests define
    # toy systems of their own in the same process).
    assert sorted(case.system for case in CASES) == sorted(
        [*registry.available_packages(), "template"]
    )


@pytest.fixture(scope="module", params=CASES, ids=str)
def case(request) -> Case:
    return request.param


@pytest.fixture(scope="module")
def trained(case, trained_case) -> dict:
    return trained_case(case)


def test_every_network_trains_with_finite_losses(trained, case) -> None:
    system = trained["system"]
    assert int(system.step_counter.numpy()) == case.steps
    for name, logged in trained["history"].items():
        assert np.all(np.isfinite(logged)), name
    grouped = {network for group in system.optimizer_groups.values() for network in group}
    assert grouped == set(system.network_names)
    for name in system.network_names:
        moved = largest_change(trained["initial"][name], values(system.variables_of(name)))
        assert moved > 0, name


def test_each_optimizer_updates_only_its_networks(trained, case) -> None:
    """Runs of the same fresh start (phases included, eagerly), one per optimizer group with
    only that group learning, against a run where nothing learns: exactly that group's
    networks end elsewhere. (Training-mode calls change weights by themselves too: Keras'
    SpectralNormalization writes the normalised kernel back; they do so in every run.)"""
    config = trained["config"]
    system = registry.build(case.system, config)
    registry.compile_system(system, config)  # attaches what training needs
    start = {name: system.network(name).get_weights() for name in system.network_names}
    seed = system.seed_generator.state.numpy()

    def run(learning: str | None) -> dict[str, list[np.ndarray]]:
        for name, weights in start.items():
            system.network(name).set_weights(weights)
        system.seed_generator.state.assign(seed)
        system.step_counter.assign(0)
        system.compile(
            optimizers={
                name: keras.optimizers.SGD(1e-2 if name == learning else 0.0)
                for name in system.optimizer_groups
            },
            run_eagerly=True,
        )
        system.fit(trained["batches"], verbose=0)
        return {name: values(system.variables_of(name)) for name in system.network_names}

    still = run(None)
    for learning in system.optimizer_groups:
        after = run(learning)
        for group, networks in system.optimizer_groups.items():
            for name in networks:
                moved = largest_change(still[name], after[name])
                assert (moved > 0) == (group == learning), (learning, name, moved)


@pytest.mark.isolated
def test_two_replicas_make_the_update_of_one_device(case, synthfaces_data) -> None:
    data_dir = synthfaces_data(case.data)
    config = tiny_config(case.system, data_dir, *case.overrides, *case.all_losses)

    def build():
        system = registry.build(case.system, config)
        registry.compile_system(system, config)  # attaches what training needs; SGD follows
        return system

    history = assert_two_replicas_make_the_update_of_one_device(
        build, fixed_batches(config, data_dir, case.steps), case.replica_learning_rate
    )
    for name in ("content_loss", "style_loss"):
        if name in history and case.all_losses:
            assert history[name][0] > 0, name


def test_checkpoint_round_trip(trained, tmp_path) -> None:
    system, config = trained["system"], trained["config"]
    path = system.checkpoint().save(str(tmp_path / "checkpoint"))
    restored = make_system(config)
    restored.checkpoint().restore(path).assert_existing_objects_matched()
    before, after = system_state(system), system_state(restored)
    assert len(before) == len(after)
    for index, (a, b) in enumerate(zip(before, after, strict=True)):
        np.testing.assert_array_equal(a, b, err_msg=f"value {index}")
    assert int(restored.step_counter.numpy()) == int(system.step_counter.numpy())


LOAD_WITHOUT_TFFACE = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import tensorflow as tf
    from tensorflow_serving.apis import prediction_log_pb2

    version_dir = sys.argv[1]
    loaded = tf.saved_model.load(version_dir)
    warmup = f"{version_dir}/assets.extra/tf_serving_warmup_requests"
    answers = {}
    for record in tf.data.TFRecordDataset(warmup):  # one request per signature
        request = prediction_log_pb2.PredictionLog.FromString(record.numpy()).predict_log.request
        name = request.model_spec.signature_name
        inputs = {key: tf.make_ndarray(proto) for key, proto in request.inputs.items()}
        outputs = {key: value.numpy() for key, value in loaded.signatures[name](**inputs).items()}
        answers[name] = {
            key: [value.dtype.name, list(value.shape)]
            + [bool(np.isfinite(value).all()) if value.dtype.kind == "f" else True]
            for key, value in outputs.items()
        }
    print(json.dumps({
        "signatures": sorted(loaded.signatures.keys()),
        "answers": answers,
        "tfface_modules": sorted(
            m for m in sys.modules if m.split(".")[0] in ("tfface", "serving", "pipelines")
        ),
    }))
    """
)


def test_export_loads_and_answers_every_signature_without_tfface(case, exported_case, tmp_path):
    result = exported_case(case)
    completed = subprocess.run(
        [sys.executable, "-c", LOAD_WITHOUT_TFFACE, str(result.version_dir)],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # not the repository: tfface cannot be imported from the working folder
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    assert report["tfface_modules"] == []
    assert report["signatures"] == sorted(result.signatures)
    assert sorted(report["answers"]) == sorted(result.signatures)
    for name, outputs in report["answers"].items():
        assert outputs, name
        for key, (dtype, shape, finite) in outputs.items():
            assert shape and shape[0] == 1 and finite, (name, key, dtype, shape)


@pytest.mark.parametrize("system", [case.system for case in CASES])
def test_presets_round_trip_through_yaml(system, tmp_path) -> None:
    presets = list_presets(system)[system]
    assert "tiny" in presets
    for preset in presets:
        config = get_preset(system, preset)
        path = dump_yaml(config, tmp_path / f"{preset}.yaml")
        assert load_yaml(path, type(config)) == config, preset
