"""Request metrics in the Prometheus text format, served at TF Serving's monitoring path.

`GET /monitoring/prometheus/metrics` on the REST port answers four metric families:

    :tensorflow:serving:request_count           counter    model_name, status
    :tensorflow:serving:request_latency         histogram  model_name, API, entrypoint (us)
    tfface_serving_request_count_total          counter    model_name, signature_name, API,
                                                           entrypoint, status
    tfface_serving_request_latency_seconds      histogram  the same labels (seconds)

The first two are TF Serving's own (`tensorflow_serving/servables/tensorflow/util.cc`,
named as its Prometheus exporter names them: the metric path with '/' turned into ':'):
the same names, labels, microsecond unit and buckets (10 us x 1.8^i, 33 buckets), and, as
there, the latency of successful requests only; dashboards built for tensorflow_model_server
read them unchanged. The `tfface_serving_*` pair follows Prometheus' naming conventions
(no leading ':', `_total` counters, seconds) and adds what TF Serving's lack: the
signature, and the latency of failed requests by status.

Counted, as TF Serving counts: every Predict, Classify and Regress request over gRPC
(`entrypoint="GRPC"`) and every `:predict` / `:classify` / `:regress` over REST
(`entrypoint="REST"`), errors included; `status` is the canonical code name ("OK",
"INVALID_ARGUMENT", "NOT_FOUND"...). A model or signature name that the server does not
serve is recorded as "(unknown)" (and an unreadable request's signature too), so clients
cannot grow the number of series without bound. Recording is thread-safe.
"""

from __future__ import annotations

import bisect
import math
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

METRICS_PATH = "/monitoring/prometheus/metrics"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
UNKNOWN_LABEL = "(unknown)"
DEFAULT_SIGNATURE = "serving_default"
GRPC_ENTRYPOINT = "GRPC"
REST_ENTRYPOINT = "REST"
# TF Serving's request latency buckets, Buckets::Exponential(10, 1.8, 33) in microseconds,
# to the 6 significant digits its exporter prints.
TF_SERVING_LATENCY_BUCKETS_MICROS = tuple(float(f"{10.0 * 1.8**index:.6g}") for index in range(33))
LATENCY_BUCKETS_SECONDS = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
    60.0,
)


def escape_label_value(value: str) -> str:
    """A label value as the text format writes it (backslash, quote and newline escaped)."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def format_number(value: float) -> str:
    """A sample value or bucket bound: integers without a fraction, '+Inf' for infinity."""
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def format_labels(names: Sequence[str], values: Sequence[str]) -> str:
    """`{name="value",...}`, or nothing without labels."""
    if not names:
        return ""
    pairs = ",".join(
        f'{name}="{escape_label_value(value)}"' for name, value in zip(names, values, strict=True)
    )
    return "{" + pairs + "}"


@dataclass
class HistogramCell:
    """The observations of one label combination: per-bucket counts (not cumulative), sum."""

    bucket_counts: list[int]
    total: float = 0.0


@dataclass
class MetricFamily:
    """One counter or histogram with a fixed list of label names.

    Args:
        name: the metric name as exported.
        help_text: the HELP line.
        label_names: the names of its labels, in order.
        buckets: upper bounds of a histogram's buckets, ascending (None: a counter).
    """

    name: str
    help_text: str
    label_names: tuple[str, ...]
    buckets: tuple[float, ...] | None = None
    counts: dict[tuple[str, ...], float] = field(default_factory=dict)
    cells: dict[tuple[str, ...], HistogramCell] = field(default_factory=dict)

    def increment(self, labels: tuple[str, ...]) -> None:
        """Counts one event (counters); the caller holds the registry's lock."""
        self.counts[labels] = self.counts.get(labels, 0) + 1

    def observe(self, labels: tuple[str, ...], value: float) -> None:
        """Adds one observation (histograms); the caller holds the registry's lock."""
        cell = self.cells.get(labels)
        if cell is None:
            cell = self.cells[labels] = HistogramCell([0] * (len(self.buckets) + 1))
        cell.bucket_counts[bisect.bisect_left(self.buckets, value)] += 1
        cell.total += value

    def render(self) -> list[str]:
        """The family's HELP, TYPE and sample lines."""
        kind = "counter" if self.buckets is None else "histogram"
        lines = [f"# HELP {self.name} {self.help_text}", f"# TYPE {self.name} {kind}"]
        if self.buckets is None:
            for labels, count in sorted(self.counts.items()):
                lines.append(
                    f"{self.name}{format_labels(self.label_names, labels)} {format_number(count)}"
                )
            return lines
        names_with_bound = (*self.label_names, "le")
        for labels, cell in sorted(self.cells.items()):
            cumulative = 0
            for bound, count in zip((*self.buckets, math.inf), cell.bucket_counts, strict=True):
                cumulative += count
                bucket_labels = format_labels(names_with_bound, (*labels, format_number(bound)))
                lines.append(f"{self.name}_bucket{bucket_labels} {cumulative}")
            label_text = format_labels(self.label_names, labels)
            lines.append(f"{self.name}_sum{label_text} {format_number(cell.total)}")
            lines.append(f"{self.name}_count{label_text} {cumulative}")
        return lines


