"""The warp_rotation system: training, distribution, samplers, gap switch, identity network,
checkpoints and the rotation API's input checks."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfface.config import ConfigError, apply_overrides, get_preset
from tfface.systems import registry
from tfface.systems.warp_rotation import WarpRotationSystem
from tfface.systems.warp_rotation.identity import load_identity_network
from tfface.systems.warp_rotation.registration import orient_pairs
from tfface.training.strategy import make_strategy

SIZE = 64
OPTIMIZERS = ("generator", "discriminator", "gap_discriminator")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> str:
    """8 identities at yaw 0 and 30, each paired with its frontal view (16 pairs)."""
    from pipelines import synthfaces

    folder = tmp_path_factory.mktemp("synthfaces_pairs")
    synthfaces.main(
        ["--output", str(folder), "--identities", "8", "--size", str(SIZE), "--uv-size", "32"]
        + ["--yaws", "0", "30", "--pair-with-frontal", "--splits", "train=1,validation=0,test=0"]
    )
    return str(folder)


def tiny_config(data_dir: str, *overrides: str):
    return apply_overrides(
        get_preset("warp_rotation", "tiny"), [f"data.data_dir={data_dir}", *overrides]
    )


def fixed_batches(config, data_dir: str, count: int) -> tf.data.Dataset:
    """`count` batches of the system's dataset, materialised so every run sees the same ones."""
    batches = list(registry.get("warp_rotation").dataset(config, data_dir).take(count))
    stacked = {key: tf.stack([batch[key] for batch in batches]) for key in batches[0]}
    return tf.data.Dataset.from_tensor_slices(stacked)


def make_system(config, strategy: tf.distribute.Strategy | None = None) -> WarpRotationSystem:
    spec = registry.get("warp_rotation")
    with (strategy or tf.distribute.get_strategy()).scope():
        system = spec.build(config)
        spec.compile(system, config)
        system.enable_ema()
    return system


def values(variables) -> list[np.ndarray]:
    return [variable.numpy() for variable in variables]


@pytest.fixture(scope="module")
def trained(data_dir):
    """The tiny system after 3 steps (forward sampler, gap discriminator, target yaw)."""
    config = tiny_config(data_dir)
    batches = fixed_batches(config, data_dir, 3)
    system = make_system(config)
    initial = {name: values(system.variables_of(name)) for name in system.network_names}
    history = system.fit(batches, verbose=0).history
    return {
        "config": config,
        "system": system,
        "batches": batches,
        "initial": initial,
        "history": history,
    }


def test_dataset_orients_pairs_in_both_directions(data_dir) -> None:
    config = tiny_config(data_dir, "train.batch_size=8")
    batch = next(iter(registry.get("warp_rotation").dataset(config, data_dir)))
    assert batch["image"].shape == (8, SIZE, SIZE, 3) and batch["target_yaw"].shape == (8,)
    assert set(np.unique(batch["target_yaw"].numpy())) <= {0.0, 30.0}
    # a reversed pair rotates the frontal view to the other one
    pair = {
        "image": tf.fill([2, 4, 4, 3], 0.5),
        "target_image": tf.fill([2, 4, 4, 3], -0.5),
        "pose": tf.constant([[30.0, 0, 0], [30.0, 0, 0]]),
        "target_pose": tf.zeros([2, 3]),
    }
    oriented = orient_pairs(pair, tf.constant([False, True]))
    np.testing.assert_array_equal(oriented["target_yaw"].numpy(), [0.0, 30.0])
    np.testing.assert_array_equal(oriented["source_yaw"].numpy(), [30.0, 0.0])
    assert oriented["image"].numpy()[1].max() == -0.5
    assert oriented["target_image"].numpy()[1].min() == 0.5
    frontal_only = tiny_config(
        data_dir, "model.reverse_fraction=0.0", "model.target_yaw_input=false"
    )
    batch = next(iter(registry.get("warp_rotation").dataset(frontal_only, data_dir)))
    assert not batch["target_yaw"].numpy().any()  # every target is the frontal view


