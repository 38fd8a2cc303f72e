"""The mask-guided export: edit / synthesize / parse signatures and their encoded-image
siblings, loaded without tfface, served over gRPC and REST with the official stubs, called by
`tfface predict`, evaluated."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
import textwrap
import urllib.error
import urllib.request
from pathlib import Path

import grpc
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image
from server_process import start_server
from tensorflow_serving.apis import predict_pb2, prediction_log_pb2, prediction_service_pb2_grpc

from tfface.cli.main import main
from tfface.data.reader import make_dataset
from tfface.export.run_loading import load_trained_system
from tfface.export.writer import export_run
from tfface.runs.train import TrainRequest, train

SIZE = 64
MODEL = "portrait"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    from pipelines import synthfaces

    folder = tmp_path_factory.mktemp("mask_guided_data")
    synthfaces.main(
        ["--output", str(folder), "--identities", "4", "--size", str(SIZE), "--uv-size", "16"]
        + ["--yaws", "0", "--splits", "train=1,validation=0,test=0"]
    )
    return folder


@pytest.fixture(scope="module")
def run_dir(data_dir, tmp_path_factory) -> Path:
    run = tmp_path_factory.mktemp("mask_guided_run") / "run"
    overrides = ("train.steps=2", "model.parser_pretrain_steps=1", "train.log_every=1")
    train(TrainRequest("mask_guided", str(run), str(data_dir), "tiny", None, overrides, verbose=0))
    return run


@pytest.fixture(scope="module")
def exported(run_dir, tmp_path_factory):
    return export_run(run_dir, tmp_path_factory.mktemp("mask_guided_models"), MODEL)


@pytest.fixture(scope="module")
def faces(data_dir) -> dict[str, np.ndarray]:
    """uint8 images (4, S, S, 3) and label maps (4, S, S) of the built dataset."""
    batch = next(
        iter(
            make_dataset(
                str(data_dir / "train-*.tfrecord"),
                features=("image", "label_map_11"),
                batch_size=4,
                one_hot=False,
                shuffle=False,
            )
        )
    )
    images = np.round((batch["image"].numpy() + 1.0) * 127.5).astype(np.uint8)
    return {"images": images, "masks": batch["label_map_11"].numpy().astype(np.uint8)}


def png_strings(pictures: np.ndarray) -> np.ndarray:
    """uint8 (B, H, W[, C]) -> object (B,) of PNG bytes (label maps as greyscale PNG)."""
    values = np.empty(len(pictures), dtype=object)
    for index, picture in enumerate(pictures):
        buffer = io.BytesIO()
        Image.fromarray(picture).save(buffer, format="PNG")
        values[index] = buffer.getvalue()
    return values


def bytes_inputs(faces) -> dict[str, dict[str, np.ndarray]]:
    """The inputs of `signature_inputs` as PNGs, for the `*_bytes` sibling signatures."""
    names = {"serving_default": "serving_bytes", "synthesize": "synthesize_bytes"}
    names["parse"] = "parse_bytes"
    return {
        names[signature]: {f"{key}_bytes": png_strings(value) for key, value in inputs.items()}
        for signature, inputs in signature_inputs(faces).items()
    }


def signature_inputs(faces) -> dict[str, dict[str, np.ndarray]]:
    images, masks = faces["images"][:2], faces["masks"][:2]
    other = faces["masks"][2:4]
    return {
        "serving_default": {"image": images, "label_map": masks, "edited_label_map": other},
        "synthesize": {
            "image": images,
            "label_map": masks,
            "source_image": faces["images"][2:4],
            "source_label_map": other,
        },
        "parse": {"image": images},
    }


LOAD_WITHOUT_TFFACE = textwrap.dedent(
    """
    import sys
    import numpy as np
    import tensorflow as tf
    version_dir, inputs_file, outputs_file = sys.argv[1:]
    loaded = tf.saved_model.load(version_dir)
    arrays = np.load(inputs_file, allow_pickle=True)
    grouped = {}
    for key in arrays.files:
        signature, name = key.split("/")
        grouped.setdefault(signature, {})[name] = tf.constant(arrays[key])
    saved = {}
    for signature, inputs in grouped.items():
        for name, value in loaded.signatures[signature](**inputs).items():
            saved[f"{signature}/{name}"] = value.numpy()
    assert not [m for m in sys.modules if m.split(".")[0] in ("tfface", "serving")]
    np.savez(outputs_file, **saved)
    """
)


UINT8_SIGNATURES = ["parse", "serving_default", "synthesize"]
BYTES_SIGNATURES = ["parse_bytes", "serving_bytes", "synthesize_bytes"]


def test_signatures_layout_and_warmup(exported) -> None:
    assert sorted(exported.signatures) == sorted(UINT8_SIGNATURES + BYTES_SIGNATURES)
    warmup = exported.version_dir / "assets.extra" / "tf_serving_warmup_requests"
    names = []
    for record in tf.data.TFRecordDataset(str(warmup)):
        log = prediction_log_pb2.PredictionLog.FromString(record.numpy())
        names.append(log.predict_log.request.model_spec.signature_name)
    assert sorted(names) == sorted(UINT8_SIGNATURES + BYTES_SIGNATURES)
    card = json.loads((exported.version_dir / "assets.extra" / "model_card.json").read_text())
    assert card["system"] == "mask_guided"
    inputs = card["signatures"]["serving_default"]["inputs"]
    assert inputs["edited_label_map"]["shape"] == [-1, SIZE, SIZE]
    assert card["signatures"]["parse"]["outputs"]["probabilities"]["dtype"] == "float32"
    edit_bytes = card["signatures"]["serving_bytes"]
    assert sorted(edit_bytes["inputs"]) == [
        "edited_label_map_bytes",
        "image_bytes",
        "label_map_bytes",
    ]
    assert edit_bytes["inputs"]["label_map_bytes"]["shape"] == [-1]
    assert sorted(card["signatures"]["parse_bytes"]["outputs"]) == [
        "label_map",
        "label_map_png_bytes",
        "probabilities",
    ]


def test_export_without_tfface_matches_the_editing_api(run_dir, exported, faces, tmp_path) -> None:
    inputs = signature_inputs(faces)
    np.savez(
        tmp_path / "inputs.npz",
        **{
            f"{s}/{k}": v
            for s, arrays in {**inputs, **bytes_inputs(faces)}.items()
            for k, v in arrays.items()
        },
    )
    (tmp_path / "load.py").write_text(LOAD_WITHOUT_TFFACE)
    subprocess.run(
        [sys.executable, "load.py", str(exported.version_dir), "inputs.npz", "outputs.npz"],
        check=True,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "2"},
    )
    loaded = np.load(tmp_path / "outputs.npz", allow_pickle=True)
    for uint8_signature, bytes_signature in zip(UINT8_SIGNATURES, BYTES_SIGNATURES, strict=True):
        for name in ("image", "label_map", "probabilities"):
            if f"{uint8_signature}/{name}" in loaded:  # PNG inputs of the model's size: exact
                np.testing.assert_array_equal(
                    loaded[f"{bytes_signature}/{name}"], loaded[f"{uint8_signature}/{name}"]
                )
    for name, signature in (("image", "serving_default"), ("label_map", "parse")):
        pngs = loaded[f"{BYTES_SIGNATURES[UINT8_SIGNATURES.index(signature)]}/{name}_png_bytes"]
        decoded = np.stack([np.asarray(Image.open(io.BytesIO(value))) for value in pngs])
        np.testing.assert_array_equal(decoded, loaded[f"{signature}/{name}"])
    system = load_trained_system(run_dir).system
    images = inputs["serving_default"]["image"].astype(np.float32) / 127.5 - 1.0
    masks, other = (
        inputs["serving_default"]["label_map"],
        inputs["serving_default"]["edited_label_map"],
    )

    def quantised(values: np.ndarray) -> np.ndarray:
        return np.round(np.clip((values + 1.0) * 127.5, 0, 255))

    edited = loaded["serving_default/image"]
    assert edited.dtype == np.uint8 and edited.shape == (2, SIZE, SIZE, 3)
    np.testing.assert_allclose(edited, quantised(system.edit(images, masks, other)), atol=1)
    sources = faces["images"][2:4].astype(np.float32) / 127.5 - 1.0
    synthesized = system.synthesize(masks, images, sources, other)
    np.testing.assert_allclose(loaded["synthesize/image"], quantised(synthesized), atol=1)
    labels = loaded["parse/label_map"]
    assert labels.dtype == np.uint8 and labels.shape == (2, SIZE, SIZE)
    np.testing.assert_array_equal(labels, system.parse(images))
    probabilities = loaded["parse/probabilities"]
    assert probabilities.shape == (2, SIZE, SIZE, 11)
    np.testing.assert_allclose(probabilities.sum(-1), 1.0, atol=1e-5)


@pytest.fixture(scope="module")
def server(exported):
    """`tfface serve` of the export, shared by the serving tests of this module."""
    base = exported.version_dir.parent.parent
    process = start_server("--model-base", str(base), "--model-name", MODEL)
    yield process
    assert process.terminate() == 0


def test_served_over_grpc_rest_and_predict_command(
    server, exported, faces, tmp_path, capsys
) -> None:
    loaded = tf.saved_model.load(str(exported.version_dir))
    channel = grpc.insecure_channel(server.grpc_address)
    stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
    for signature, inputs in signature_inputs(faces).items():
        request = predict_pb2.PredictRequest()
        request.model_spec.name = MODEL
        request.model_spec.signature_name = signature
        for name, value in inputs.items():
            request.inputs[name].CopyFrom(tf.make_tensor_proto(value))
        response = stub.Predict(request, timeout=60)
        expected = loaded.signatures[signature](**{k: tf.constant(v) for k, v in inputs.items()})
        for name, value in expected.items():
            np.testing.assert_array_equal(
                tf.make_ndarray(response.outputs[name]), value.numpy(), err_msg=signature
            )
    bad = signature_inputs(faces)["serving_default"]
    request = predict_pb2.PredictRequest()
    request.model_spec.name = MODEL
    for name, value in bad.items():
        value = value.copy()
        if name == "edited_label_map":
            value[:, 0, 0] = 12  # not a PORTRAIT_11 class
        request.inputs[name].CopyFrom(tf.make_tensor_proto(value))
    with pytest.raises(grpc.RpcError) as error:
        stub.Predict(request, timeout=60)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "[0, 10]" in error.value.details()
    channel.close()

    rest = signature_inputs(faces)["parse"]
    body = json.dumps(
        {"signature_name": "parse", "inputs": {"image": rest["image"].tolist()}}
    ).encode()
    url = f"http://{server.rest_address}/v1/models/{MODEL}:predict"
    with urllib.request.urlopen(urllib.request.Request(url, body), timeout=60) as reply:
        outputs = json.loads(reply.read())["outputs"]
    np.testing.assert_array_equal(
        np.array(outputs["label_map"]),
        loaded.signatures["parse"](image=rest["image"])["label_map"].numpy(),
    )

    def write(name: str, array: np.ndarray) -> str:
        path = tmp_path / name
        Image.fromarray(array).save(path)
        return str(path)

    image = write("face.png", faces["images"][0])
    mask = write("face_mask.png", faces["masks"][0])
    edited = write("edited_mask.png", faces["masks"][1])
    out = tmp_path / "edited.png"
    command = ["predict", "--server", server.grpc_address, "--model", MODEL, "--input", image]
    named = ["--mask", f"label_map={mask}", "--mask", f"edited_label_map={edited}"]
    assert main([*command, *named, "--output", str(out)]) == 0
    expected = loaded.signatures["serving_default"](
        image=faces["images"][:1],
        label_map=faces["masks"][:1],
        edited_label_map=faces["masks"][1:2],
    )["image"].numpy()[0]
    np.testing.assert_array_equal(np.asarray(Image.open(out)), expected)
    capsys.readouterr()
    assert main([*command, "--mask", mask, "--output", str(out)]) == 2
    assert "edited_label_map" in capsys.readouterr().err
    rest_command = ["predict", "--rest", "--server", server.rest_address, "--model", MODEL]
    parsed = tmp_path / "parsed.png"
    assert (
        main([*rest_command, "--signature", "parse", "--input", image, "--output", str(parsed)])
        == 0
    )
    assert "probabilities" in capsys.readouterr().out


def test_bytes_signatures_served_over_grpc_and_rest(server, exported, faces) -> None:
    loaded = tf.saved_model.load(str(exported.version_dir))
    uint8_inputs = signature_inputs(faces)["serving_default"]
    expected = loaded.signatures["serving_default"](**uint8_inputs)["image"].numpy()
    channel = grpc.insecure_channel(server.grpc_address)
    stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
    request = predict_pb2.PredictRequest()
    request.model_spec.name = MODEL
    request.model_spec.signature_name = "serving_bytes"
    request.output_filter.append("image_png_bytes")
    for name, value in bytes_inputs(faces)["serving_bytes"].items():
        request.inputs[name].CopyFrom(tf.make_tensor_proto(value))
    response = stub.Predict(request, timeout=60)
    pngs = tf.make_ndarray(response.outputs["image_png_bytes"])
    decoded = np.stack([np.asarray(Image.open(io.BytesIO(value))) for value in pngs])
    np.testing.assert_array_equal(decoded, expected)
    request.inputs["label_map_bytes"].CopyFrom(tf.make_tensor_proto(np.array([b"x", b"y"], object)))
    with pytest.raises(grpc.RpcError) as error:
        stub.Predict(request, timeout=60)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    channel.close()

    image = faces["images"][0]
    framed = np.concatenate([np.zeros((SIZE, 8, 3), np.uint8), image, image[:, :8]], axis=1)
    body = {
        "signature_name": "parse_bytes",
        "instances": [
            {"b64": base64.b64encode(png_strings(framed[None])[0]).decode("ascii")},
            {"b64": base64.b64encode(png_strings(image[None])[0]).decode("ascii")},
        ],
    }
    url = f"http://{server.rest_address}/v1/models/{MODEL}:predict"
    request_body = json.dumps(body).encode()
    with urllib.request.urlopen(urllib.request.Request(url, request_body), timeout=60) as reply:
        predictions = json.loads(reply.read())["predictions"]
    parsed = loaded.signatures["parse"](image=image[None])["label_map"].numpy()[0]
    for prediction in predictions:  # the framed picture is centre-cropped back to `image`
        np.testing.assert_array_equal(prediction["label_map"], parsed)
        png = base64.b64decode(prediction["label_map_png_bytes"]["b64"])
        np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(png))), parsed)
    garbage = json.dumps({"signature_name": "parse_bytes", "instances": [{"b64": "AAAA"}]})
    with pytest.raises(urllib.error.HTTPError) as rejected:
        urllib.request.urlopen(urllib.request.Request(url, garbage.encode()), timeout=60)
    assert rejected.value.code == 400
    assert "Unknown image file format" in json.loads(rejected.value.read())["error"]


def test_evaluate_reconstructs_through_the_edit_signature(exported, data_dir, tmp_path) -> None:
    out = tmp_path / "evaluation"
    code = main(
        ["evaluate", str(exported.version_dir), "--data", str(data_dir), "--metrics", "ssim,l1"]
        + ["--out", str(out), "--batch-size", "2", "--split", "train"]
    )
    assert code == 0
    report = json.loads((out / "report.json").read_text())
    metrics = report["metrics"]
    assert metrics["l1"]["count"] == 4 and 0.0 < metrics["l1"]["mean"] < 2.0, metrics
    assert -1.0 <= metrics["ssim"]["mean"] <= 1.0
