"""face_recognition: config checks, identity data, the embedding export as the identity model
of other systems, and `tfface evaluate` of the export (verification and Rank-1)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from system_kit import FACES, Case, tiny_config

from tfface.config import ConfigError, get_preset
from tfface.data.features import encode_example
from tfface.metrics.evaluation_options import EvaluationOptions
from tfface.metrics.run_evaluation import evaluate
from tfface.systems.face_recognition.config import FaceRecognitionModelConfig
from tfface.systems.face_recognition.data import identity_batches, identity_count
from tfface.systems.face_recognition.system import FaceRecognitionSystem
from tfface.weights.identity_network import load_identity_network

SYSTEM = "face_recognition"
CASE = Case(SYSTEM, FACES)


@pytest.fixture(scope="module")
def trained(trained_case) -> dict:
    """The contract's trained tiny system (shared within the session)."""
    return trained_case(CASE)


@pytest.fixture(scope="module")
def exported(exported_case):
    """The contract's export of it."""
    return exported_case(CASE)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"filters": (8, 16)}, "model.filters needs one entry per stage"),
        ({"image_size": 40}, "model.image_size must be a multiple of 16"),
        ({"margin": 1.6}, "model.margin must be < pi/2"),
        ({"margin_form": "sphereface"}, "model.margin_form must be one of"),
        ({"identities": -1}, "model.identities must be >= 0"),
        ({"dropout": 1.0}, r"model.dropout must lie in \[0, 1\)"),
    ],
)
def test_bad_model_configs_are_refused(fields, message) -> None:
    with pytest.raises(ConfigError, match=message):
        FaceRecognitionModelConfig(**fields)


def test_the_paper_preset_is_resnet18_arcface_at_112_px() -> None:
    config = get_preset(SYSTEM, "paper")
    model = config.model
    assert config.data.image_size == 112 and model.stage_blocks == (2, 2, 2, 2)
    assert (model.margin_form, model.scale, model.margin, model.embedding_size) == (
        "arcface",
        64.0,
        0.5,
        512,
    )


def labelled_records(folder: Path, identities: list[int | None]) -> str:
    """A train split of 8x8 black faces with the given identity labels (None: no label)."""
    folder.mkdir()
    with tf.io.TFRecordWriter(str(folder / "train-00000-of-00001.tfrecord")) as writer:
        for number, identity in enumerate(identities):
            record = {"key": f"face{number}", "image": np.zeros((8, 8, 3), np.uint8)}
            if identity is not None:
                record["identity"] = identity
            writer.write(encode_example(record))
    return str(folder)


def test_identities_come_from_the_data_and_bad_labels_are_refused(tmp_path) -> None:
    assert identity_count(labelled_records(tmp_path / "good", [3, 0, 5])) == 6
    with pytest.raises(ValueError, match="no identity"):
        identity_count(labelled_records(tmp_path / "bare", [1, None]))
    with pytest.raises(ValueError, match="data.data_dir is empty"):
        FaceRecognitionSystem.create(get_preset(SYSTEM, "tiny"))
    with pytest.raises(ValueError, match="model.identities is 0"):
        FaceRecognitionSystem.build_networks(FaceRecognitionModelConfig(image_size=64))


def test_batches_carry_labels_and_labels_beyond_the_head_fail_clearly(faces_dir) -> None:
    config = tiny_config(SYSTEM, faces_dir, "train.batch_size=4")
    batch = next(iter(identity_batches(config, faces_dir)))
    assert batch["image"].shape == (4, 64, 64, 3) and batch["identity"].dtype == tf.int32
    assert set(batch["identity"].numpy().tolist()) <= {0, 1, 2, 3}
    small = tiny_config(SYSTEM, faces_dir, "model.identities=2", "train.batch_size=8")
    with pytest.raises(
        tf.errors.InvalidArgumentError, match="identity label is >= 2, the classes of the head"
    ):
        for _ in identity_batches(small, faces_dir).take(4):
            pass


def test_flips_mirror_the_images_seeded(faces_dir) -> None:
    known = ("data.shuffle_buffer=0", "model.identities=4")  # no label scan
    plain = tiny_config(SYSTEM, faces_dir, "model.flip=false", *known)
    flipped = tiny_config(SYSTEM, faces_dir, *known)
    images = next(iter(identity_batches(plain, faces_dir)))["image"].numpy()
    first = next(iter(identity_batches(flipped, faces_dir)))["image"].numpy()
    again = next(iter(identity_batches(flipped, faces_dir)))["image"].numpy()
    np.testing.assert_array_equal(first, again)
    mirrored = [np.array_equal(a, b[:, ::-1]) for a, b in zip(first, images, strict=True)]
    kept = [np.array_equal(a, b) for a, b in zip(first, images, strict=True)]
    assert all(m or k for m, k in zip(mirrored, kept, strict=True)) and any(mirrored)


