"""`tfface export`: layout, signatures, loading without tfface, warmup file, model card, versions."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from tensorflow_serving.apis import prediction_log_pb2
from toy_export import MODEL, register_toy_export, toy_images, toy_signatures
from toy_system import make_toy

from serving.model_config import read_model_config
from tfface.export.run_loading import load_trained_system
from tfface.export.writer import export_run, export_system, system_signatures
from tfface.signatures.bytes_signatures import with_bytes_signatures
from tfface.signatures.inputs import unit_to_uint8


def toy_inputs() -> dict[str, dict[str, np.ndarray]]:
    images = toy_images(3, seed=1)
    mask = np.zeros((3, 8, 8), np.uint8)
    mask[:, :, 4:] = 1
    encoded = np.array([tf.io.encode_png(image).numpy() for image in images], dtype=object)
    encoded_masks = np.array([tf.io.encode_png(m[..., None]).numpy() for m in mask], dtype=object)
    strength = np.array([[1.0], [0.5], [0.0]], np.float32)
    return {
        "serving_default": {"image": images},
        "serving_bytes": {"image_bytes": encoded},
        "encoded": {"image_bytes": encoded},
        "blend": {"image": images, "mask": mask, "strength": strength},
        "blend_bytes": {"image_bytes": encoded, "mask_bytes": encoded_masks, "strength": strength},
    }


def decoded_pngs(values: np.ndarray) -> np.ndarray:
    """string (B,) PNG outputs -> their uint8 pixels (B, H, W, C)."""
    return np.stack([tf.io.decode_png(value).numpy() for value in values])


def in_process_outputs(run_dir: Path) -> dict[str, dict[str, np.ndarray]]:
    """The restored system's outputs computed eagerly, signature by signature."""
    system = load_trained_system(run_dir).system
    results = {}
    for name, signature in with_bytes_signatures(toy_signatures(system)).items():
        inputs = toy_inputs()[name]
        normalised = {
            key: signature.inputs[key].normalize(tf.constant(value))
            for key, value in inputs.items()
        }
        outputs = signature.function(normalised)
        results[name] = {
            key: (
                unit_to_uint8(value)
                if key in signature.image_outputs and value.dtype.is_floating
                else value
            ).numpy()
            for key, value in outputs.items()
        }
    return results


