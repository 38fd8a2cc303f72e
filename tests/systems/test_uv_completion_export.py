"""uv_completion's exports under `tfface evaluate` and `tfface predict`.

- `tfface evaluate FULL NO_SYMMETRY --data DIR` scores each export's `uv_texture` output
  against SynthFaces' exact texture (the signature's declared target), side by side; the
  full export's L1 equals NumPy's L1 of the trained system's completion on the same data.
- The no-sampler ablation (Fig. 4.7) exports the traditional completion: `serving_default`
  takes `uv_incomplete` and `uv_valid` (no sampler), round-trips the system's
  `complete_traditional`, is fed by `tfface predict --input uv.png --mask valid.png`, and
  `tfface evaluate` refuses it with a clear message (datasets hold no incomplete UV map).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image
from system_kit import UV_FACES, Case, tiny_config

from tfface.cli.main import main
from tfface.cli.prediction_inputs import build_inputs
from tfface.data.reader import make_dataset
from tfface.export.writer import export_system
from tfface.systems import registry
from tfface.systems.uv_completion.data import uv_batches

CASE = Case("uv_completion", UV_FACES, ("model.sampler_steps=1",), steps=3)
"""The contract's case (tests/helpers/system_cases.py): its trained system and export are
shared with the contract and test_uv_completion.py."""


@pytest.fixture(scope="module")
def uv_dir(synthfaces_data) -> str:
    return synthfaces_data(UV_FACES)


@pytest.fixture(scope="module")
def no_sampler(uv_dir: str, tmp_path_factory: pytest.TempPathFactory) -> tuple:
    """A fresh tiny no-sampler system (batch 2) and its export's version directory."""
    config = tiny_config("uv_completion", uv_dir, "model.use_sampler=false", "train.batch_size=2")
    system = registry.build("uv_completion", config)
    base = tmp_path_factory.mktemp("no_sampler")
    export = export_system(system, "uv_completion", base, "no_sampler", verify=False)
    return config, system, export.version_dir


def as_uint8(images: np.ndarray) -> np.ndarray:
    return np.round(np.clip((np.asarray(images) + 1.0) * 127.5, 0.0, 255.0))


def test_evaluate_compares_the_completed_uv_of_two_exports(
    trained_case, exported_case, uv_dir: str, tmp_path: Path
) -> None:
    full = exported_case(CASE).version_dir
    # an untrained no-symmetry system without the coefficient head (no render_pose to trace)
    overrides = ("model.symmetry_weight=0", "model.coefficient_head=false")
    untrained = registry.build("uv_completion", tiny_config("uv_completion", uv_dir, *overrides))
    no_symmetry = export_system(
        untrained, "uv_completion", tmp_path / "models", "no_sym", verify=False
    ).version_dir
    out = tmp_path / "comparison"
    arguments = ["evaluate", str(full), str(no_symmetry), "--labels", "full,no_symmetry"]
    arguments += ["--data", uv_dir, "--split", "train", "--metrics", "l1,ssim,psnr"]
    arguments += ["--batch-size", "6", "--grid-examples", "2", "--out", str(out)]
    assert main(arguments) == 0
    comparison = json.loads((out / "report.json").read_text())
    assert set(comparison["metrics"]) >= {"l1", "ssim", "psnr"}
    assert set(comparison["metrics"]["l1"]) == {"full", "no_symmetry"}
    reports = {
        label: json.loads((out / label / "report.json").read_text())
        for label in ("full", "no_symmetry")
    }
    for report in reports.values():
        assert report["data"]["target"] == "uv_texture"
        assert report["data"]["output"] == "uv_texture"
        assert report["metrics"]["l1"]["count"] == 12
    assert "output uv_texture vs uv_texture" in (out / "full" / "report.md").read_text()
    # the full export's number is the trained system's completion against the exact texture
    system = trained_case(CASE)["system"]
    records = make_dataset(
        f"{uv_dir}/train-*.tfrecord",
        features=("image", "uv_texture"),
        batch_size=12,
        shuffle=False,
        drop_remainder=False,
    )
    batch = next(iter(records))
    completed = as_uint8(system.complete(batch["image"])["uv_texture"].numpy())
    exact = as_uint8(batch["uv_texture"].numpy())
    expected = np.mean(np.abs(completed - exact) / 255.0, axis=(1, 2, 3)).mean()
    assert reports["full"]["metrics"]["l1"]["mean"] == pytest.approx(expected, abs=2e-4)
    assert comparison["metrics"]["l1"]["full"] == pytest.approx(expected, abs=2e-4)


def test_the_no_sampler_export_completes_the_traditional_uv(
    no_sampler: tuple, uv_dir: str, tmp_path: Path
) -> None:
    config, system, version = no_sampler
    signatures = system.EXPORTS(system)
    assert set(signatures) == {"serving_default"}  # no sampler: no render_pose
    assert set(signatures["serving_default"].inputs) == {"uv_incomplete", "uv_valid"}
    batch = next(iter(uv_batches(config, uv_dir)))
    uv_map = as_uint8(batch["uv_gt"].numpy()).astype(np.uint8)  # what a client sends
    valid = batch["uv_valid"].numpy()
    # tfface predict's inputs from files: the UV map as a picture, the valid map as a mask
    Image.fromarray(uv_map[0]).save(tmp_path / "uv.png")
    Image.fromarray((valid[0, ..., 0] * 255).astype(np.uint8)).save(tmp_path / "valid.png")
    loaded = tf.saved_model.load(str(version))
    serve = loaded.signatures["serving_default"]
    info = argparse.Namespace(
        name="serving_default",
        inputs={
            name: argparse.Namespace(
                dtype=spec.dtype.name,
                shape=tuple(-1 if size is None else size for size in spec.shape),
                is_image=spec.dtype == tf.uint8 and spec.shape.rank == 4 and spec.shape[-1] == 3,
            )
            for name, spec in serve.structured_input_signature[1].items()
        },
    )
    request = argparse.Namespace(
        input=[str(tmp_path / "uv.png")],
        mask=[str(tmp_path / "valid.png")],
        input_array=[],
        target_yaw=None,
        target_pitch=None,
    )
    prepared = build_inputs(request, info).arrays
    np.testing.assert_array_equal(prepared["uv_incomplete"][0], uv_map[0])
    np.testing.assert_array_equal(prepared["uv_valid"][0], valid[0])
    served = serve(uv_incomplete=tf.constant(uv_map), uv_valid=tf.constant(valid, tf.float32))[
        "uv_texture"
    ].numpy()
    expected = system.complete_traditional(uv_map / 127.5 - 1.0, valid).numpy()
    assert served.dtype == np.uint8 and served.shape == uv_map.shape
    assert np.abs(served.astype(float) - as_uint8(expected)).max() <= 1.0
    # the same map as the generator trained on: [UV_gt, valid] of the batch (generator_input)
    np.testing.assert_allclose(
        system.complete_traditional(batch["uv_gt"], batch["uv_valid"]).numpy(),
        system.generator(system.generator_input({}, batch)).numpy(),
        atol=1e-6,
    )
    with pytest.raises(tf.errors.InvalidArgumentError):
        serve(uv_incomplete=tf.constant(uv_map), uv_valid=tf.constant(valid * 2.0, tf.float32))


def test_evaluate_refuses_the_no_sampler_export(
    no_sampler: tuple, uv_dir: str, tmp_path: Path, capsys
) -> None:
    version = no_sampler[2]
    arguments = ["evaluate", str(version), "--data", uv_dir, "--split", "train"]
    assert main([*arguments, "--metrics", "l1", "--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert "uv_incomplete" in error and "cannot feed" in error
