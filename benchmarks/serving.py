"""Serving latency and throughput: in-process SavedModel call vs gRPC vs REST round trips.

Issue "SavedModel export and TensorFlow Serving". For each model, batch 1, uint8 images:

* latency p50 / p99 of (a) the SavedModel signature called in this process
  (`loaded.signatures["serving_default"](image=...)` + `.numpy()`, what a Python TF consumer
  pays), (b) a gRPC Predict round trip to `tfface serve` (official stubs through
  `serving.client.GrpcClient`), (c) a REST :predict round trip (JSON, keep-alive). The three
  run round-robin in blocks so load from other processes hits them alike.
* throughput (requests/s over loopback gRPC) with 1 and with 4 concurrent client processes,
  against a server with batching (--max-batch-size 8) and, as the baseline for what
  batching adds, one without (--max-batch-size 1); the four conditions alternate over
  several rounds (medians reported, samples kept) because the machine is shared. Each
  client's rate is its completed requests over the time they took.
* the batching ceiling: in-process examples/s at batch 4 over batch 1. Batching cannot make
  4 clients faster than that ratio; a compute-bound model that keeps both cores busy at
  batch 1 (the paper preset: ~180 GFLOP of convolutions per example at ~178 GFLOP/s, where
  a large matmul peaks at ~220 on this machine) has a ceiling near 1.0x.

Models: a toy image-to-image model (two 3 x 3 convolutions, exported with
`tfface.signatures.image_to_image`) at 8 px (pure overhead: the model is ~0.1 ms) and at 256 px (the
size of the paper presets; a few ms of compute), and the mask-guided system's tiny and paper
exports.

Targets: gRPC p50 <= 1.15 x in-process p50; 4 clients >= 1.5 x the single-client
throughput. Results go to benchmarks/results/serving.json.

    python benchmarks/serving.py [--rounds 5] [--block 100] [--seconds 3] [--throughput-rounds 3]
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# This file is called serving.py: keep its folder off sys.path so `serving` is the package.
HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
ROOT = HERE.parent
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

TARGET_GRPC_OVER_IN_PROCESS = 1.15
TARGET_FOUR_OVER_ONE_CLIENT = 1.5
RESULTS = ROOT / "benchmarks" / "results" / "serving.json"
WARMUP_SECONDS = 20.0
LATENCY_SECONDS_PER_MODEL = 240.0
"""Budget of the latency rounds of one model (calls per block shrink for slow models)."""
MIN_BLOCK = 4


def significant(value: float, digits: int = 4) -> float:
    """`value` rounded to `digits` significant digits (paper-size rates are ~1 request/s)."""
    return float(f"{value:.{digits}g}")


def percentiles(samples: list[float]) -> dict[str, float]:
    values = np.asarray(samples) * 1000.0
    return {
        "p50_ms": round(float(np.percentile(values, 50)), 3),
        "p99_ms": round(float(np.percentile(values, 99)), 3),
    }


def toy_generator(size: int) -> Any:
    """uint8-free toy generator: (B, size, size, 3) in [-1, 1] -> the same shape, 2 convs."""
    import keras

    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((size, size, 3)),
            keras.layers.Conv2D(4, 3, padding="same", activation="relu"),
            keras.layers.Conv2D(3, 3, padding="same", activation="tanh"),
        ],
        name="generator",
    )


class ToyTranslator:
    """The benchmark's toy system: `call(image) -> image` over one tiny generator."""

    network_names = ("generator",)

    def __init__(self, size: int) -> None:
        self.image_size = size
        self.generator = toy_generator(size)

    def network(self, name: str) -> Any:
        return getattr(self, name)

    def __call__(self, image: Any, training: bool = False) -> Any:
        return self.generator(image, training=training)


