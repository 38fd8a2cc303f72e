"""pose_editing on real data and its conditions: face_reconstruction's 3D landmarks (Multi-PIE
pairs, CelebA-style unpaired images), the unpaired-occlusion branch and the decoder's
identity condition (Yin 2022 L1223-1232, L1303-1305, Eq. 3.9).

The face_reconstruction export is the contract's tiny trained one (shared in the session).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf
from learning_check import held_out_batch
from PIL import Image
from system_kit import FITS, Case
from system_kit import SIZE as RECORD_SIZE

from tfface.config import get_preset
from tfface.systems.face_reconstruction.export import landmarks_3d
from tfface.systems.pose_editing import PoseEditingSystem
from tfface.systems.pose_editing.data import pose_editing_batches
from tfface.systems.pose_editing.system import decoder_identity_network

SIZE = 32
RECONSTRUCTION = Case("face_reconstruction", FITS)


@pytest.fixture(scope="module")
def reconstruction(trained_case, exported_case) -> dict:
    """The tiny trained face_reconstruction system and its export's model folder."""
    result = exported_case(RECONSTRUCTION)
    system = trained_case(RECONSTRUCTION)["system"]
    return {
        "system": system,
        "path": str(result.version_dir.parent),
        "version": str(result.version_dir),
    }


def save_png(path: Path, seed: int, height: int = 40, width: int = 48) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, 3), np.uint8)
    Image.fromarray(pixels).save(path)


@pytest.fixture(scope="module")
def real_data(tmp_path_factory) -> dict:
    """Multi-PIE pairs (`pipelines.multipie`, the real folder layout) and a CelebA-style image
    folder (`pipelines.image_folder`), both at 32 px in the train split."""
    from pipelines import image_folder, multipie

    root = tmp_path_factory.mktemp("real_faces")
    seed = 0
    for subject in (1, 2):
        for camera in ("05_1", "04_1", "13_0"):
            token = camera.replace("_", "")
            name = f"{subject:03d}_01_01_{token}_07.png"
            seed += 1
            save_png(
                root / "mp" / "session01/multiview" / f"{subject:03d}/01" / camera / name, seed
            )
    for index in range(4):
        save_png(root / "celeba" / f"{index:06d}.jpg", 100 + index)
    multipie.main(
        ["--input", str(root / "mp"), "--output", str(root / "pairs"), "--size", str(SIZE)]
        + ["--protocol", "setting1"]
    )
    image_folder.main(
        ["--input", str(root / "celeba"), "--output", str(root / "single"), "--size", str(SIZE)]
        + ["--splits", "train=1,validation=0,test=0"]
    )
    return {"pairs": str(root / "pairs"), "single": str(root / "single")}


def real_config(reconstruction: dict, real_data: dict, **model_changes):
    config = get_preset("pose_editing", "tiny")
    model = dataclasses.replace(
        config.model,
        image_size=SIZE,
        downsamplings=3,
        landmark_model=reconstruction["path"],
        unpaired_data=real_data["single"],
        reverse_fraction=0.0,
        pretrain_steps=0,
        **model_changes,
    )
    data = dataclasses.replace(config.data, image_size=SIZE, shuffle_buffer=0)
    train = dataclasses.replace(config.train, batch_size=2, steps=1)
    return dataclasses.replace(config, model=model, data=data, train=train)


def expected_landmarks(system, images: tf.Tensor) -> np.ndarray:
    """face_reconstruction's 3D landmarks of 32 px images: uint8 -> 64 px -> pixels of 32."""
    size = system.image_size
    pixels = tf.image.resize((images + 1.0) * 127.5, (size, size), antialias=True)
    uint8 = tf.round(tf.clip_by_value(pixels, 0.0, 255.0)) / 127.5 - 1.0
    landmarks = landmarks_3d(system.renderer, system.regressor(uint8), size).numpy()
    ratio = SIZE / size
    landmarks[..., :2] = (landmarks[..., :2] + 0.5) * ratio - 0.5
    landmarks[..., 2] *= ratio
    return landmarks


# -- face_reconstruction's 3D landmarks -------------------------------------------------------