def test_unpaired_data_and_bad_configs_are_clear_errors(tmp_path) -> None:
    from pipelines import synthfaces

    synthfaces.main(
        ["--output", str(tmp_path), "--identities", "1", "--size", "32", "--uv-size", "16"]
        + ["--yaws", "0", "--splits", "train=1,validation=0,test=0"]
    )
    config = tiny_config(str(tmp_path))
    with pytest.raises(ValueError, match="pose pairs.*--pair-with-frontal"):
        registry.get("warp_rotation").dataset(config, str(tmp_path))
    with pytest.raises(ConfigError, match="needs model.target_yaw_input"):
        tiny_config(str(tmp_path), "model.target_yaw_input=false")
    with pytest.raises(ConfigError, match="divisible"):
        tiny_config(str(tmp_path), "data.image_size=60")
    with pytest.raises(ConfigError, match="too small for model.discriminator_layers"):
        tiny_config(str(tmp_path), "data.image_size=8")
    with pytest.raises(ConfigError, match="sampler"):
        tiny_config(str(tmp_path), "model.sampler=sideways")


def test_tiny_system_trains_every_network(trained) -> None:
    system, history = trained["system"], trained["history"]
    assert int(system.step_counter.numpy()) == 3
    for name in ("warp_loss", "inpainting_loss", "adversarial_loss", "generator_loss"):
        assert np.isfinite(history[name][0]) and history[name][0] > 0, name
    for name in ("discriminator_loss", "gap_discriminator_loss", "rigidity_loss"):
        assert np.isfinite(history[name][0]), name
    assert history["identity_loss"][0] == 0.0  # no identity network configured
    for optimizer in OPTIMIZERS:
        assert int(getattr(system, f"optimizer_{optimizer}").iterations.numpy()) == 3
    for name in system.network_names:
        moved = max(
            np.abs(before - after).max()
            for before, after in zip(
                trained["initial"][name], values(system.variables_of(name)), strict=True
            )
        )
        assert moved > 0, name


@pytest.mark.isolated
def test_two_replicas_make_the_update_of_one_device(data_dir) -> None:
    """Two steps: 2 replicas == 1 device for the same global batch (losses and weights).

    Plain SGD, so the check is about the reduction arithmetic (see test_mask_guided). The
    regressor's BatchNorm is synchronised over replicas; the discriminators normalise per
    example.
    """
    strategy = make_strategy("mirrored")
    if strategy.num_replicas_in_sync != 2:
        pytest.fail("needs 2 logical CPU devices (tests/conftest.py)")
    config = tiny_config(data_dir)
    batches = fixed_batches(config, data_dir, 2)
    systems = []
    for scope in (tf.distribute.get_strategy(), strategy):
        with scope.scope():
            system = registry.get("warp_rotation").build(config)
            system.compile(optimizers={name: keras.optimizers.SGD(1e-2) for name in OPTIMIZERS})
        systems.append(system)
    single, mirrored = systems
    names = single.network_names
    initial = values(single.variables_of(*names))
    single_history = single.fit(batches, verbose=0).history
    mirrored_history = mirrored.fit(batches, verbose=0).history
    for key, value in single_history.items():
        np.testing.assert_allclose(mirrored_history[key], value, rtol=1e-5, atol=1e-6, err_msg=key)
    single_weights = values(single.variables_of(*names))
    for a, b in zip(single_weights, values(mirrored.variables_of(*names)), strict=True):
        # float32 sums in another order: relative noise ~1e-6 on weights of size ~10
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    moved = max(np.abs(a - b).max() for a, b in zip(initial, single_weights, strict=True))
    assert moved > 1e-4


def test_each_optimizer_updates_only_its_networks(data_dir) -> None:
    """The generator loss moves only f_omega and g_phi; Eq. 3.10 / 3.12 only d_psi and h_xi."""
    config = tiny_config(data_dir)
    batch = next(iter(fixed_batches(config, data_dir, 1)))
    system = registry.get("warp_rotation").build(config)
    groups = {
        "generator": ("warp_field_regressor", "inpainter"),
        "discriminator": ("discriminator",),
        "gap_discriminator": ("gap_discriminator",),
    }
    for learning in (("generator",), ("discriminator", "gap_discriminator")):
        system.compile(
            optimizers={
                name: keras.optimizers.SGD(0.1 if name in learning else 0.0) for name in OPTIMIZERS
            }
        )
        before = {name: values(system.variables_of(name)) for name in system.network_names}
        system.train_step(batch)
        for group, networks in groups.items():
            for name in networks:
                moved = max(
                    np.abs(a - b).max()
                    for a, b in zip(before[name], values(system.variables_of(name)), strict=True)
                )
                assert (moved > 0) == (group in learning), (learning, name)