def export_models(base: Path) -> dict[str, dict]:
    """Exports the benchmarked models into `base`; returns name -> {size, version_dir}."""
    from tfface.export.writer import export_system
    from tfface.signatures.image_to_image import image_to_image_signatures

    models: dict[str, dict] = {}
    for size in (8, 256):
        name = f"toy_{size}px"
        result = export_system(
            ToyTranslator(size),
            "toy",
            base,
            name,
            verify=False,
            export_signatures=image_to_image_signatures,
        )
        models[name] = {"system": "toy", "size": size, "version_dir": result.version_dir}
    from tfface.config import get_preset
    from tfface.systems import registry

    for preset in ("tiny", "paper"):
        system = registry.build("mask_guided", get_preset("mask_guided", preset))
        name = f"mask_guided_{preset}"
        result = export_system(system, "mask_guided", base, name, verify=False)
        models[name] = {
            "system": "mask_guided",
            "preset": preset,
            "version_dir": result.version_dir,
        }
    return models


def default_inputs(version_dir: Path) -> dict[str, np.ndarray]:
    """The warmup request of serving_default (a valid batch-of-one input)."""
    import tensorflow as tf

    from serving.warmup import read_warmup_file

    for log in read_warmup_file(version_dir / "assets.extra" / "tf_serving_warmup_requests"):
        request = log.predict_log.request
        if request.model_spec.signature_name == "serving_default":
            arrays = {name: tf.make_ndarray(proto) for name, proto in request.inputs.items()}
            rng = np.random.default_rng(0)
            return {
                name: rng.integers(0, 256, a.shape, dtype=np.uint8)
                if a.dtype == np.uint8 and a.ndim == 4
                else a
                for name, a in arrays.items()
            }
    raise ValueError(f"{version_dir}: no serving_default warmup request")


