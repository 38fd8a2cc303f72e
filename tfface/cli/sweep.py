"""`tfface sweep SYSTEM --presets A B ...`: train several configurations, one results table.

Only `multimodal` has a configuration search (Bergqvist 2020 ch. 4); the table lands beside
the thesis's numbers (`tfface/systems/multimodal/sweep.py`).
"""

from __future__ import annotations

import argparse

from tfface.config.overrides import add_override_argument
from tfface.training.strategy_names import STRATEGIES

SWEEPS = ("multimodal",)
"""Systems with a configuration sweep."""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sweep",
        help="train several configurations of a system and tabulate FID / diversity",
        description="Train each --presets configuration with `tfface train` into OUT/<name>/, "
        "score it on --eval-split (FID against the targets, FID of the untranslated input, "
        "perceptual diversity over random styles) and write OUT/table.md, .json and .csv "
        "beside the thesis's numbers. Configuration names follow Bergqvist 2020 Table 4.1 "
        "(ED-LS, ED-LS-LR-2, ED-LS-LR-IR-2, Mult-LS, ...; see `tfface train --help`).",
    )
    parser.add_argument("system", choices=SWEEPS, help="the system")
    parser.add_argument("--presets", nargs="+", required=True, metavar="NAME")
    parser.add_argument("--data", required=True, help="dataset folder of (source, NIR) pairs")
    parser.add_argument("--out", required=True, help="sweep folder (one run per configuration)")
    parser.add_argument("--tiny", action="store_true", help="tiny sizes (64 px, 300 steps)")
    add_override_argument(parser)
    parser.add_argument("--strategy", choices=STRATEGIES, default="default")
    parser.add_argument("--eval-split", default="test", help="held-out split (default test)")
    parser.add_argument("--eval-batches", type=int, default=100, help="held-out batches scored")
    parser.add_argument("--styles", type=int, default=10, help="styles per source (diversity)")
    parser.add_argument(
        "--fid-weights", default="imagenet", help="InceptionV3 weights: imagenet or a file"
    )
    parser.add_argument(
        "--lpips-weights",
        default=None,
        help="LPIPS linear heads (.npz); without them the diversity is the raw-VGG "
        "perceptual_unit distance, and the table says so",
    )
    parser.add_argument("--vgg-weights", default="imagenet", help="VGG16 weights of the diversity")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from tfface.systems.multimodal.sweep import SweepOptions, sweep

    path = sweep(
        args.presets,
        SweepOptions(
            data_dir=args.data,
            out=args.out,
            tiny=args.tiny,
            overrides=tuple(args.overrides),
            strategy=args.strategy,
            eval_split=args.eval_split,
            eval_batches=args.eval_batches,
            styles=args.styles,
            fid_weights=args.fid_weights,
            lpips_weights=args.lpips_weights,
            vgg_weights=args.vgg_weights,
        ),
    )
    print(path.read_text())
    return 0
