"""`tfface demo`: what tfface can do, on SynthFaces, written to ./tfface-demo/.

1. SynthFaces contact sheets: poses, domains and expressions, occluders with their
   masks, and the ground truth (label maps, landmarks, UV coordinates, visibility, UV
   texture).
2. Mask-guided portrait editing (`demo_editing`): a SynthFaces dataset built with the
   Beam job, the tiny model trained on it for a few minutes, and editing sheets of unseen
   faces (mask edits, another face's mask, style transfer, synthesis). `--sheets-only`
   skips it; a second run reuses the dataset and the trained model.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from tfface.cli.demo_editing import DEMO_TRAIN_STEPS, EditingDemoOptions, run_editing_demo
from tfface.cli.progress import Progress
from tfface.config.common import DOMAINS, EXPRESSIONS, OCCLUDERS
from tfface.data.labels import CELEBAMASK_HQ_19, PORTRAIT_11, colorize
from tfface.visualize import save_contact_sheet

DEMO_YAWS = (-90.0, -60.0, -30.0, 0.0, 30.0, 60.0, 90.0)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo", help="run the demo on SynthFaces (writes ./tfface-demo/)"
    )
    parser.add_argument(
        "--out", default="tfface-demo", help="output folder (default: ./tfface-demo)"
    )
    parser.add_argument("--size", type=int, default=128, help="image side in pixels (default 128)")
    parser.add_argument(
        "--identities", type=int, default=4, help="identities per sheet (default 4)"
    )
    parser.add_argument("--seed", type=int, default=0, help="SynthFaces seed")
    parser.add_argument(
        "--sheets-only", action="store_true", help="only the SynthFaces sheets (no training)"
    )
    parser.add_argument(
        "--train-identities",
        type=int,
        default=100,
        help="identities of the demo's training set (x 2 yaws x 3 expressions; default 100)",
    )
    parser.add_argument(
        "--train-steps",
        type=int,
        default=DEMO_TRAIN_STEPS,
        help=f"training steps of the tiny mask_guided model, parser pre-training included "
        f"(default {DEMO_TRAIN_STEPS})",
    )
    parser.set_defaults(handler=run)


def draw_landmarks(image: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """Copy of `image` (RGB) with each landmark as a 3x3 green dot."""
    canvas = image.copy()
    height, width = canvas.shape[:2]
    for x, y, _ in landmarks:
        column, row = int(round(x)), int(round(y))
        canvas[
            max(row - 1, 0) : min(row + 2, height), max(column - 1, 0) : min(column + 2, width)
        ] = (40, 255, 40)
    return canvas


def uv_picture(sample: dict) -> np.ndarray:
    """UV coordinates as colours: red = u, green = v, black where not visible."""
    uv = sample["uv_coords"]
    picture = np.concatenate([uv, np.zeros(uv.shape[:2] + (1,), dtype=np.float32)], axis=-1)
    return np.round(picture * sample["visibility"][..., None] * 255).astype(np.uint8)


def run(args: argparse.Namespace) -> int:
    if args.train_identities < 1 or args.train_steps < 1:
        raise ValueError("--train-identities and --train-steps must be positive")
    output = Path(args.out)
    from tfface.synth import SynthFaces  # SciPy: only when rendering

    generator = SynthFaces(seed=args.seed, image_size=args.size, uv_size=max(args.size, 128))
    identities = list(range(args.identities))
    occluded_identities, truth_identities = identities[:2], identities[:3]
    total = len(identities) * (len(DEMO_YAWS) + len(DOMAINS) + len(EXPRESSIONS))
    total += len(occluded_identities) * len(OCCLUDERS) + len(truth_identities) * 3
    progress = Progress(total, "samples")
    sheets = {}

    rows = []
    for identity in identities:
        rows.append([generator.sample(identity, yaw=yaw)["image"] for yaw in DEMO_YAWS])
        progress.update(len(DEMO_YAWS))
    sheets["poses"] = (
        rows,
        [f"id {i}" for i in identities],
        [f"yaw {yaw:+.0f}" for yaw in DEMO_YAWS],
    )

    rows = []
    for identity in identities:
        row = [generator.sample(identity, yaw=25.0, domain=domain)["image"] for domain in DOMAINS]
        row += [
            generator.sample(identity, yaw=-15.0, expression=expression)["image"]
            for expression in EXPRESSIONS
        ]
        rows.append(row)
        progress.update(len(DOMAINS) + len(EXPRESSIONS))
    sheets["domains_expressions"] = (
        rows,
        [f"id {i}" for i in identities],
        list(DOMAINS) + list(EXPRESSIONS),
    )

    rows, labels = [], []
    for identity in occluded_identities:
        samples = [
            generator.sample(identity, yaw=-20.0, occluder=occluder) for occluder in OCCLUDERS
        ]
        rows.append([sample["image"] for sample in samples])
        rows.append([sample["occlusion_mask"] for sample in samples])
        labels += [f"id {identity}", "mask"]
        progress.update(len(OCCLUDERS))
    sheets["occluders"] = (rows, labels, list(OCCLUDERS))

    rows, labels = [], []
    for identity in truth_identities:
        for yaw in (0.0, 45.0, 80.0):
            sample = generator.sample(identity, yaw=yaw)
            rows.append(
                [
                    sample["image"],
                    colorize(sample["label_map_19"], CELEBAMASK_HQ_19),
                    colorize(sample["label_map_11"], PORTRAIT_11),
                    draw_landmarks(sample["image"], sample["landmarks"]),
                    uv_picture(sample),
                    sample["visibility"],
                    sample["face_mask"],
                    sample["uv_texture"],
                ]
            )
            labels.append(f"id {identity} yaw {yaw:+.0f}")
        progress.update(3)
    columns = [
        "image",
        "labels 19",
        "labels 11",
        "landmarks",
        "uv coords",
        "visibility",
        "face mask",
        "uv texture",
    ]
    sheets["ground_truth"] = (rows, labels, columns)

    written = []
    for name, (rows, row_labels, column_labels) in sheets.items():
        path = save_contact_sheet(
            output / f"synthfaces_{name}.png",
            rows,
            row_labels=row_labels,
            column_labels=column_labels,
            cell_size=args.size,
        )
        written.append(path)
    print("tfface demo: SynthFaces contact sheets written to", output.resolve())
    for path in written:
        print("  ", path)
    if args.sheets_only:
        return 0
    sheets = run_editing_demo(
        EditingDemoOptions(
            out=output,
            identities=args.train_identities,
            train_steps=args.train_steps,
            seed=args.seed,
        )
    )
    print("tfface demo: mask-guided editing sheets written to", output.resolve())
    for path in sheets:
        print("  ", path)
    return 0