def start_server(config: Path, max_batch_size: int) -> tuple[subprocess.Popen, str, str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tfface",
            "serve",
            "--model-config",
            str(config),
            "--grpc-port",
            "0",
            "--rest-port",
            "0",
            "--poll-seconds",
            "0",
            "--max-batch-size",
            str(max_batch_size),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    for line in process.stdout:
        if line.startswith("tfface serve: ready"):
            fields = dict(part.split("=", 1) for part in line.split()[3:])
            return process, fields["grpc"], fields["rest"]
    raise RuntimeError("tfface serve exited before it was ready")


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(120)


def latency(
    name: str,
    signature,
    inputs: dict[str, np.ndarray],
    grpc_address: str,
    rest_address: str,
    rounds: int,
    block: int,
) -> dict:
    """p50 / p99 of `signature` (the restored serving_default) in process, over gRPC and REST."""
    from serving.client import GrpcClient, RestClient

    grpc_client, rest_client = GrpcClient(grpc_address), RestClient(rest_address)
    gc.freeze()  # as the server does: TF's objects out of the collector's way (JSON speed)

    def in_process() -> None:
        {key: value.numpy() for key, value in signature(**inputs).items()}

    calls = {
        "in_process": in_process,
        "grpc": lambda: grpc_client.predict(name, inputs),
        "rest": lambda: rest_client.predict(name, inputs),
    }
    samples: dict[str, list[float]] = {key: [] for key in calls}
    start = time.perf_counter()
    for call in calls.values():
        call()
    one_of_each = time.perf_counter() - start
    warmup = max(1, min(20, int(WARMUP_SECONDS / one_of_each)))
    for call in calls.values():
        for _ in range(warmup):
            call()
    # Slow models (the paper preset: ~1 s a call on 2 cores) get fewer calls per block.
    block = max(MIN_BLOCK, min(block, int(LATENCY_SECONDS_PER_MODEL / (rounds * one_of_each))))
    for _ in range(rounds):
        for key, call in calls.items():
            for _ in range(block):
                start = time.perf_counter()
                call()
                samples[key].append(time.perf_counter() - start)
    grpc_client.close()
    rest_client.close()
    result = {key: percentiles(values) for key, values in samples.items()}
    result["calls_per_method"] = rounds * block
    result["grpc_over_in_process_p50"] = round(
        result["grpc"]["p50_ms"] / result["in_process"]["p50_ms"], 3
    )
    result["rest_over_in_process_p50"] = round(
        result["rest"]["p50_ms"] / result["in_process"]["p50_ms"], 3
    )
    return result


def batching_ceiling(
    signature, one: dict[str, np.ndarray], batch: int = 4, rounds: int = 3
) -> dict:
    """In-process examples/s of serving_default at batch 1 and at `batch`, and their ratio.

    The ratio bounds what server-side batching can add to the throughput of `batch`
    concurrent clients on this machine: a batched run cannot beat the same run in process.
    A compute-bound model that already keeps every core busy at batch 1 has a ceiling near
    1.0x. Rounds alternate the two batch sizes; each call block lasts at least a second.
    `one` is a batch-of-one input of `signature` (the restored serving_default).
    """
    inputs = {1: one, batch: {name: np.concatenate([a] * batch) for name, a in one.items()}}
    for size in inputs:  # trace and warm both sizes
        signature(**inputs[size])
    samples: dict[int, list[float]] = {size: [] for size in inputs}
    for _ in range(rounds):
        for size, arrays in inputs.items():
            calls, start = 0, time.perf_counter()
            while (elapsed := time.perf_counter() - start) < 1.0 or calls < 2:
                {key: value.numpy() for key, value in signature(**arrays).items()}
                calls += 1
            samples[size].append(size * calls / elapsed)
    rates = {size: float(np.median(values)) for size, values in samples.items()}
    return {
        "examples_per_second": {f"batch_{size}": significant(rate) for size, rate in rates.items()},
        f"batch_{batch}_over_batch_1": round(rates[batch] / rates[1], 3),
    }


def client_worker(commands, results) -> None:
    """A persistent closed-loop gRPC client process.

    Each command is (address, model, version_dir, start_at, seconds); None ends it. With
    `start_at` None the client only warms up (5 requests) and answers None. Otherwise it
    runs requests back to back from wall-clock time `start_at` until `seconds` have passed
    and answers (requests completed, seconds from the start to the last completion).
    Dividing by the time the requests really took, not by `seconds`, matters for slow
    models: each client's last request ends after the deadline, and for the paper preset
    (~1 s a request, ~4 s for 4 clients) counting it against `seconds` alone reported 1.3-1.4
    requests/s for 4 clients where they completed 1.1.
    """
    from serving.client import GrpcClient

    clients: dict[str, GrpcClient] = {}
    inputs: dict[str, dict] = {}
    while (command := commands.get()) is not None:
        address, model, version_dir, start_at, seconds = command
        client = clients.setdefault(address, GrpcClient(address))
        request = inputs.setdefault(model, default_inputs(Path(version_dir)))
        if start_at is None:
            for _ in range(5):
                client.predict(model, request)
            results.put(None)
            continue
        time.sleep(max(0.0, start_at - time.time()))
        started = time.perf_counter()
        done, deadline = 0, started + seconds
        while time.perf_counter() < deadline or done == 0:
            client.predict(model, request)
            done += 1
        results.put((done, time.perf_counter() - started))
    for client in clients.values():
        client.close()


class ClientPool:
    """CLIENTS persistent client processes (TensorFlow is imported once per process)."""

    def __init__(self, size: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.results = context.Queue()
        self.commands = [context.Queue() for _ in range(size)]
        self.processes = [
            context.Process(target=client_worker, args=(queue, self.results))
            for queue in self.commands
        ]
        for process in self.processes:
            process.start()

    def requests_per_second(
        self, clients: int, address: str, model: str, version_dir: Path, seconds: float
    ) -> float:
        """Throughput of `clients` concurrent clients, all starting at the same moment.

        The clients warm up together first; the result is the sum of each client's
        completed requests over the time they took.
        """
        timeout = seconds + 900
        self._send(clients, (address, model, str(version_dir), None, seconds), timeout)  # warm up
        command = (address, model, str(version_dir), time.time() + 0.5, seconds)
        runs = self._send(clients, command, timeout)
        return sum(done / elapsed for done, elapsed in runs)

    def _send(self, clients: int, command: tuple, timeout: float) -> list:
        """Gives `command` to the first `clients` workers; their answers."""
        for queue in self.commands[:clients]:
            queue.put(command)
        return [self.results.get(timeout=timeout) for _ in range(clients)]

    def close(self) -> None:
        for queue in self.commands:
            queue.put(None)
        for process in self.processes:
            process.join(60)


def throughputs(
    pool: ClientPool, servers: dict[str, str], model: str, version_dir: Path, args
) -> dict[str, dict]:
    """Median requests/s of 1 and 4 clients per server, over interleaved rounds."""
    samples: dict[tuple[str, int], list[float]] = {}
    for _ in range(args.throughput_rounds):
        for label, address in servers.items():
            for clients in (1, 4):
                rate = pool.requests_per_second(clients, address, model, version_dir, args.seconds)
                samples.setdefault((label, clients), []).append(rate)
    return {
        f"throughput_{label}": {
            f"{clients}_clients_requests_per_second": significant(
                float(np.median(samples[(label, clients)]))
            )
            for clients in (1, 4)
        }
        | {
            "samples": {
                str(clients): [significant(rate) for rate in samples[(label, clients)]]
                for clients in (1, 4)
            }
        }
        for label in servers
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="round-robin rounds")
    parser.add_argument("--block", type=int, default=100, help="calls per method per round")
    parser.add_argument("--seconds", type=float, default=3.0, help="seconds per throughput run")
    parser.add_argument(
        "--throughput-rounds", type=int, default=3, help="interleaved throughput rounds"
    )
    args = parser.parse_args()
    import tensorflow as tf

    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        models = export_models(base)
        results: dict[str, dict] = {}
        batched, grpc_address, rest_address = start_server(base / "models.config", 8)
        unbatched, unbatched_address, _ = start_server(base / "models.config", 1)
        pool = ClientPool(4)
        try:
            for name, model in models.items():
                entry = results.setdefault(
                    name, {k: v for k, v in model.items() if k != "version_dir"}
                )
                loaded = tf.saved_model.load(str(model["version_dir"]))
                signature = loaded.signatures["serving_default"]
                inputs = default_inputs(model["version_dir"])
                print(f"{name}: latency", file=sys.stderr)
                entry["latency_batch_1"] = latency(
                    name, signature, inputs, grpc_address, rest_address, args.rounds, args.block
                )
                print(f"{name}: batching ceiling", file=sys.stderr)
                entry["in_process_batching_ceiling"] = batching_ceiling(signature, inputs)
                del signature, loaded
                print(f"{name}: throughput", file=sys.stderr)
                servers = {"batching": grpc_address, "no_batching": unbatched_address}
                # at least ~8 sequential calls per run for slow models
                call_seconds = entry["latency_batch_1"]["grpc"]["p50_ms"] / 1000.0
                model_args = argparse.Namespace(**vars(args))
                model_args.seconds = max(args.seconds, 8.0 * call_seconds)
                entry["throughput_seconds"] = round(model_args.seconds, 2)
                entry.update(throughputs(pool, servers, name, model["version_dir"], model_args))
        finally:
            pool.close()
            stop_server(batched)
            stop_server(unbatched)
        for entry in results.values():
            batched = entry["throughput_batching"]
            unbatched = entry["throughput_no_batching"]
            entry["four_over_one_client"] = round(
                batched["4_clients_requests_per_second"] / batched["1_clients_requests_per_second"],
                3,
            )
            entry["four_over_one_client_without_batching"] = round(
                unbatched["4_clients_requests_per_second"]
                / unbatched["1_clients_requests_per_second"],
                3,
            )
            entry["meets_grpc_target"] = (
                entry["latency_batch_1"]["grpc_over_in_process_p50"] <= TARGET_GRPC_OVER_IN_PROCESS
            )
            entry["meets_throughput_target"] = (
                entry["four_over_one_client"] >= TARGET_FOUR_OVER_ONE_CLIENT
            )
    report = {
        "benchmark": "serving",
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "load_average_at_end": list(os.getloadavg()),
        "targets": {
            "grpc_p50_over_in_process_p50": TARGET_GRPC_OVER_IN_PROCESS,
            "four_clients_over_one_client_throughput": TARGET_FOUR_OVER_ONE_CLIENT,
        },
        "protocol": {
            "rounds": args.rounds,
            "calls_per_round": args.block,
            "throughput_seconds": args.seconds,
            "throughput_rounds": args.throughput_rounds,
            "batch": 1,
        },
        "models": results,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