def test_exported_3d_landmarks_are_synthfaces_exact_landmarks(
    synthfaces_data, reconstruction
) -> None:
    """The records' exact coefficients give their (x, y, depth) landmarks; the export gives
    `landmarks_3d` in `serving_default` (x, y = `landmarks`) and in `landmarks`."""
    system = reconstruction["system"]
    features = ("image", "landmarks", "coefficients", "pose")
    records = held_out_batch(synthfaces_data(FITS), features, 16)  # all 16, 64 px
    ours = landmarks_3d(system.renderer, records["coefficients"], RECORD_SIZE).numpy()
    error = np.abs(ours - records["landmarks"].numpy()).mean(axis=1)  # (B, 3) pixels
    # the model's landmarks are the grid vertices nearest the mean positions (measured
    # 0.1-0.5 px per axis); no depth offset or scale: the same frame
    assert error.max() < 0.8, error
    assert np.abs(records["pose"].numpy()[:, 0]).max() > 15  # turned heads are covered

    loaded = tf.saved_model.load(reconstruction["version"])
    images = tf.cast(tf.round((records["image"][:3] + 1.0) * 127.5), tf.uint8)
    served = loaded.signatures["serving_default"](image=images)
    alone = loaded.signatures["landmarks"](image=images)["landmarks_3d"].numpy()
    np.testing.assert_allclose(served["landmarks_3d"].numpy(), alone, atol=1e-4)
    np.testing.assert_allclose(served["landmarks"].numpy(), alone[..., :2], atol=1e-4)


# -- Multi-PIE pairs and CelebA-style images ---------------------------------------------------


@pytest.fixture(scope="module")
def real_batch(reconstruction, real_data) -> dict:
    """The config (no PAS: the U-Net sees I_tf) and one batch of the real pairs + images."""
    config = real_config(reconstruction, real_data, pas=False)
    return {"config": config, "batch": next(iter(pose_editing_batches(config, real_data["pairs"])))}


def test_real_pairs_and_unpaired_images_get_the_exports_landmarks(
    reconstruction, real_data, real_batch
) -> None:
    config, batch = real_batch["config"], real_batch["batch"]
    assert batch["image"].shape == (2, SIZE, SIZE, 3)
    system = reconstruction["system"]
    for images, landmarks in (
        ("image", "landmarks"),
        ("target_image", "target_landmarks"),
        ("unpaired_image", "unpaired_landmarks"),
    ):
        np.testing.assert_allclose(
            batch[landmarks].numpy(), expected_landmarks(system, batch[images]), atol=0.05
        )
    assert np.all(batch["target_pose"].numpy() == 0)  # Multi-PIE pairs: the frontal target
    # S_occ occludes the CelebA-style image, not the pair's source
    holes = (batch["occluded_image"].numpy() == 0).all(-1)
    kept = ~holes
    unpaired = batch["unpaired_image"].numpy()
    np.testing.assert_array_equal(batch["occluded_image"].numpy()[kept], unpaired[kept])
    assert np.abs(unpaired - batch["image"].numpy()).max() > 0.1

    no_model = dataclasses.replace(
        config, model=dataclasses.replace(config.model, landmark_model="")
    )
    with pytest.raises(ValueError, match="model.landmark_model to a face_reconstruction"):
        pose_editing_batches(no_model, real_data["pairs"])
    with pytest.raises(ValueError, match="lacks \\['pose', 'target_image', 'target_pose'\\]"):
        pose_editing_batches(config, real_data["single"])
    missing = dataclasses.replace(
        config, model=dataclasses.replace(config.model, landmark_model="/no/such/model")
    )
    with pytest.raises(FileNotFoundError, match="face_reconstruction export"):
        pose_editing_batches(missing, real_data["pairs"])


