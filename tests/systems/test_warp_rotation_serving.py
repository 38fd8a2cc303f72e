"""warp_rotation end to end: train command, export (round trip without tfface), predict with a
target yaw over gRPC, and evaluate (the rotate_to_yaw signature fed from the dataset, and the
side-by-side comparison of the run and its export)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from tfface.cli.main import main
from tfface.export.run_loading import load_trained_system

sys.path.insert(0, str(Path(__file__).parents[1] / "serving"))
from server_process import start_server  # noqa: E402

SIZE = 64
MODEL = "rotation"

LOAD_WITHOUT_TFFACE = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import tensorflow as tf
    version_dir, inputs_file, outputs_file = sys.argv[1:]
    loaded = tf.saved_model.load(version_dir)
    inputs = np.load(inputs_file)
    saved = {}
    image = tf.constant(inputs["image"])
    for key, value in loaded.signatures["serving_default"](image=image).items():
        saved[f"serving_default/{key}"] = value.numpy()
    outputs = loaded.signatures["rotate_to_yaw"](image=image, target_yaw=inputs["target_yaw"])
    for key, value in outputs.items():
        saved[f"rotate_to_yaw/{key}"] = value.numpy()
    np.savez(outputs_file, **saved)
    print(json.dumps({
        "signatures": sorted(loaded.signatures.keys()),
        "tfface_modules": sorted(
            m for m in sys.modules if m.split(".")[0] in ("tfface", "serving")
        ),
    }))
    """
)


@pytest.fixture(scope="module")
def data_dir(pose_pairs_dir) -> str:
    """4 identities at yaw 0 and 30 paired with their frontal views (8 pairs)."""
    return pose_pairs_dir


@pytest.fixture(scope="module")
def run_dir(data_dir, tmp_path_factory) -> Path:
    """`tfface train warp_rotation --preset tiny` for 2 steps (forward sampler + gap, EMA)."""
    run = tmp_path_factory.mktemp("rotation_run") / "run"
    arguments = ["train", "warp_rotation", "--preset", "tiny", "--data", data_dir]
    settings = ["--set", "train.steps=2", "--set", "model.ema_decay=0.5"]
    assert main([*arguments, "--out", str(run), *settings]) == 0
    return run


@pytest.fixture(scope="module")
def version_dir(run_dir, tmp_path_factory) -> Path:
    """`tfface export` of the run (verified: loaded, warmup requests replayed)."""
    base = tmp_path_factory.mktemp("rotation_models")
    assert main(["export", str(run_dir), "--base", str(base), "--name", MODEL]) == 0
    return base / MODEL / "1"


@pytest.fixture(scope="module")
def faces(data_dir) -> dict[str, np.ndarray]:
    from tfface.data.reader import make_dataset

    pattern = f"{data_dir}/train-*.tfrecord"
    dataset = make_dataset(pattern, ("image",), batch_size=3, image_size=SIZE, shuffle=False)
    batch = next(iter(dataset))
    images = np.round((batch["image"].numpy() + 1.0) * 127.5).astype(np.uint8)
    return {"images": images, "yaws": np.array([0.0, 30.0, -45.0], np.float32)}


def test_export_loads_without_tfface_and_matches_the_system(
    run_dir, version_dir, faces, tmp_path
) -> None:
    np.savez(tmp_path / "inputs.npz", image=faces["images"], target_yaw=faces["yaws"])
    script = tmp_path / "load.py"
    script.write_text(LOAD_WITHOUT_TFFACE)
    result = subprocess.run(
        [sys.executable, str(script), str(version_dir), str(tmp_path / "inputs.npz")]
        + [str(tmp_path / "outputs.npz")],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "2"},
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["tfface_modules"] == []
    assert report["signatures"] == [
        "rotate_to_yaw",
        "rotate_to_yaw_bytes",
        "serving_bytes",
        "serving_default",
    ]
    loaded = np.load(tmp_path / "outputs.npz")
    system = load_trained_system(run_dir).system
    floats = faces["images"].astype(np.float32) / 127.5 - 1.0
    for signature, yaws in (("serving_default", None), ("rotate_to_yaw", faces["yaws"])):
        with system.ema.swap():  # the export holds the averaged weights
            expected = system.rotate(floats, yaws)
        for name in ("image", "warped"):
            got = loaded[f"{signature}/{name}"]
            assert got.dtype == np.uint8 and got.shape == (3, SIZE, SIZE, 3)
            want = np.round(np.clip((expected[name] + 1.0) * 127.5, 0, 255))
            np.testing.assert_allclose(got, want, atol=1, err_msg=f"{signature}/{name}")
        hole_mask = loaded[f"{signature}/hole_mask"]
        assert hole_mask.dtype == np.float32 and hole_mask.shape == (3, SIZE, SIZE, 1)
        np.testing.assert_array_equal(hole_mask, expected["hole_mask"])


def test_export_rejects_bad_inputs(version_dir, faces) -> None:
    loaded = tf.saved_model.load(str(version_dir))
    rotate = loaded.signatures["rotate_to_yaw"]
    image = tf.constant(faces["images"][:1])
    for bad in (120.0, -90.5, np.nan):
        with pytest.raises(
            tf.errors.InvalidArgumentError,
            match=r"input target_yaw must hold values in \[-90, 90\]",
        ):
            rotate(image=image, target_yaw=tf.constant([bad], tf.float32))
    assert rotate(image=image, target_yaw=tf.constant([90.0]))["image"].shape == (1, SIZE, SIZE, 3)
    for shape in ((1, 32, 32, 3), (1, SIZE, SIZE, 1)):  # TF Serving does not check shapes
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"uint8 \(batch, 64, 64, 3\)"):
            loaded.signatures["serving_default"](image=tf.zeros(shape, tf.uint8))