@pytest.mark.parametrize(
    ("overrides", "gap"),
    [
        (("model.gap_discriminator=false",), False),  # FW
        (("model.sampler=backward", "model.gap_discriminator=false"), False),  # BKWD
        (("model.sampler=backward", "model.adversarial_form=least_squares"), True),
    ],
    ids=["forward", "backward", "backward_gap_lsgan"],
)
def test_samplers_and_gap_switch_train(data_dir, overrides, gap) -> None:
    config = tiny_config(data_dir, *overrides)
    batch = next(iter(fixed_batches(config, data_dir, 1)))
    system = make_system(config)
    assert ("gap_discriminator" in system.network_names) == gap
    assert ("gap_discriminator" in system.OPTIMIZER_GROUPS) == gap
    before = values(system.variables_of("warp_field_regressor", "inpainter"))
    logs = system.train_step(batch)  # eagerly: one update of every network
    assert all(np.isfinite(float(value)) for value in logs.values())
    assert (float(logs["gap_discriminator_loss"]) > 0) == gap
    after = values(system.variables_of("warp_field_regressor", "inpainter"))
    assert max(np.abs(a - b).max() for a, b in zip(before, after, strict=True)) > 0
    result = system.rotate_graph(batch["image"], batch["target_yaw"])
    assert result["warped"].shape == (4, SIZE, SIZE, 3)
    assert set(np.unique(result["known"].numpy())) <= {0.0, 1.0}


def test_backward_sampler_marks_pixels_read_outside_as_holes(data_dir) -> None:
    system = make_system(tiny_config(data_dir, "model.sampler=backward"))
    regressor = system.warp_field_regressor.get_layer("offsets")
    kernel, bias = regressor.get_weights()
    regressor.set_weights(
        [kernel, np.array([0.5, 0.0], np.float32)]
    )  # read a quarter further right
    outputs = system.rotate(np.zeros((1, SIZE, SIZE, 3), np.float32))
    holes = outputs["hole_mask"][0, ..., 0]
    columns = holes.mean(axis=0)
    assert columns[-SIZE // 4 + 1 :].min() == 1.0 and columns[: SIZE // 2].max() == 0.0
    np.testing.assert_array_equal(outputs["warped"][0][holes > 0], -1.0)  # painted black
    regressor.set_weights([kernel, bias])


def test_identity_network_from_a_keras_file_and_a_saved_model(data_dir, tmp_path) -> None:
    keras.utils.set_random_seed(3)
    embedding = keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            keras.layers.Conv2D(4, 3, strides=4),
            keras.layers.BatchNormalization(),  # moving statistics: called with training=False
            keras.layers.Flatten(),
            keras.layers.Dense(8),
        ]
    )
    path = tmp_path / "embedding.keras"
    embedding.save(path)
    config = tiny_config(data_dir, f"model.identity_model={path}")
    system = make_system(config)
    identity = system.identity_network
    assert identity is not None and identity.input_size == 32
    identity_weights = {id(weight) for weight in identity.module.weights}
    assert identity_weights and not identity_weights & {id(weight) for weight in system.weights}
    frozen = values(identity.module.weights)
    batch = next(iter(fixed_batches(config, data_dir, 1)))
    logs = system.train_step(batch)
    assert float(logs["identity_loss"]) > 0
    for a, b in zip(frozen, values(identity.module.weights), strict=True):
        np.testing.assert_array_equal(a, b)  # v stays frozen, its BatchNorm statistics too
    loaded = load_identity_network(str(path))
    images = tf.random.uniform([2, SIZE, SIZE, 3], -1.0, 1.0, seed=1)
    assert loaded(images).shape == (2, 8)

    class Embedding(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, 32, 32, 3], tf.float32)])
        def serve(self, image):
            return {"embedding": tf.reduce_mean(image, axis=[1, 2])}

    module = Embedding()
    tf.saved_model.save(
        module, str(tmp_path / "float"), signatures={"serving_default": module.serve}
    )
    fixed_size = load_identity_network(str(tmp_path / "float"))
    assert fixed_size.input_size == 32  # the SavedModel's static side: images are resized
    np.testing.assert_allclose(
        fixed_size(images).numpy(),
        tf.reduce_mean(tf.image.resize(images, (32, 32)), axis=[1, 2]).numpy(),
        rtol=1e-5,
        atol=1e-6,
    )

    class Served(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, SIZE, SIZE, 3], tf.uint8)])
        def serve(self, image):
            return {"embedding": tf.cast(image[:, 0, 0], tf.float32)}

    served = Served()
    tf.saved_model.save(
        served, str(tmp_path / "uint8"), signatures={"serving_default": served.serve}
    )
    with pytest.raises(ValueError, match="integer images: a serving export has no gradient"):
        load_identity_network(str(tmp_path / "uint8"))
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_identity_network(str(tmp_path / "missing.keras"))
    assert load_identity_network("") is None


