"""Writing warmup requests: `assets.extra/tf_serving_warmup_requests`, a TFRecord of PredictionLogs.

TF Serving (and `tfface serve`) replays these requests when it loads a version, so the
first real request does not pay for graph initialisation. The file holds one
`tensorflow_serving.apis.prediction_log_pb2.PredictionLog` with a `predict_log` request per
signature; inputs are TensorProtos made with `tf.make_tensor_proto`. The server reads the
file with `serving/warmup.py`; `read_warmup_file` here checks a written export.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np
import tensorflow as tf
from tensorflow_serving.apis import model_pb2, predict_pb2, prediction_log_pb2

from tfface.signatures.signature import ExportInput, ExportSignature

WARMUP_DIRECTORY = "assets.extra"
WARMUP_FILE = "tf_serving_warmup_requests"


def warmup_example(input_name: str, item: ExportInput) -> np.ndarray:
    """A batch-of-one example for one input (its `warmup_shape` / `warmup_value`)."""
    shape = item.warmup_shape
    if shape is None:
        dims = item.spec.shape.as_list()
        if dims and dims[0] is None:
            dims[0] = 1
        if any(dim is None for dim in dims):
            raise ValueError(
                f"input {input_name!r} has unknown dimensions {item.spec.shape}: "
                "give the ExportInput a warmup_shape"
            )
        shape = tuple(dims)
    if item.spec.dtype == tf.string:
        array = np.empty(shape, dtype=object)
        array.fill(item.warmup_value)
        return array
    return np.full(shape, item.warmup_value, dtype=item.spec.dtype.as_numpy_dtype)


def warmup_requests(
    model_name: str, signatures: Mapping[str, ExportSignature]
) -> list[predict_pb2.PredictRequest]:
    """One PredictRequest per signature, in signature order."""
    requests = []
    for signature_name, signature in signatures.items():
        request = predict_pb2.PredictRequest(
            model_spec=model_pb2.ModelSpec(name=model_name, signature_name=signature_name)
        )
        for input_name, item in signature.inputs.items():
            request.inputs[input_name].CopyFrom(
                tf.make_tensor_proto(warmup_example(input_name, item))
            )
        requests.append(request)
    return requests


def write_warmup_file(
    version_dir: str | Path, model_name: str, signatures: Mapping[str, ExportSignature]
) -> Path:
    """Writes the warmup TFRecord into `version_dir/assets.extra/`; returns its path."""
    directory = Path(version_dir) / WARMUP_DIRECTORY
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / WARMUP_FILE
    with tf.io.TFRecordWriter(str(path)) as writer:
        for request in warmup_requests(model_name, signatures):
            log = prediction_log_pb2.PredictionLog(
                predict_log=prediction_log_pb2.PredictLog(request=request)
            )
            writer.write(log.SerializeToString())
    return path


def read_warmup_file(path: str | Path) -> Iterator[prediction_log_pb2.PredictionLog]:
    """The PredictionLogs of a warmup file (read with TF's own TFRecord reader)."""
    for record in tf.data.TFRecordDataset(str(path)):
        log = prediction_log_pb2.PredictionLog()
        log.ParseFromString(record.numpy())
        yield log
