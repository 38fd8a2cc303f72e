"""`tfface train SYSTEM --preset P --data DIR --out RUN_DIR [--set k=v] [--strategy ...]
[--cpu-replicas N] [--resume]`."""

from __future__ import annotations

import argparse

from tfface.config.overrides import add_override_argument
from tfface.systems.catalog import SYSTEMS, describe_systems
from tfface.training.strategy_names import STRATEGIES


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train a system under a tf.distribute strategy",
        description="Train SYSTEM from a preset (or --config FILE.yaml) plus --set overrides; "
        "writes config.yaml, run.json, checkpoints/ and logs/ (TensorBoard) under --out.",
        epilog="systems and their presets:\n" + describe_systems(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "system", metavar="SYSTEM", help=f"system name: {', '.join(SYSTEMS)} (listed below)"
    )
    parser.add_argument(
        "--preset",
        default="tiny",
        help="config preset (each system's presets are listed below; default tiny)",
    )
    parser.add_argument("--config", help="YAML config file instead of a preset")
    parser.add_argument("--data", default="", help="dataset folder built by `tfface data build`")
    parser.add_argument("--out", required=True, help="run directory (config, checkpoints, logs)")
    add_override_argument(parser)
    parser.add_argument(
        "--strategy", choices=STRATEGIES, default="default", help="distribution strategy"
    )
    parser.add_argument(
        "--cpu-replicas",
        type=int,
        default=0,
        metavar="N",
        help="with --strategy mirrored on a machine without GPUs: split the CPU into N "
        "logical devices, one replica each (try distribution without GPUs)",
    )
    parser.add_argument(
        "--resume", action="store_true", help="continue from the latest checkpoint in --out"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from tfface.runs.train import TrainRequest, train

    summary = train(
        TrainRequest(
            system=args.system,
            run_dir=args.out,
            data_dir=args.data,
            preset=args.preset,
            config_file=args.config,
            overrides=tuple(args.overrides),
            strategy=args.strategy,
            cpu_replicas=args.cpu_replicas,
            resume=args.resume,
        )
    )
    print(f"{args.out}: {summary['steps']} steps, checkpoint {summary['latest_checkpoint']}")
    return 0
