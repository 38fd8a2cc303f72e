"""`tfface predict --server HOST:PORT --model NAME --input a.png [--mask m.png] --output out.png`.

Calls a served model (TF Serving or `tfface serve`, gRPC by default, REST with --rest).

Inputs (`tfface.cli.prediction_inputs`): the signature's metadata says which input takes the
picture: a uint8 image input or an encoded-image string input (`*_bytes`); `--mask` feeds the
uint8 label-map input, or the hole-mask input (B, H, W, 1) of inpainting exports (a grayscale
picture, > 127 = hole). Signatures with several image or label-map inputs name them:
`--input source_image=b.png`, `--mask label_map=a_mask.png --mask edited_label_map=edited.png`
(mask-guided edit). `--target-yaw DEGREES` feeds a float `target_yaw` input (B,)
(warp_rotation's `rotate_to_yaw`, chosen automatically when the default signature has no such
input) and `--target-pitch DEGREES` a `target_pitch` input (pose_editing's `rotate_to_angles`
takes both; the one not given is 0). `--input-array NAME=FILE.npy` feeds any other input.

Size (the same policy as `tfface edit`, `tfface.data.image_fitting`): a picture of another
size is centre-cropped to a square and resized to the signature's size (masks with nearest
neighbour), or with `--align` face-aligned with MTCNN like the `wild_faces` Beam job (masks
follow their picture). One line per file says what was done.

Outputs (`tfface.cli.prediction_files`): every output lands in a file named after
`--output BASE.png`: the one picture output (image or label map) is BASE.png, the others
BASE_<output>.png / .npy; label maps also get a colour rendering BASE[_<output>]_color.png,
float maps (probabilities, hole masks) a PNG and the exact .npy; BASE.json summarises the
call (inputs and their preprocessing, each output's dtype, shape and files). stdout gets one
short line per output.
"""

from __future__ import annotations

import argparse
import sys

from tfface.cli.size_policy_options import add_size_policy_arguments, size_policy

OUTPUT_HELP = (
    "BASE.png: the picture output is written there, every other output beside it as "
    "BASE_<output>.png/.npy (label maps also BASE_color.png), and a summary BASE.json "
    "(default prediction.png)"
)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "predict",
        help="call a served model with images",
        description=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--server", required=True, help="HOST:PORT (gRPC, or REST with --rest)")
    parser.add_argument("--model", required=True, help="model name")
    parser.add_argument(
        "--signature", help="signature name (default: serving_default; see --target-yaw)"
    )
    parser.add_argument("--version", type=int, help="model version (default: latest)")
    parser.add_argument(
        "--input",
        action="append",
        default=[],
        metavar="[NAME=]FILE",
        help="input picture (PNG, JPEG...); NAME= picks the input when there are several",
    )
    parser.add_argument(
        "--mask",
        action="append",
        default=[],
        metavar="[NAME=]FILE",
        help="label map PNG (one class index per pixel) or hole mask PNG (white = hole); "
        "NAME= as for --input",
    )
    parser.add_argument(
        "--input-array",
        action="append",
        default=[],
        metavar="NAME=FILE.npy",
        help="any other input from a .npy file (e.g. latent codes)",
    )
    parser.add_argument(
        "--target-yaw",
        type=float,
        metavar="DEGREES",
        help="target yaw of rotation models (input 'target_yaw'; picks the signature that "
        "takes it when --signature is not given)",
    )
    parser.add_argument(
        "--target-pitch",
        type=float,
        metavar="DEGREES",
        help="target pitch of pose models (input 'target_pitch'; 0 when only --target-yaw is "
        "given; picks the signature that takes it like --target-yaw)",
    )
    add_size_policy_arguments(parser)
    parser.add_argument("--rest", action="store_true", help="use the REST API instead of gRPC")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per call")
    parser.add_argument("--output", default="prediction.png", help=OUTPUT_HELP)
    parser.set_defaults(handler=run)


def choose_signature(args: argparse.Namespace, signatures: dict) -> str:
    """--signature if given; else serving_default, or with --target-yaw / --target-pitch and
    serving_default lacking those inputs, the one signature that takes them (of several, the
    one with the fewest inputs: `rotate_to_angles` rather than the variant that also needs
    landmarks)."""
    from tfface.cli.prediction_inputs import TARGET_YAW

    if args.signature is not None:
        return args.signature
    name = "serving_default"
    angles = [
        input_name
        for input_name, option in ((TARGET_YAW, "target_yaw"), ("target_pitch", "target_pitch"))
        if getattr(args, option, None) is not None
    ]
    if not angles:
        return name
    if name in signatures and all(angle in signatures[name].inputs for angle in angles):
        return name
    takers = [
        key
        for key, info in signatures.items()
        if all(angle in info.inputs for angle in angles)
        and not key.endswith("_bytes")  # not the encoded sibling
    ]
    fewest = min((len(signatures[key].inputs) for key in takers), default=0)
    takers = sorted(key for key in takers if len(signatures[key].inputs) == fewest)
    if len(takers) == 1:
        given = " / ".join(f"--{angle.replace('_', '-')}" for angle in angles)
        print(f"{given}: using signature {takers[0]!r}", file=sys.stderr)
        return takers[0]
    return name


def _short(files: list[str]) -> str:
    return (
        ", ".join(files) if len(files) <= 4 else f"{files[0]} ... {files[-1]} ({len(files)} files)"
    )


def run(args: argparse.Namespace) -> int:
    from serving.client import ServingClientError, connect
    from tfface.cli.prediction_files import output_base, write_outputs, write_summary
    from tfface.cli.prediction_inputs import build_inputs

    base = output_base(args.output)
    policy = size_policy(args)
    client = connect(args.server, rest=args.rest, timeout=args.timeout)
    try:
        signatures = client.signatures(args.model, args.version)
        args.signature = choose_signature(args, signatures)
        if args.signature not in signatures:
            raise ValueError(
                f"model {args.model!r} has no signature {args.signature!r}; it has "
                f"{', '.join(sorted(signatures))}"
            )
        prepared = build_inputs(args, signatures[args.signature], policy)
        for note in prepared.notes.values():
            if note["file"]:
                print(note["preprocessing"], file=sys.stderr)
        outputs = client.predict(args.model, prepared.arrays, args.signature, args.version)
    except ServingClientError as error:
        print(f"tfface predict: {error.code.name}: {error.message}", file=sys.stderr)
        return 1
    finally:
        client.close()
    records = write_outputs(outputs, base)
    summary = {
        "server": args.server,
        "protocol": "rest" if args.rest else "grpc",
        "model": args.model,
        "version": args.version,
        "signature": args.signature,
        "size_policy": (
            f"MTCNN face alignment (zoom {args.align_zoom})"
            if args.align
            else "centre crop to the model's aspect ratio, then resize (masks: nearest)"
        ),
        "inputs": {
            name: {
                **note,
                "dtype": str(prepared.arrays[name].dtype),
                "shape": list(prepared.arrays[name].shape),
            }
            for name, note in prepared.notes.items()
        },
        "outputs": records,
    }
    for name, record in records.items():
        print(
            f"{name}: {record['kind']} {record['dtype']} {tuple(record['shape'])} -> "
            f"{_short(record['files'])}"
        )
    print(f"summary: {write_summary(base, summary)}")
    return 0