class RequestMetrics:
    """Request counts and latencies of one server, rendered in the Prometheus text format."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.tf_serving_count = MetricFamily(
            ":tensorflow:serving:request_count",
            "The total number of requests (TF Serving's metric).",
            ("model_name", "status"),
        )
        self.tf_serving_latency = MetricFamily(
            ":tensorflow:serving:request_latency",
            "Distribution of wall time (in microseconds) for successful requests "
            "(TF Serving's metric).",
            ("model_name", "API", "entrypoint"),
            TF_SERVING_LATENCY_BUCKETS_MICROS,
        )
        self.count = MetricFamily(
            "tfface_serving_request_count_total",
            "Requests by model, signature, API, entrypoint and status code.",
            ("model_name", "signature_name", "API", "entrypoint", "status"),
        )
        self.latency = MetricFamily(
            "tfface_serving_request_latency_seconds",
            "Wall time of requests by model, signature, API, entrypoint and status code.",
            ("model_name", "signature_name", "API", "entrypoint", "status"),
            LATENCY_BUCKETS_SECONDS,
        )

    def record(
        self,
        model_name: str,
        signature_name: str,
        api: str,
        entrypoint: str,
        status: str,
        seconds: float,
    ) -> None:
        """Counts one finished request and its wall time.

        Args:
            model_name: the served model (or UNKNOWN_LABEL).
            signature_name: the signature (or UNKNOWN_LABEL).
            api: "Predict", "Classify" or "Regress".
            entrypoint: GRPC_ENTRYPOINT or REST_ENTRYPOINT.
            status: the canonical status code name ("OK", "NOT_FOUND"...).
            seconds: wall time from the request's arrival to its answer.
        """
        labels = (model_name, signature_name, api, entrypoint, status)
        with self._lock:
            self.tf_serving_count.increment((model_name, status))
            if status == "OK":
                self.tf_serving_latency.observe((model_name, api, entrypoint), seconds * 1e6)
            self.count.increment(labels)
            self.latency.observe(labels, seconds)

    def render(self) -> str:
        """The exposition text of every family (text format 0.0.4)."""
        families = (self.tf_serving_count, self.tf_serving_latency, self.count, self.latency)
        with self._lock:
            lines = [line for family in families for line in family.render()]
        return "\n".join(lines) + "\n"


class ServedNames(Protocol):
    """What label checking needs of the ModelManager."""

    entries: Mapping[str, object]

    def signature_names(self, model_name: str) -> set[str]: ...


def bounded_labels(
    served: ServedNames, model_name: str, signature_name: str | None
) -> tuple[str, str]:
    """(model, signature) label values: the names as served, else UNKNOWN_LABEL.

    `signature_name` None means the request could not be read far enough to name one; an
    empty name is the default signature, as in TF Serving.
    """
    if model_name not in served.entries:
        return UNKNOWN_LABEL, UNKNOWN_LABEL
    if signature_name is None:
        return model_name, UNKNOWN_LABEL
    name = signature_name or DEFAULT_SIGNATURE
    return model_name, name if name in served.signature_names(model_name) else UNKNOWN_LABEL


class RequestObservation:
    """Times one request from its arrival and records it once its status is known.

    Args:
        metrics: where to record (None: monitoring is off, nothing is recorded).
        served: the ModelManager (to bound the label values).
        api: "Predict", "Classify"...
        entrypoint: GRPC_ENTRYPOINT or REST_ENTRYPOINT.
        model_name: the model the request names.
        signature_name: the signature it names (None until known, for REST bodies).
    """

    def __init__(
        self,
        metrics: RequestMetrics | None,
        served: ServedNames,
        api: str,
        entrypoint: str,
        model_name: str,
        signature_name: str | None = None,
    ) -> None:
        self.metrics = metrics
        self.served = served
        self.api = api
        self.entrypoint = entrypoint
        self.model_name = model_name
        self.signature_name = signature_name
        self.started = time.perf_counter()

    def finish(self, status: str) -> None:
        """Records the request with its canonical status code name."""
        if self.metrics is None:
            return
        seconds = time.perf_counter() - self.started
        model, signature = bounded_labels(self.served, self.model_name, self.signature_name)
        self.metrics.record(model, signature, self.api, self.entrypoint, status, seconds)