def test_embeddings_are_unit_vectors_and_the_head_matches_the_data(trained) -> None:
    system, batches = trained["system"], trained["batches"]
    batch = next(iter(batches))
    embeddings = system(batch["image"])
    assert embeddings.shape == (batch["image"].shape[0], 64)
    np.testing.assert_allclose(np.linalg.norm(embeddings.numpy(), axis=1), 1.0, atol=1e-5)
    assert system.classes == 4 and system.head.output_shape == (None, 4)
    preview = system.preview(batch)
    assert preview["nearest_in_batch"].shape == batch["image"].shape


def test_the_export_is_the_identity_model_of_other_systems(trained, exported, tmp_path) -> None:
    system = trained["system"]
    assert {"serving_default", "embed", "serving_bytes"} <= set(exported.signatures)
    images = tf.constant(np.random.default_rng(0).uniform(-1, 1, (3, 64, 64, 3)), tf.float32)
    expected = system.embed(images).numpy()
    network = load_identity_network(str(exported.version_dir))  # picks the float `embed`
    assert network.input_size == 64
    with tf.GradientTape() as tape:
        tape.watch(images)
        embeddings = network(images)
        first_component = tf.reduce_sum(embeddings[:, 0])
    gradient = tape.gradient(first_component, images)
    np.testing.assert_allclose(embeddings.numpy(), expected, atol=1e-5)
    served_model = load_identity_network(str(exported.version_dir.parent))  # <base>/<name>
    np.testing.assert_allclose(served_model(images).numpy(), expected, atol=1e-5)
    assert gradient is not None and np.isfinite(gradient.numpy()).all()
    assert float(tf.reduce_max(tf.abs(gradient))) > 0
    served = tf.saved_model.load(str(exported.version_dir)).signatures["serving_default"]
    uint8 = tf.cast(tf.round((images + 1.0) * 127.5), tf.uint8)
    answer = served(image=uint8)["embedding"].numpy()
    assert answer.dtype == np.float32
    np.testing.assert_allclose(
        answer, system.embed(tf.cast(uint8, tf.float32) / 127.5 - 1.0), atol=1e-5
    )
    # The embedding network saved as .keras is an identity model too.
    path = tmp_path / "embedding.keras"
    system.embedding.save(path)
    np.testing.assert_allclose(load_identity_network(str(path))(images), expected, atol=1e-5)
    card = json.loads((exported.version_dir / "assets.extra" / "model_card.json").read_text())
    assert "embed" in json.dumps(card)


def test_evaluate_reports_verification_and_rank1_by_yaw(exported, faces_dir, tmp_path) -> None:
    options = EvaluationOptions(metrics=("identity",), data=faces_dir, split="train", batch_size=8)
    report = evaluate(exported.version_dir, options, tmp_path / "eval")
    metrics = report["metrics"]
    assert set(metrics) >= {"verification", "rank1", "tar_at_far", "cosine_same"}
    assert metrics["rank1"]["gallery"] == 4 and metrics["rank1"]["probes"] == 4
    assert list(report["by"]) == ["±15"] and report["by"]["±15"]["count"] == 4
    assert metrics["verification"]["pairs"] == 8 and metrics["verification"]["folds"] == 4
    markdown = (tmp_path / "eval" / "report.md").read_text()
    assert "verification accuracy" in markdown and "By yaw bucket" in markdown
    with pytest.raises(ValueError, match="--metrics identity"):
        evaluate(exported.version_dir, EvaluationOptions(("ssim",), faces_dir, "train"), tmp_path)


def test_the_augmentation_study_writes_one_table(faces_dir, tmp_path, monkeypatch) -> None:
    """Both runs get one head size and their own data; one table. Training itself is the
    contract's (fit is recorded here, not run: it would trace two train steps)."""
    from types import SimpleNamespace

    from tfface.systems.face_recognition import augmentation_study

    fitted = []

    def recorded_fit(system, batches, steps_per_epoch, epochs, verbose):
        fitted.append((system.classes, steps_per_epoch, batches.element_spec["image"].shape))
        return SimpleNamespace(history={"loss": [1.0]})

    monkeypatch.setattr(FaceRecognitionSystem, "fit", recorded_fit)
    arguments = ["--preset", "tiny", "--plain", faces_dir, "--augmented", faces_dir]
    arguments += ["--probes", faces_dir, "--probe-split", "train", "--out", str(tmp_path)]
    arguments += ["--set", "train.steps=7", "--set", "train.batch_size=4"]
    assert augmentation_study.main(arguments) == 0
    assert fitted == [(4, 7, (4, 64, 64, 3))] * 2
    lines = (tmp_path / "table.md").read_text().splitlines()
    assert lines[0].startswith("| training data | verification | AUC | TAR@FAR 1e-2 | Rank-1")
    assert lines[0].endswith("Rank-1 ±15 |") and len(lines) == 4
    assert lines[2].startswith("| without synthesis |") and lines[3].startswith("| with synthesis")
    results = json.loads((tmp_path / "table.json").read_text())
    assert results["with synthesis"]["metrics"]["rank1"]["probes"] == 4