def test_the_unpaired_occlusion_branch_is_on_changes_the_loss_and_trains(real_batch) -> None:
    """Eq. 3.9's third term: switched on by default; L_pix grows by exactly mean |U-Net(S_occ)
    - S| of the unpaired images; Adam steps on L_gen lower that term."""
    assert get_preset("pose_editing", "tiny").model.occluded_reconstruction
    assert get_preset("pose_editing", "paper").model.occluded_reconstruction
    config, batch = real_batch["config"], real_batch["batch"]
    systems = {}
    for switch in (True, False):
        model = dataclasses.replace(
            config.model,
            occluded_reconstruction=switch,
            unpaired_data=config.model.unpaired_data if switch else "",
        )
        systems[switch] = PoseEditingSystem(PoseEditingSystem.build_networks(model), model)
    on = systems[True].generator_objective(batch, {}, training=False)
    off = systems[False].generator_objective(batch, {}, training=False)
    assert on["fakes"].shape[0] == 3 * 2 and off["fakes"].shape[0] == 2 * 2
    np.testing.assert_allclose(on["fakes"][:4].numpy(), off["fakes"].numpy(), atol=1e-5)
    unpaired = batch["unpaired_image"].numpy()
    occluded_l1 = np.abs(on["fakes"][4:].numpy() - unpaired).mean((1, 2, 3))
    np.testing.assert_allclose(
        on["pixel_loss"].numpy() - off["pixel_loss"].numpy(), occluded_l1, atol=1e-5
    )
    assert occluded_l1.min() > 0.01

    system = systems[True]
    weights = system.inpainter.trainable_weights
    optimizer = keras.optimizers.Adam(1e-3)
    for _ in range(4):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(system.generator_objective(batch, {}, True)["generator_loss"])
        optimizer.apply_gradients(zip(tape.gradient(loss, weights), weights, strict=True))
    trained = system.generator_objective(batch, {}, training=False)["fakes"][4:].numpy()
    assert np.abs(trained - unpaired).mean() < occluded_l1.mean()


# -- the identity feature in the decoder -------------------------------------------------------


def tiny_identity_model(path: Path) -> str:
    """A face-embedding stand-in: (B, 24, 24, 3) in [-1, 1] -> (B, 6), saved as .keras."""
    keras.utils.set_random_seed(3)
    image = keras.Input((24, 24, 3))
    features = keras.layers.Conv2D(4, 3, strides=2, activation="relu")(image)
    features = keras.layers.BatchNormalization()(features)
    embedding = keras.layers.Dense(6)(keras.layers.GlobalAveragePooling2D()(features))
    keras.Model(image, embedding).save(path)
    return str(path)


def test_the_identity_feature_conditions_the_decoder_only(tmp_path) -> None:
    model = dataclasses.replace(
        get_preset("pose_editing", "tiny").model,
        image_size=SIZE,
        downsamplings=3,
        identity_model=tiny_identity_model(tmp_path / "identity.keras"),
    )
    system = PoseEditingSystem(PoseEditingSystem.build_networks(model), model)
    inpainter = system.inpainter
    assert [tensor.name for tensor in inpainter.inputs][2].startswith("identity_image")
    fc = inpainter.get_layer("identity_fc")
    np.testing.assert_array_equal(fc.kernel.numpy(), np.eye(6))  # starts as the embedding
    trainable = {id(weight) for weight in inpainter.trainable_weights}
    (frozen,) = [layer for layer in inpainter.layers if isinstance(layer, keras.Model)]
    assert len(frozen.weights) == 8 and not any(id(w) in trainable for w in frozen.weights)
    assert id(fc.kernel) in trainable

    rng = np.random.default_rng(9)
    image = tf.constant(rng.uniform(-1, 1, (1, SIZE, SIZE, 3)), tf.float32)
    landmarks = tf.constant(rng.uniform(-1, 1, (1, 68, 3)), tf.float32)
    people = tf.constant(rng.uniform(-1, 1, (2, SIZE, SIZE, 3)), tf.float32)
    images, conditions = tf.repeat(image, 2, 0), tf.repeat(landmarks, 2, 0)
    outputs = system.inpaint(images, conditions, people, training=False).numpy()
    assert np.abs(outputs[0] - outputs[1]).max() > 1e-4  # the decoder sees the identity
    encoder = keras.Model(inpainter.inputs, inpainter.get_layer("encoder3_leaky_relu").output)
    encoded = encoder([images, conditions, people]).numpy()
    np.testing.assert_array_equal(encoded[0], encoded[1])  # the encoder does not
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(system.inpaint(images, conditions, people, training=True))
    gradient = tape.gradient(total, fc.kernel)
    assert np.abs(gradient.numpy()).max() > 0  # the last FC layer is fine-tuned
    # the inference path feeds the input face's identity
    pixels = conditions.numpy() * 8 + 16
    edited = system.rotate_to_pose(people.numpy(), pixels, pixels)
    assert edited["image"].shape == (2, SIZE, SIZE, 3)
    assert decoder_identity_network(dataclasses.replace(model, identity_condition=False)) is None
    assert decoder_identity_network(dataclasses.replace(model, identity_model="")) is None
