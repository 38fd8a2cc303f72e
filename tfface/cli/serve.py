"""`tfface serve (--model-config FILE | --model-base DIR --model-name NAME)`: gRPC + REST."""

from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve exports over gRPC and REST (TF Serving protocol)",
        description="A TensorFlow Serving-compatible server: gRPC PredictionService / "
        "ModelService and the REST API, server-side batching, new versions picked up "
        "without restart, warmup on load, graceful stop on SIGTERM.",
    )
    source = parser.add_argument_group("models (one of)")
    source.add_argument("--model-config", help="models.config (text ModelServerConfig)")
    source.add_argument("--model-base", help="export --base folder, or the model folder itself")
    source.add_argument("--model-name", help="model name (with --model-base)")
    parser.add_argument("--host", default="127.0.0.1", help="interface (0.0.0.0: all)")
    parser.add_argument("--grpc-port", type=int, default=8500, help="gRPC port (0: any free)")
    parser.add_argument(
        "--rest-port", type=int, default=8501, help="REST port (0: any free, -1: no REST)"
    )
    parser.add_argument(
        "--max-batch-size", type=int, default=8, help="examples per batched run (1: no batching)"
    )
    parser.add_argument(
        "--batch-timeout-micros",
        type=int,
        default=2000,
        help="longest wait for more requests while others are arriving",
    )
    parser.add_argument(
        "--num-batch-threads",
        type=int,
        default=1,
        help="batches of one signature that may run at once (default 1: on CPU every run "
        "already uses all cores, and requests that arrive meanwhile join the next batch)",
    )
    parser.add_argument(
        "--max-message-bytes",
        type=int,
        default=64 * 1024 * 1024,
        help="largest request accepted (gRPC message / REST body)",
    )
    parser.add_argument(
        "--poll-seconds", type=float, default=2.0, help="check for new versions (0: never)"
    )
    parser.add_argument(
        "--allow-empty",
        action="store_true",
        help="start even if a model has no servable version yet and wait for one (a pusher "
        "writing BASE/NAME/N/); without it such a start is an error",
    )
    parser.add_argument(
        "--no-monitoring",
        dest="monitoring",
        action="store_false",
        help="do not serve request metrics (Prometheus text format) at "
        "/monitoring/prometheus/metrics on the REST port",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    # Tests only: every model run sleeps this long (to test graceful shutdown mid-request).
    parser.add_argument("--simulate-latency-ms", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from serving.batching import BatchingOptions
    from serving.server import ServerOptions, configure_logging, entries_from_arguments, run_server

    configure_logging(args.verbose)
    entries = entries_from_arguments(args.model_config, args.model_base, args.model_name)
    options = ServerOptions(
        host=args.host,
        grpc_port=args.grpc_port,
        rest_port=args.rest_port,
        max_message_bytes=args.max_message_bytes,
        batching=BatchingOptions(
            args.max_batch_size, args.batch_timeout_micros, args.num_batch_threads
        ),
        poll_seconds=args.poll_seconds,
        simulate_latency_ms=args.simulate_latency_ms,
        allow_empty=args.allow_empty,
        monitoring=args.monitoring,
    )
    return run_server(entries, options)
