"""Command-line arguments that describe a SynthFaces dataset (shared by `tfface synth` and the Beam job)."""

from __future__ import annotations

import argparse

from tfface.config import SynthConfig, apply_overrides, get_preset, load_yaml
from tfface.config.common import DOMAINS, EXPRESSIONS, OCCLUDERS
from tfface.config.overrides import add_override_argument


def add_synth_arguments(parser: argparse.ArgumentParser) -> None:
    """Adds --identities, --size, --yaws, ... --shared-scene, --preset, --config and --set."""
    parser.add_argument("--identities", type=int, help="number of identities")
    parser.add_argument("--size", type=int, help="image side in pixels")
    parser.add_argument("--uv-size", type=int, help="UV texture side in texels")
    parser.add_argument("--seed", type=int, help="dataset seed")
    parser.add_argument("--first-identity", type=int, help="index of the first identity")
    parser.add_argument("--yaws", type=float, nargs="+", help="yaws in degrees, [-90, 90]")
    parser.add_argument("--pitches", type=float, nargs="+", help="pitches in degrees, [-60, 60]")
    parser.add_argument("--rolls", type=float, nargs="+", help="rolls in degrees, [-90, 90]")
    parser.add_argument(
        "--domains", nargs="+", metavar="DOMAIN", help=f"any of: {', '.join(DOMAINS)}"
    )
    parser.add_argument(
        "--occluders", nargs="*", metavar="OCCLUDER", help=f"any of: {', '.join(OCCLUDERS)}"
    )
    parser.add_argument(
        "--expressions", nargs="+", metavar="EXPRESSION", help=f"any of: {', '.join(EXPRESSIONS)}"
    )
    parser.add_argument(
        "--shared-scene",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="one lighting and background for all poses of an identity, expression and domain "
        "(like a multi-camera capture; recommended with --pair-with-frontal); "
        "--no-shared-scene draws them anew for every pose (the presets' default). "
        "Sets the config key scene_per_pose",
    )
    parser.add_argument(
        "--preset", default="default", help="synthfaces preset to start from (default, demo, tiny)"
    )
    parser.add_argument("--config", help="YAML file with SynthConfig keys (instead of a preset)")
    add_override_argument(parser)


def synth_config_from_arguments(args: argparse.Namespace) -> SynthConfig:
    """Preset or YAML file, then the explicit flags, then --set overrides."""
    config = (
        load_yaml(args.config, SynthConfig)
        if args.config
        else get_preset("synthfaces", args.preset)
    )
    flags = {
        "identities": args.identities,
        "image_size": args.size,
        "uv_size": args.uv_size,
        "seed": args.seed,
        "first_identity": args.first_identity,
        "yaws": args.yaws,
        "pitches": args.pitches,
        "rolls": args.rolls,
        "domains": args.domains,
        "occluders": args.occluders,
        "expressions": args.expressions,
        "scene_per_pose": None if args.shared_scene is None else not args.shared_scene,
    }
    overrides = []
    for key, value in flags.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, list):
            value = "[" + ", ".join(str(item) for item in value) + "]"
        overrides.append(f"{key}={value}")
    return apply_overrides(config, overrides + list(args.overrides))