def test_predict_with_a_target_yaw_over_grpc(version_dir, faces, tmp_path, capsys) -> None:
    server = start_server("--model-base", str(version_dir.parents[1]), "--model-name", MODEL)
    try:
        Image.fromarray(faces["images"][1]).save(tmp_path / "face.png")
        out = tmp_path / "rotated.png"
        arguments = ["predict", "--server", server.grpc_address, "--model", MODEL]
        arguments += ["--input", str(tmp_path / "face.png"), "--output", str(out)]
        assert main([*arguments, "--target-yaw", "30"]) == 0
        captured = capsys.readouterr()
        assert "using signature 'rotate_to_yaw'" in captured.err
        expected = tf.saved_model.load(str(version_dir)).signatures["rotate_to_yaw"](
            image=faces["images"][1:2], target_yaw=tf.constant([30.0])
        )
        for name in ("image", "warped"):
            written = np.asarray(Image.open(tmp_path / f"rotated_{name}.png"))
            np.testing.assert_array_equal(written, expected[name].numpy()[0])
        summary = json.loads((tmp_path / "rotated.json").read_text())
        assert summary["outputs"]["hole_mask"]["shape"] == [1, SIZE, SIZE, 1]
        holes = np.load(tmp_path / "rotated_hole_mask.npy")
        np.testing.assert_array_equal(holes, expected["hole_mask"].numpy())
        assert main([*arguments, "--target-yaw", "200"]) == 1
        assert "INVALID_ARGUMENT" in capsys.readouterr().err
        assert main([*arguments]) == 0  # frontal, the default signature
        capsys.readouterr()
        default = ["--signature", "serving_default", "--target-yaw", "30"]
        assert main([*arguments, *default]) == 2  # an explicit choice is kept
        assert "has no 'target_yaw' input" in capsys.readouterr().err
    finally:
        assert server.terminate() == 0


class PooledEmbedding(tf.Module):
    """A stand-in face-embedding export (uint8 image -> 'embedding'): 8 x 8 pooled pixels."""

    @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3], tf.uint8, name="image")])
    def serve(self, image: tf.Tensor) -> dict[str, tf.Tensor]:
        pooled = tf.nn.avg_pool2d(tf.cast(image, tf.float32) / 255.0, 8, 8, "VALID")
        return {"embedding": tf.reshape(pooled, [tf.shape(image)[0], -1])}


def test_evaluate_feeds_the_target_yaw_and_compares_sources(
    data_dir, run_dir, version_dir, tmp_path
) -> None:
    embedding = PooledEmbedding()
    identity_model = tmp_path / "embedding" / "1"
    tf.saved_model.save(
        embedding, str(identity_model), signatures={"serving_default": embedding.serve}
    )
    out = tmp_path / "single"
    common = ["--data", data_dir, "--split", "train", "--by", "yaw"]
    common += ["--batch-size", "4", "--grid-examples", "0"]
    signature = ["--signature", "rotate_to_yaw", "--out", str(out)]
    metrics = ["--metrics", "mse,ssim,identity", "--identity-model", str(identity_model)]
    assert main(["evaluate", str(version_dir), *common, *metrics, *signature]) == 0
    report = json.loads((out / "report.json").read_text())
    inputs = {"image": "uint8[None, 64, 64, 3]", "target_yaw": "float32[None]"}
    assert report["source"]["inputs"] == inputs
    assert report["data"]["target"] == "target_image" and report["data"]["examples"] == 8
    assert set(report["by"]) == {"0", "±30"} and report["metrics"]["mse"]["count"] == 8
    # Rank-1 of the rotated faces against the targets' identities, per yaw (Table 4.2)
    assert report["metrics"]["rank1"]["probes"] == 8 and report["metrics"]["rank1"]["gallery"] == 4
    assert all(0.0 <= row["rank1"] <= 1.0 for row in report["by"].values())
    common += ["--metrics", "mse,ssim"]

    # The run and its export side by side: the run is exported on the fly, so same numbers.
    comparison = tmp_path / "comparison"
    arguments = ["evaluate", str(run_dir), str(version_dir), "--labels", "RUN,EXPORT", *common]
    assert main([*arguments, "--out", str(comparison)]) == 0
    table = json.loads((comparison / "report.json").read_text())
    assert table["kind"] == "comparison" and table["labels"] == ["RUN", "EXPORT"]
    assert table["metrics"]["mse"]["RUN"] == pytest.approx(table["metrics"]["mse"]["EXPORT"])
    assert table["metrics"]["mse"]["RUN"] == pytest.approx(
        json.loads((comparison / "RUN" / "report.json").read_text())["metrics"]["mse"]["mean"]
    )
    assert set(table["by"]) == {"0", "±30"}
    markdown = (comparison / "report.md").read_text()
    assert "| ssim RUN | ssim EXPORT | mse RUN | mse EXPORT |" in markdown  # Table 4.1 layout
