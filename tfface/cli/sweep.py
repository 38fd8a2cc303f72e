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


OPTIONS: tuple[tuple[str, dict], ...] = (
    ("--data", {"dest": "data_dir", "required": True, "help": "dataset of (source, NIR) pairs"}),
    ("--out", {"required": True, "help": "sweep folder (one run per configuration)"}),
    ("--tiny", {"action": "store_true", "help": "tiny sizes (64 px, 300 steps)"}),
    ("--strategy", {"choices": STRATEGIES, "default": "default"}),
    ("--eval-split", {"default": "test", "help": "held-out split (default test)"}),
    ("--eval-batches", {"type": int, "default": 100, "help": "held-out batches scored"}),
    ("--styles", {"type": int, "default": 10, "help": "styles per source (diversity)"}),
    ("--fid-weights", {"default": "imagenet", "help": "InceptionV3 weights: imagenet or a file"}),
    ("--fid-image-size", {"type": int, "default": 299, "help": "InceptionV3 input side"}),
    (
        "--lpips-weights",
        {
            "default": None,
            "help": "LPIPS linear heads (.npz); without them the diversity is the raw-VGG "
            "perceptual_unit distance, and the table says so",
        },
    ),
    ("--vgg-weights", {"default": "imagenet", "help": "VGG16 weights of the diversity"}),
    (
        "--preservation",
        {
            "action": "store_true",
            "help": "also score gaze preservation against the exact landmarks of SynthFaces "
            "pairs (`--pair-domains mask_texture nir`)",
        },
    ),
    (
        "--landmark-model",
        {
            "default": None,
            "help": "a face_reconstruction export whose landmarks score pose preservation "
            "(NME of the translations and, as its floor, of the real targets); implies "
            "--preservation",
        },
    ),
)
"""The options besides SYSTEM, --presets and --set: each is a `SweepOptions` field."""


SUMMARY = "train several configurations of a system and tabulate FID / diversity"
DESCRIPTION = (
    "Train each --presets configuration with `tfface train` into OUT/<name>/, score it on "
    "--eval-split (FID against the targets, FID of the untranslated input, perceptual "
    "diversity over random styles) and write OUT/table.md, .json and .csv beside the "
    "thesis's numbers. Configuration names follow Bergqvist 2020 Table 4.1 (ED-LS, "
    "ED-LS-LR-2, ED-LS-LR-IR-2, Mult-LS, ...; see `tfface train --help`)."
)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("sweep", help=SUMMARY, description=DESCRIPTION)
    parser.add_argument("system", choices=SWEEPS, help="the system")
    parser.add_argument("--presets", nargs="+", required=True, metavar="NAME")
    add_override_argument(parser)
    for flag, settings in OPTIONS:
        parser.add_argument(flag, **settings)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import dataclasses

    from tfface.systems.multimodal.sweep import SweepOptions, sweep

    fields = {field.name for field in dataclasses.fields(SweepOptions)}
    options = {name: value for name, value in vars(args).items() if name in fields}
    path = sweep(args.presets, SweepOptions(**{**options, "overrides": tuple(args.overrides)}))
    print(path.read_text())
    return 0
