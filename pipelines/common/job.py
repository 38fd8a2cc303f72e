"""Command-line options and the run loop shared by every Beam job.

Each job parses its own arguments plus these common ones; every argument it
does not know is handed to Beam's `PipelineOptions`, so `--runner
DataflowRunner --project ... --region ... --temp_location gs://...`,
`--runner FlinkRunner --flink_master ...`, `--runner SparkRunner`,
`--direct_num_workers 2 --direct_running_mode multi_processing` all pass through.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from pipelines.common.processing import SourceDoFn
from pipelines.common.sink import WriteDataset
from tfface.data.splits import DEFAULT_FRACTIONS, parse_fractions


def run_as_script(module_name: str) -> None:
    """Entry point of `python -m pipelines.<job>`: runs the job from its importable module.

    Under `python -m` the job file runs as `__main__`, so its classes (DoFns, input items)
    would be pickled as `__main__.<Class>`, which Beam's worker processes
    (`--direct_running_mode=multi_processing`, Dataflow, Flink, Spark) cannot resolve.
    Importing the module by name gives them an importable address.
    """
    importlib.import_module(module_name).main()


def job_parser(source: str, description: str) -> argparse.ArgumentParser:
    """A parser with the options every job takes."""
    parser = argparse.ArgumentParser(
        prog=f"tfface data build {source}",
        description=description,
        epilog="Every option this job does not know is a Beam pipeline option, passed to Beam's "
        "PipelineOptions: --runner DataflowRunner|FlinkRunner|SparkRunner, "
        "--direct_num_workers N --direct_running_mode multi_processing, --project, --region, "
        "--temp_location, ... (https://beam.apache.org/documentation/runners/).",
    )
    parser.add_argument(
        "--output", required=True, help="output folder (local path or a Beam filesystem URL)"
    )
    parser.add_argument(
        "--shards", type=int, default=4, help="TFRecord shards for the train split (others: 1)"
    )
    parser.add_argument(
        "--splits",
        default=",".join(f"{name}={value}" for name, value in DEFAULT_FRACTIONS.items()),
        help="split fractions, e.g. train=0.9,validation=0.05,test=0.05",
    )
    parser.add_argument(
        "--split-salt", default="tfface", help="salt of the hash-based split assignment"
    )
    parser.add_argument(
        "--image-format", choices=("png", "jpeg"), default="png", help="encoding of image features"
    )
    parser.add_argument(
        "--jpeg-quality", type=int, default=95, help="JPEG quality (with --image-format jpeg)"
    )
    return parser


def parse_job_arguments(
    parser: argparse.ArgumentParser, argv: Sequence[str] | None
) -> tuple[argparse.Namespace, PipelineOptions]:
    """Splits argv into the job's arguments and Beam pipeline options."""
    arguments, beam_arguments = parser.parse_known_args(
        list(sys.argv[1:] if argv is None else argv)
    )
    arguments.fractions = parse_fractions(arguments.splits)
    if arguments.shards < 1:
        parser.error(f"--shards must be >= 1, got {arguments.shards}")
    options = PipelineOptions(beam_arguments)
    return arguments, options


def run_job(
    source: str,
    items: list[Any],
    dofn: SourceDoFn,
    arguments: argparse.Namespace,
    options: PipelineOptions,
    extra_info: dict[str, Any] | None = None,
    side_inputs: Callable[[beam.PCollection], Sequence[Any]] | None = None,
) -> dict[str, Any]:
    """Builds and runs Create(items) -> dofn -> WriteDataset; returns dataset_info (local outputs).

    `side_inputs`, if given, receives the PCollection of input items and returns
    side-input views (`beam.pvalue.AsDict(...)`, ...) computed from them in the
    pipeline (statistics over many items, e.g. per-folder outlier limits); they
    are passed to `dofn.process(item, *views)`.
    """
    shards = {"train": arguments.shards, "validation": 1, "test": 1}
    info = {
        "job_arguments": {
            key: value for key, value in vars(arguments).items() if key != "fractions"
        },
        **(extra_info or {}),
    }
    info["job_arguments"]["fractions"] = arguments.fractions
    started = time.monotonic()
    print(
        f"tfface data build {source}: {len(items)} input items -> {arguments.output}",
        file=sys.stderr,
    )
    with beam.Pipeline(options=options) as pipeline:
        inputs = pipeline | "Inputs" >> beam.Create(items, reshuffle=True)
        views = tuple(side_inputs(inputs)) if side_inputs is not None else ()
        (
            inputs
            | "Convert" >> beam.ParDo(dofn, *views)
            | "Write" >> WriteDataset(arguments.output, source, shards, info)
        )
    elapsed = time.monotonic() - started
    info_path = Path(arguments.output) / "dataset_info.json"
    if not info_path.exists():  # remote filesystem: nothing more to report locally
        return {}
    result = json.loads(info_path.read_text())
    rate = result["inputs"] / elapsed if elapsed > 0 else 0.0
    print(
        f"tfface data build {source}: {result['accepted']} examples {result['counts']}, "
        f"{result['rejected']} rejected {result['rejects_by_reason']} in {elapsed:.1f}s ({rate:.1f} inputs/s)",
        file=sys.stderr,
    )
    return result