def test_checkpoint_round_trip(trained, tmp_path) -> None:
    system, config = trained["system"], trained["config"]
    path = system.checkpoint().save(str(tmp_path / "checkpoint"))
    restored = make_system(config)
    restored.checkpoint().restore(path).assert_existing_objects_matched()
    assert int(restored.step_counter.numpy()) == 3
    for optimizer in OPTIMIZERS:
        assert int(getattr(restored, f"optimizer_{optimizer}").iterations.numpy()) == 3
    for name in system.network_names:  # every weight, BatchNorm statistics included
        for a, b in zip(
            values(system.network(name).weights),
            values(restored.network(name).weights),
            strict=True,
        ):
            np.testing.assert_array_equal(a, b)
    batch = next(iter(trained["batches"]))
    inputs = {"image": batch["image"], "target_yaw": tf.constant([0.0, 15.0, -30.0, 30.0])}
    for key, value in system(inputs).items():
        np.testing.assert_allclose(value.numpy(), restored(inputs)[key].numpy(), atol=1e-6)


def test_rotation_api_outputs(trained) -> None:
    system = trained["system"]
    images = next(iter(trained["batches"]))["image"].numpy()
    outputs = system.rotate(images, target_yaw=[0.0, 30.0, -30.0, 60.0])
    assert outputs["image"].shape == (4, SIZE, SIZE, 3) and np.abs(outputs["image"]).max() <= 1.0
    assert outputs["warped"].shape == (4, SIZE, SIZE, 3)
    assert outputs["hole_mask"].shape == (4, SIZE, SIZE, 1)
    assert set(np.unique(outputs["hole_mask"])) <= {0.0, 1.0}
    single = system.rotate(images[1], 30.0)  # one (S, S, 3) image, one yaw
    np.testing.assert_allclose(single["image"][0], outputs["image"][1], atol=1e-5)
    frontal = system.rotate(images[1])  # default: frontal
    assert np.abs(frontal["image"][0] - single["image"][0]).max() > 0  # the yaw is an input


def test_rotation_api_rejects_bad_input(trained, data_dir) -> None:
    system = trained["system"]
    images = next(iter(trained["batches"]))["image"].numpy()
    with pytest.raises(ValueError, match="32x32 but the model works on 64x64"):
        system.rotate(images[:, :32, :32])
    with pytest.raises(ValueError, match=r"shape \(B, H, W, 3\)"):
        system.rotate(images[..., :1])
    with pytest.raises(ValueError, match="float images"):
        system.rotate(np.zeros((SIZE, SIZE, 3), np.uint8))
    with pytest.raises(ValueError, match=r"in \[-1, 1\]"):
        system.rotate((images + 1.0) * 127.5)
    with pytest.raises(ValueError, match=r"target_yaw must lie in \[-90, 90\] degrees"):
        system.rotate(images, 120.0)
    with pytest.raises(ValueError, match="target_yaw must be finite"):
        system.rotate(images, [0.0, np.nan, 0.0, 0.0])
    with pytest.raises(ValueError, match="target_yaw has 2 values for 4 images"):
        system.rotate(images, [0.0, 30.0])
    with pytest.raises(ValueError, match="target_yaw must be numbers"):
        system.rotate(images, "left")
    frontal_only = make_system(
        tiny_config(data_dir, "model.reverse_fraction=0", "model.target_yaw_input=false")
    )
    assert frontal_only.rotate(images[:1])["image"].shape == (1, SIZE, SIZE, 3)
    with pytest.raises(ValueError, match="frontalizes only"):
        frontal_only.rotate(images[:1], 30.0)


def test_a_missing_identity_model_blocks_training_but_not_building(data_dir, tmp_path) -> None:
    """Exporting a run trained with an identity loss must not need the identity model."""
    config = tiny_config(data_dir, f"model.identity_model={tmp_path / 'gone.keras'}")
    spec = registry.get("warp_rotation")
    system = spec.build(config)
    assert system.identity_network is None
    with pytest.raises(FileNotFoundError, match="gone.keras"):
        spec.compile(system, config)
