"""The warp_rotation system's own behaviour: pose-pair data, samplers, the gap switch, the
identity network and the rotation API. The contract (test_system_contract.py) covers
training, optimizer groups, two replicas, checkpoints, export and presets."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from system_kit import POSE_PAIRS, SIZE, Case, fixed_batches, make_system, tiny_config, values

from tfface.config import ConfigError
from tfface.systems import registry
from tfface.systems.warp_rotation import orient_pairs
from tfface.weights.identity_network import load_identity_network

SYSTEM = "warp_rotation"


@pytest.fixture(scope="module")
def trained(trained_case) -> dict:
    """The contract's trained tiny system (forward sampler, gap discriminator, target yaw),
    shared: do not change it."""
    return trained_case(Case(SYSTEM, POSE_PAIRS))


def test_dataset_orients_pairs_in_both_directions(pose_pairs_dir) -> None:
    config = tiny_config(SYSTEM, pose_pairs_dir, "train.batch_size=8")
    batch = next(iter(registry.get(SYSTEM).dataset(config, pose_pairs_dir)))
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
        SYSTEM, pose_pairs_dir, "model.reverse_fraction=0.0", "model.target_yaw_input=false"
    )
    batch = next(iter(registry.get(SYSTEM).dataset(frontal_only, pose_pairs_dir)))
    assert not batch["target_yaw"].numpy().any()  # every target is the frontal view


def test_unpaired_data_and_bad_configs_are_clear_errors(faces_dir) -> None:
    config = tiny_config(SYSTEM, faces_dir)
    with pytest.raises(ValueError, match="pose pairs.*--pair-with-frontal"):
        registry.get(SYSTEM).dataset(config, faces_dir)
    with pytest.raises(ConfigError, match="needs model.target_yaw_input"):
        tiny_config(SYSTEM, faces_dir, "model.target_yaw_input=false")
    with pytest.raises(ConfigError, match="divisible"):
        tiny_config(SYSTEM, faces_dir, "data.image_size=60")
    with pytest.raises(ConfigError, match="too small for model.discriminator_layers"):
        tiny_config(SYSTEM, faces_dir, "data.image_size=8")
    with pytest.raises(ConfigError, match="sampler"):
        tiny_config(SYSTEM, faces_dir, "model.sampler=sideways")


@pytest.mark.parametrize(
    ("overrides", "gap"),
    [
        (("model.gap_discriminator=false",), False),  # FW
        (("model.sampler=backward", "model.gap_discriminator=false"), False),  # BKWD
        (("model.sampler=backward", "model.adversarial_form=least_squares"), True),
    ],
    ids=["forward", "backward", "backward_gap_lsgan"],
)
def test_samplers_and_gap_switch_train(pose_pairs_dir, overrides, gap) -> None:
    config = tiny_config(SYSTEM, pose_pairs_dir, *overrides)
    batch = next(iter(fixed_batches(config, pose_pairs_dir, 1)))
    system = make_system(config)
    assert ("gap_discriminator" in system.network_names) == gap
    assert ("gap_discriminator" in system.optimizer_groups) == gap
    before = values(system.variables_of("warp_field_regressor", "inpainter"))
    logs = system.train_step(batch)  # eagerly: one update of every network
    assert all(np.isfinite(float(value)) for value in logs.values())
    assert (float(logs["gap_discriminator_loss"]) > 0) == gap
    after = values(system.variables_of("warp_field_regressor", "inpainter"))
    assert max(np.abs(a - b).max() for a, b in zip(before, after, strict=True)) > 0
    result = system.rotate_graph(batch["image"], batch["target_yaw"])
    assert result["warped"].shape == (4, SIZE, SIZE, 3)
    assert set(np.unique(result["known"].numpy())) <= {0.0, 1.0}


def test_backward_sampler_marks_pixels_read_outside_as_holes(pose_pairs_dir) -> None:
    system = make_system(tiny_config(SYSTEM, pose_pairs_dir, "model.sampler=backward"))
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


def test_identity_network_from_a_keras_file_and_a_saved_model(pose_pairs_dir, tmp_path) -> None:
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
    config = tiny_config(SYSTEM, pose_pairs_dir, f"model.identity_model={path}")
    system = make_system(config)
    identity = system.identity_network
    assert identity is not None and identity.input_size == 32
    identity_weights = {id(weight) for weight in identity.module.weights}
    assert identity_weights and not identity_weights & {id(weight) for weight in system.weights}
    frozen = values(identity.module.weights)
    batch = next(iter(fixed_batches(config, pose_pairs_dir, 1)))
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


def test_rotation_api_rejects_bad_input(trained, pose_pairs_dir) -> None:
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
        tiny_config(
            SYSTEM, pose_pairs_dir, "model.reverse_fraction=0", "model.target_yaw_input=false"
        )
    )
    assert frontal_only.rotate(images[:1])["image"].shape == (1, SIZE, SIZE, 3)
    with pytest.raises(ValueError, match="frontalizes only"):
        frontal_only.rotate(images[:1], 30.0)


def test_a_missing_identity_model_blocks_training_but_not_building(
    pose_pairs_dir, tmp_path
) -> None:
    """Exporting a run trained with an identity loss must not need the identity model."""
    config = tiny_config(SYSTEM, pose_pairs_dir, f"model.identity_model={tmp_path / 'gone.keras'}")
    system = registry.build(SYSTEM, config)
    assert system.identity_network is None
    with pytest.raises(FileNotFoundError, match="gone.keras"):
        system.compile_for_training(config)