LOAD_WITHOUT_TFFACE = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import tensorflow as tf
    version_dir, inputs_file, outputs_file = sys.argv[1:]
    loaded = tf.saved_model.load(version_dir)
    inputs = np.load(inputs_file, allow_pickle=True)
    results = {}
    for key in inputs.files:
        signature, name = key.split("/")
        results.setdefault(signature, {})[name] = inputs[key]
    saved = {}
    for signature, arrays in results.items():
        outputs = loaded.signatures[signature](**{k: tf.constant(v) for k, v in arrays.items()})
        saved.update({f"{signature}/{k}": v.numpy() for k, v in outputs.items()})
    np.savez(outputs_file, **saved)
    print(json.dumps({
        "signatures": sorted(loaded.signatures.keys()),
        "tfface_modules": sorted(m for m in sys.modules if m.split(".")[0] in ("tfface", "serving")),
    }))
    """
)


def test_export_layout_and_models_config(toy_export) -> None:
    version_dir = toy_export.version_dir
    assert version_dir.name == "1" and toy_export.version == 1
    for name in ("saved_model.pb", "variables", "assets.extra/tf_serving_warmup_requests"):
        assert (version_dir / name).exists(), name
    assert set(toy_export.signatures) == {
        "serving_default",
        "serving_bytes",
        "encoded",
        "blend",
        "blend_bytes",
    }
    (entry,) = read_model_config(toy_export.model_config)
    assert entry.name == MODEL and entry.base_path == version_dir.parent
    text = toy_export.model_config.read_text()
    assert 'model_platform: "tensorflow"' in text
    assert not [child for child in version_dir.parent.iterdir() if child.name.startswith(".")]


def test_export_loads_without_tfface_and_matches_the_model(toy_run, toy_export, tmp_path) -> None:
    inputs = toy_inputs()
    np.savez(
        tmp_path / "inputs.npz",
        **{f"{s}/{k}": v for s, arrays in inputs.items() for k, v in arrays.items()},
    )
    script = tmp_path / "load.py"
    script.write_text(LOAD_WITHOUT_TFFACE)
    result = subprocess.run(
        [
            sys.executable,
            str(script),
            str(toy_export.version_dir),
            str(tmp_path / "inputs.npz"),
            str(tmp_path / "outputs.npz"),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "2"},
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["tfface_modules"] == []
    assert report["signatures"] == [
        "blend",
        "blend_bytes",
        "encoded",
        "serving_bytes",
        "serving_default",
    ]
    loaded = np.load(tmp_path / "outputs.npz", allow_pickle=True)
    expected = in_process_outputs(toy_run)
    for signature, outputs in expected.items():
        for name, value in outputs.items():
            got = loaded[f"{signature}/{name}"]
            if name.endswith("_png_bytes"):  # PNG copies of the uint8 image outputs
                got, value = decoded_pngs(got), decoded_pngs(value)
            assert got.dtype == value.dtype, (signature, name)
            np.testing.assert_allclose(
                got.astype(np.float64), value, atol=1, err_msg=f"{signature}/{name}"
            )
    # the default signature is the system's own call on normalised images, quantised
    system = load_trained_system(toy_run).system
    direct = unit_to_uint8(system(inputs["serving_default"]["image"] / 127.5 - 1.0)).numpy()
    np.testing.assert_allclose(loaded["serving_default/image"], direct, atol=1)
    assert loaded["serving_default/image"].dtype == np.uint8
    # the encoded-image sibling, loaded without tfface, gives the uint8 signature's answer
    np.testing.assert_array_equal(loaded["serving_bytes/image"], loaded["serving_default/image"])
    np.testing.assert_array_equal(
        decoded_pngs(loaded["serving_bytes/image_png_bytes"]), loaded["serving_default/image"]
    )
    np.testing.assert_array_equal(loaded["blend_bytes/image"], loaded["blend/image"])
    assert loaded["serving_default/change"].dtype == np.float32


def test_warmup_file_parses_with_tensorflow_tfrecord_reader(toy_export) -> None:
    path = toy_export.version_dir / "assets.extra" / "tf_serving_warmup_requests"
    logs = []
    for record in tf.data.TFRecordDataset(str(path)):
        log = prediction_log_pb2.PredictionLog()
        log.ParseFromString(record.numpy())
        logs.append(log)
    loaded = tf.saved_model.load(str(toy_export.version_dir))
    assert sorted(log.predict_log.request.model_spec.signature_name for log in logs) == sorted(
        loaded.signatures.keys()
    )
    for log in logs:
        request = log.predict_log.request
        function = loaded.signatures[request.model_spec.signature_name]
        specs = function.structured_input_signature[1]
        assert set(request.inputs) == set(specs)
        arrays = {name: tf.make_ndarray(proto) for name, proto in request.inputs.items()}
        for name, array in arrays.items():
            assert tf.as_dtype(array.dtype) == specs[name].dtype
        function(**{name: tf.constant(array) for name, array in arrays.items()})


def test_model_card(toy_run, toy_export) -> None:
    card = json.loads((toy_export.version_dir / "assets.extra" / "model_card.json").read_text())
    assert card["system"] == "toy" and card["model_name"] == MODEL and card["version"] == 1
    assert card["steps"] == 4 and card["weights"] == "raw"
    assert card["config"]["train"]["steps"] == 4
    assert card["run_dir"] == str(toy_run.resolve())
    assert card["signatures"]["blend"]["inputs"]["mask"]["shape"] == [-1, 8, 8]
    assert card["signatures"]["serving_default"]["outputs"]["change"]["dtype"] == "float32"


def test_versions_increment_and_are_never_overwritten(toy_run, tmp_path) -> None:
    register_toy_export()
    (tmp_path / "run_copy").mkdir()
    base = tmp_path / "models"
    (toy_run / "report.json").write_text(json.dumps({"metrics": {"ssim": 0.5}}))
    try:
        first = export_run(toy_run, base, "faces", verify=False)
        second = export_run(toy_run, base, "faces", verify=False)
    finally:
        (toy_run / "report.json").unlink()
    assert (first.version, second.version) == (1, 2)
    assert json.loads((second.version_dir / "assets.extra/model_card.json").read_text())[
        "metrics"
    ] == {"metrics": {"ssim": 0.5}}
    with pytest.raises(ValueError, match="never overwritten"):
        export_run(toy_run, base, "faces", version=2, verify=False)
    chosen = export_run(toy_run, base, "faces", version=7, verify=False)
    assert chosen.version == 7
    assert export_run(toy_run, base, "faces", verify=False).version == 8
    other = export_run(toy_run, base, "other", config_base_path="/models", verify=False)
    entries = {entry.name: entry for entry in read_model_config(other.model_config)}
    assert set(entries) == {"faces", "other"}
    assert str(entries["other"].base_path) == "/models/other"
    hidden = [child.name for child in (base / "faces").iterdir() if not child.name.isdigit()]
    assert hidden == []


def test_ema_weights_are_exported(tmp_path) -> None:
    register_toy_export()
    system = make_toy(ema_decay=0.5)  # EMA over the inference network, the generator
    system.enable_ema()
    for variable in system.generator.trainable_variables:  # raw weights now differ from EMA
        variable.assign(variable * 3.0)
    images = toy_images(2)
    with system.ema.swap():
        expected = unit_to_uint8(system(images / 127.5 - 1.0)).numpy()
    raw = unit_to_uint8(system(images / 127.5 - 1.0)).numpy()
    assert not np.array_equal(expected, raw)
    result = export_system(system, "toy", tmp_path, "ema", verify=False)
    loaded = tf.saved_model.load(str(result.version_dir))
    got = loaded.signatures["serving_default"](image=tf.constant(images))["image"].numpy()
    np.testing.assert_allclose(got, expected, atol=1)
    assert result.card["weights"] == "ema"
    # the system keeps its raw weights after the export
    np.testing.assert_array_equal(unit_to_uint8(system(images / 127.5 - 1.0)).numpy(), raw)


def test_unknown_system_and_missing_run_are_clear_errors(tmp_path) -> None:
    with pytest.raises(ValueError, match="unknown system 'no_such_system'"):
        system_signatures(object(), "no_such_system")
    with pytest.raises(FileNotFoundError, match="run.json"):
        export_run(tmp_path, tmp_path / "models", "x")
