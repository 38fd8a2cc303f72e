"""`tfface edit RUN_DIR ...`: portrait editing with a trained mask-guided run, on picture files.

    tfface edit RUN_DIR --image a.png --mask a_mask.png --edited-mask b_mask.png --out out.png
    tfface edit RUN_DIR --operation swap --image a.png --mask a_mask.png --edited-mask other.png --out out.png
    tfface edit RUN_DIR --operation transfer --image a.png --donor d.png --components skin hair --out out.png
    tfface edit RUN_DIR --operation synthesize --image a.png --mask a_mask.png --source s1.png s2.png --out out.png
    tfface edit RUN_DIR --operation parse --image a.png --out a_mask.png

Pictures are RGB files of any size (PNG, JPEG...); masks are single-channel PORTRAIT_11
label-map PNGs (pixel value = label 0..10). Files are read by `tfface.data.image_files` (a
missing, broken or truncated file is a one-line error, exit code 2) and brought to the run's
image size by the policy `tfface predict` uses too (`tfface.data.image_fitting`): centre crop
to a square and resize (masks with nearest neighbour), or with --align MTCNN face alignment
(each mask follows its picture: --mask and --edited-mask the --image, --donor-mask the
--donor, each --source-mask its --source). One line per file says what was done. The run's
config and latest checkpoint are loaded (EMA weights when the run has them). `synthesize`
writes the results side by side; `parse` writes a label map.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

from tfface.cli.size_policy_options import add_size_policy_arguments, size_policy
from tfface.data.image_files import read_label_map, read_rgb_image
from tfface.data.image_fitting import Fitted, SizePolicy
from tfface.data.labels import PORTRAIT_11

OPERATIONS = ("edit", "swap", "transfer", "parse", "synthesize")
COMPONENTS = ("left_eye", "right_eye", "mouth", "skin", "hair")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "edit",
        help="edit portraits with a trained mask-guided model (PNG in, PNG out)",
        description=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("run_dir", help="run directory written by `tfface train mask_guided`")
    parser.add_argument("--operation", choices=OPERATIONS, default="edit", help="what to do")
    parser.add_argument("--image", required=True, help="the face (RGB PNG); the target image")
    parser.add_argument("--mask", help="its label-map PNG (transfer: parsed when omitted)")
    parser.add_argument(
        "--edited-mask", help="edit: the edited label map; swap: another face's label map"
    )
    parser.add_argument("--donor", help="transfer: the face whose components are copied")
    parser.add_argument("--donor-mask", help="transfer: the donor's label map (else parsed)")
    parser.add_argument(
        "--components", nargs="+", choices=COMPONENTS, help="transfer: components from the donor"
    )
    parser.add_argument("--source", nargs="+", help="synthesize: source faces (RGB PNGs)")
    parser.add_argument(
        "--source-mask", nargs="+", help="synthesize: their label maps (else parsed)"
    )
    parser.add_argument("--out", required=True, help="output PNG")
    parser.add_argument("--checkpoint", help="checkpoint prefix (default: the latest of the run)")
    parser.add_argument(
        "--no-ema", action="store_true", help="use the raw weights even if the run has EMA weights"
    )
    add_size_policy_arguments(parser)
    parser.set_defaults(handler=run)


def write_image(path: str, image: np.ndarray) -> None:
    """float (H, W, 3) in [-1, 1] -> RGB PNG."""
    from PIL import Image

    pixels = np.clip(np.round((image + 1.0) * 127.5), 0, 255).astype(np.uint8)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path)


def write_label_map(path: str, labels: np.ndarray) -> None:
    """uint8 (H, W) labels -> single-channel PNG."""
    from PIL import Image

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(labels.astype(np.uint8), mode="L").save(path)


def _run_config_path(run_dir: str) -> Path:
    config_path = Path(run_dir) / "config.yaml"
    if not config_path.is_file():
        raise FileNotFoundError(f"{run_dir}: no config.yaml; is it a `tfface train` run directory?")
    return config_path


def _run_image_size(run_dir: str) -> int:
    """data.image_size of a run (read from its config.yaml without building anything)."""
    import yaml

    config = yaml.safe_load(_run_config_path(run_dir).read_text()) or {}
    return int((config.get("data") or {}).get("image_size", 256))


def load_trained_system(
    run_dir: str, checkpoint: str | None = None, use_ema: bool = True
) -> tuple[Any, Any]:
    """(system, config) of a training run: its config.yaml, networks from the checkpoint
    (the latest unless `checkpoint` is given) and, if `use_ema` and present, the EMA weights.
    """
    import tensorflow as tf
    import yaml

    from tfface.config import load_yaml
    from tfface.systems import registry

    config_path = _run_config_path(run_dir)
    system_name = (yaml.safe_load(config_path.read_text()) or {}).get("system", "")
    if system_name != "mask_guided":
        raise ValueError(
            f"{run_dir} is a {system_name or 'unknown'!r} run; `tfface edit` needs a mask_guided run"
        )
    spec = registry.get(system_name)
    config = load_yaml(str(config_path), spec.config_class)
    checkpoint = checkpoint or tf.train.latest_checkpoint(str(Path(run_dir) / "checkpoints"))
    if not checkpoint:
        raise FileNotFoundError(f"{run_dir}: no checkpoint in {Path(run_dir) / 'checkpoints'}")
    system = spec.build(config)
    system.enable_ema()
    system.checkpoint().restore(checkpoint).expect_partial()
    if use_ema and system.ema is not None:
        system.ema.apply_to()
    return system, config


def _require(args: argparse.Namespace, *names: str) -> None:
    missing = [_flag(name) for name in names if not getattr(args, name)]
    if missing:
        raise ValueError(f"--operation {args.operation} needs {', '.join(missing)}")


def _flag(name: str) -> str:
    return f"--{name.replace('_', '-')}"


class _InputReader:
    """Reads the operation's files and brings them to the run's size, printing what it did."""

    def __init__(self, image_size: int, policy: SizePolicy) -> None:
        self.size = (image_size, image_size)
        self.policy = policy

    def picture(self, path: str, flag: str) -> Fitted:
        fitted = self.policy.fit_picture(read_rgb_image(path, flag), self.size, path)
        print(fitted.description, file=sys.stderr)
        return fitted

    def label_map(self, path: str, flag: str, picture: Fitted | None) -> np.ndarray:
        labels = read_label_map(path, flag, num_classes=PORTRAIT_11.num_classes)
        fitted = self.policy.fit_map(labels, self.size, path, picture)
        print(fitted.description, file=sys.stderr)
        return fitted.array


def _as_unit(picture: Fitted | None) -> np.ndarray | None:
    """uint8 (H, W, 3) -> float32 (H, W, 3) in [-1, 1]."""
    return None if picture is None else picture.array.astype(np.float32) / 127.5 - 1.0


def _read_inputs(args: argparse.Namespace, image_size: int) -> dict[str, Any]:
    """Every input file of the operation, read, checked and fitted before the model is loaded."""
    _require(
        args,
        *{
            "edit": ("mask", "edited_mask"),
            "swap": ("mask", "edited_mask"),
            "transfer": ("donor", "components"),
            "synthesize": ("mask", "source"),
            "parse": (),
        }[args.operation],
    )
    if args.source_mask and len(args.source_mask) != len(args.source or ()):
        raise ValueError(
            f"{len(args.source or ())} --source images but {len(args.source_mask)} --source-mask"
        )
    reader = _InputReader(image_size, size_policy(args))
    image = reader.picture(args.image, "--image")
    donor = reader.picture(args.donor, "--donor") if args.donor else None
    inputs: dict[str, Any] = {"image": _as_unit(image), "donor": _as_unit(donor)}
    for name, picture in (("mask", image), ("edited_mask", image), ("donor_mask", donor)):
        path = getattr(args, name)
        inputs[name] = reader.label_map(path, _flag(name), picture) if path else None
    if args.operation == "synthesize":
        sources = [reader.picture(path, "--source") for path in args.source]
        inputs["sources"] = np.stack([_as_unit(source) for source in sources])
        inputs["source_masks"] = None
        if args.source_mask:
            inputs["source_masks"] = np.stack(
                [
                    reader.label_map(path, "--source-mask", source)
                    for path, source in zip(args.source_mask, sources, strict=True)
                ]
            )
    return inputs


def run(args: argparse.Namespace) -> int:
    inputs = _read_inputs(args, _run_image_size(args.run_dir))
    system, _ = load_trained_system(args.run_dir, args.checkpoint, use_ema=not args.no_ema)
    image = inputs["image"]
    if args.operation == "parse":
        write_label_map(args.out, system.parse(image)[0])
    elif args.operation in ("edit", "swap"):
        method = system.edit if args.operation == "edit" else system.swap_mask
        write_image(args.out, method(image, inputs["mask"], inputs["edited_mask"])[0])
    elif args.operation == "transfer":
        result = system.transfer_style(
            image,
            inputs["donor"],
            args.components,
            target_mask=inputs["mask"],
            donor_mask=inputs["donor_mask"],
        )
        write_image(args.out, result[0])
    else:  # synthesize
        faces = system.synthesize(inputs["mask"], image, inputs["sources"], inputs["source_masks"])
        write_image(args.out, np.concatenate(list(faces), axis=1))
    print(f"tfface edit: {args.operation} -> {args.out}", file=sys.stderr)
    return 0
