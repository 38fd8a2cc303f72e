"""The Prometheus endpoint: scraped after good and bad requests over gRPC and REST."""

from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.request

import pytest
from toy_export import MODEL, toy_images

from serving.client import GrpcClient, ServingClientError
from serving.model_manager import ModelManager
from serving.monitoring import METRICS_PATH, RequestMetrics
from serving.rest_server import RestServer
from serving.servable import ServableOptions
from tfface.cli.main import build_parser

SAMPLE = re.compile(r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?P<labels>.*)\})? (?P<value>\S+)$")
LABEL = re.compile(r'(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)="(?P<value>(?:[^"\\]|\\.)*)"(?:,|$)')


def unescape(label_value: str) -> str:
    """A label value with the text format's escapes undone."""
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), label_value)


def parse_exposition(text: str) -> tuple[dict[str, str], dict[str, str], dict]:
    """(TYPE by family, HELP by family, value by (sample name, frozenset of labels))."""
    types: dict[str, str] = {}
    helps: dict[str, str] = {}
    samples: dict[tuple[str, frozenset], float] = {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            name, kind = line[len("# TYPE ") :].split(" ", 1)
            types[name] = kind
        elif line.startswith("# HELP "):
            name, help_text = line[len("# HELP ") :].split(" ", 1)
            helps[name] = help_text
        elif line:
            match = SAMPLE.match(line)
            assert match, f"not a sample line: {line!r}"
            labels_text = match.group("labels") or ""
            found = list(LABEL.finditer(labels_text))
            assert sum(len(label.group(0)) for label in found) == len(labels_text), line
            labels = {label.group("name"): unescape(label.group("value")) for label in found}
            key = (match.group("name"), frozenset(labels.items()))
            assert key not in samples, f"duplicate sample {key}"
            samples[key] = float(match.group("value"))
    return types, helps, samples


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def scrape(server) -> tuple[dict[str, str], dict[str, str], dict]:
    url = f"http://{server.rest_address}{METRICS_PATH}"
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        return parse_exposition(response.read().decode("utf-8"))


def rest_predict(server, body: dict, model: str = MODEL) -> int:
    request = urllib.request.Request(
        f"http://{server.rest_address}/v1/models/{model}:predict",
        data=json.dumps(body).encode(),
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_scrape_counts_good_and_bad_requests_over_grpc_and_rest(toy_server) -> None:
    _, _, before = scrape(toy_server)
    images = toy_images(1)
    with GrpcClient(toy_server.grpc_address) as client:
        for _ in range(3):
            client.predict(MODEL, {"image": images})
        with pytest.raises(ServingClientError):
            client.predict(MODEL, {"image": images[:, :4]})  # wrong shape
        with pytest.raises(ServingClientError):
            client.predict(MODEL, {"image": images}, signature="no_such")
        with pytest.raises(ServingClientError):
            client.predict("nope", {"image": images})
    assert rest_predict(toy_server, {"instances": images.tolist()}) == 200
    assert (
        rest_predict(toy_server, {"signature_name": "blend", "instances": images.tolist()}) == 400
    )
    assert rest_predict(toy_server, {"instances": images.tolist()}, model="nope") == 404
    types, helps, after = scrape(toy_server)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    count = "tfface_serving_request_count_total"
    assert types[count] == "counter" and helps[count]
    grpc_labels = {"model_name": MODEL, "API": "Predict", "entrypoint": "GRPC"}
    rest_labels = {"model_name": MODEL, "API": "Predict", "entrypoint": "REST"}
    default = {"signature_name": "serving_default"}
    assert delta(count, **grpc_labels, **default, status="OK") == 3
    assert delta(count, **grpc_labels, **default, status="INVALID_ARGUMENT") == 1
    assert delta(count, **grpc_labels, signature_name="(unknown)", status="NOT_FOUND") == 1
    unknown_model = {"model_name": "(unknown)", "signature_name": "(unknown)", "API": "Predict"}
    assert delta(count, **unknown_model, entrypoint="GRPC", status="NOT_FOUND") == 1
    assert delta(count, **unknown_model, entrypoint="REST", status="NOT_FOUND") == 1
    assert delta(count, **rest_labels, **default, status="OK") == 1
    assert delta(count, **rest_labels, signature_name="blend", status="INVALID_ARGUMENT") == 1

    latency = "tfface_serving_request_latency_seconds"
    assert types[latency] == "histogram"
    ok = {**grpc_labels, **default, "status": "OK"}
    assert delta(f"{latency}_count", **ok) == 3
    assert delta(f"{latency}_bucket", **ok, le="+Inf") == 3
    assert delta(f"{latency}_sum", **ok) > 0
    buckets = sorted(
        (float(dict(labels)["le"]), count)
        for (name, labels), count in after.items()
        if name == f"{latency}_bucket" and dict(labels).items() >= ok.items()
    )
    assert len(buckets) == 16 and buckets[-1] == (
        float("inf"),
        value(after, f"{latency}_count", **ok),
    )
    assert [count for _, count in buckets] == sorted(count for _, count in buckets)  # cumulative
    errors = {**grpc_labels, **default, "status": "INVALID_ARGUMENT"}
    assert delta(f"{latency}_count", **errors) == 1  # failed requests are timed too

    # TF Serving's own families, with its names and labels
    tf_count = ":tensorflow:serving:request_count"
    assert types[tf_count] == "counter"
    assert delta(tf_count, model_name=MODEL, status="OK") == 4
    assert delta(tf_count, model_name=MODEL, status="INVALID_ARGUMENT") == 2
    assert delta(tf_count, model_name=MODEL, status="NOT_FOUND") == 1
    tf_latency = ":tensorflow:serving:request_latency"
    assert types[tf_latency] == "histogram"
    assert delta(f"{tf_latency}_count", **grpc_labels) == 3  # successful requests only
    assert delta(f"{tf_latency}_count", **rest_labels) == 1
    assert delta(f"{tf_latency}_bucket", **grpc_labels, le="10") == 0  # microseconds


def test_recording_is_thread_safe_and_the_text_parses() -> None:
    metrics = RequestMetrics()

    def record_many() -> None:
        for index in range(500):
            status = "OK" if index % 5 else "NOT_FOUND"
            metrics.record('quote"and\\slash', "serving_default", "Predict", "GRPC", status, 0.02)

    threads = [threading.Thread(target=record_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    types, helps, samples = parse_exposition(metrics.render())
    labels = {
        "model_name": 'quote"and\\slash',
        "signature_name": "serving_default",
        "API": "Predict",
        "entrypoint": "GRPC",
    }
    count = "tfface_serving_request_count_total"
    assert value(samples, count, **labels, status="OK") == 3200
    assert value(samples, count, **labels, status="NOT_FOUND") == 800
    latency = "tfface_serving_request_latency_seconds"
    ok = {**labels, "status": "OK"}
    assert value(samples, f"{latency}_bucket", **ok, le="0.01") == 0
    assert value(samples, f"{latency}_bucket", **ok, le="0.025") == 3200
    assert value(samples, f"{latency}_sum", **ok) == pytest.approx(64.0)
    assert set(types) == set(helps)


def serve_rest_in_thread(metrics: RequestMetrics | None) -> RestServer:
    server = RestServer(("127.0.0.1", 0), ModelManager([], ServableOptions()), 1000, metrics)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.mark.parametrize("enabled", [True, False])
def test_no_monitoring_serves_no_metrics(enabled: bool) -> None:
    arguments = ["serve", "--model-base", "models", "--model-name", MODEL]
    parsed = build_parser().parse_args(arguments + ([] if enabled else ["--no-monitoring"]))
    assert parsed.monitoring is enabled
    server = serve_rest_in_thread(RequestMetrics() if parsed.monitoring else None)
    url = f"http://127.0.0.1:{server.server_address[1]}{METRICS_PATH}"
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    finally:
        server.stop()
    assert status == (200 if enabled else 404)
