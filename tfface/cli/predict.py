"""`tfface predict --server HOST:PORT --model NAME --input a.png [--mask m.png] --output out.png`.

Calls a served model (TF Serving or `tfface serve`, gRPC by default, REST with --rest).
The signature's metadata says which input takes the picture: a uint8 image input (resized
to the signature's size if it has one) or an encoded-image string input (`*_bytes`, sent
as the file's bytes); `--mask` feeds the uint8 label-map input, or the hole-mask input
(B, H, W, 1) of inpainting exports (a grayscale PNG, > 127 = hole, sent as 0 / 255, or 0 / 1
for a float input). Signatures with several
image or label-map inputs name them: `--input source_image=b.png`, `--mask
label_map=a_mask.png --mask edited_label_map=edited.png` (mask-guided edit). `--target-yaw
DEGREES` feeds a float `target_yaw` input (B,) (warp_rotation's `rotate_to_yaw`, chosen
automatically when the default signature has no such input). Every uint8 image output is
written as PNG (out.png, or out_<output>.png with several, _<n> per example); other
outputs are printed as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("predict", help="call a served model with images")
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
    parser.add_argument("--rest", action="store_true", help="use the REST API instead of gRPC")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per call")
    parser.add_argument("--output", default="prediction.png", help="where image outputs go")
    parser.set_defaults(handler=run)


TARGET_YAW = "target_yaw"


def choose_signature(args: argparse.Namespace, signatures: dict) -> str:
    """--signature if given; else serving_default, or with --target-yaw and serving_default
    lacking that input, the one signature that takes a target yaw."""
    if args.signature is not None:
        return args.signature
    name = "serving_default"
    if getattr(args, "target_yaw", None) is None:
        return name
    if name in signatures and TARGET_YAW in signatures[name].inputs:
        return name
    takers = sorted(key for key, info in signatures.items() if TARGET_YAW in info.inputs)
    if len(takers) == 1:
        print(f"--target-yaw: using signature {takers[0]!r}", file=sys.stderr)
        return takers[0]
    return name


def _pick(inputs: dict, wanted: str, accept, what: str, flag: str) -> str:
    candidates = [name for name, info in inputs.items() if accept(info)]
    if wanted in candidates:
        return wanted
    if len(candidates) == 1:
        return candidates[0]
    raise ValueError(
        f"{flag}: the signature has {len(candidates)} {what} inputs ({candidates}); "
        f"its inputs are {sorted(inputs)}"
    )


def _fit(array: np.ndarray, shape: tuple[int, ...] | None, nearest: bool, path: str) -> np.ndarray:
    from PIL import Image

    if shape is None or len(shape) < 3 or shape[1] < 0 or shape[2] < 0:
        return array
    height, width = shape[1], shape[2]
    if array.shape[:2] == (height, width):
        return array
    print(f"{path}: resized {array.shape[1]}x{array.shape[0]} -> {width}x{height}", file=sys.stderr)
    resample = Image.NEAREST if nearest else Image.BILINEAR
    return np.asarray(Image.fromarray(array).resize((width, height), resample))


def _split_named(item: str, specs: dict) -> tuple[str | None, str]:
    """'NAME=FILE' -> (NAME, FILE) when NAME is an input of the signature, else (None, item)."""
    name, separator, path = item.partition("=")
    if separator and name in specs:
        return name, path
    if separator and name.isidentifier() and not Path(item).exists():
        raise ValueError(f"{item!r}: {name!r} is not an input of the signature ({sorted(specs)})")
    return None, item


def _read_picture(path: str, flag: str) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    try:
        return np.asarray(Image.open(path).convert("RGB"))
    except (UnidentifiedImageError, OSError) as error:
        raise ValueError(f"{flag} {path}: not a readable image ({error})") from error


def _read_label_map(path: str) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    try:
        mask = Image.open(path)
    except (UnidentifiedImageError, OSError) as error:
        raise ValueError(f"--mask {path}: not a readable image ({error})") from error
    if mask.mode not in ("L", "P"):
        raise ValueError(
            f"--mask {path}: a label map is a single-channel PNG of class indices, "
            f"got mode {mask.mode}"
        )
    return np.asarray(mask)


def _is_label_map(info) -> bool:
    return info.dtype == "uint8" and info.shape is not None and len(info.shape) == 3


def _is_hole_mask(info) -> bool:
    """A (B, H, W, 1) uint8 or float32 input: the hole mask of inpainting exports."""
    return (
        info.dtype in ("uint8", "float32")
        and info.shape is not None
        and len(info.shape) == 4
        and info.shape[-1] == 1
    )


def _read_hole_mask(path: str, info) -> np.ndarray:
    """A grayscale PNG -> (H, W, 1) holes (> 127): uint8 0 / 255, or float32 0 / 1."""
    from PIL import Image, UnidentifiedImageError

    try:
        gray = np.asarray(Image.open(path).convert("L"))
    except (UnidentifiedImageError, OSError) as error:
        raise ValueError(f"--mask {path}: not a readable image ({error})") from error
    holes = _fit(np.where(gray > 127, 255, 0).astype(np.uint8), info.shape, True, path)
    holes = holes[..., None]  # (H, W, 1)
    return holes if info.dtype == "uint8" else (holes / 255.0).astype(np.float32)


def build_inputs(args: argparse.Namespace, signature) -> dict[str, np.ndarray]:
    """The request inputs from --input, --mask and --input-array."""
    inputs: dict[str, np.ndarray] = {}
    specs = dict(signature.inputs)
    for item in args.input:
        name, path = _split_named(item, specs)
        if name is None:
            name = _pick(
                {key: info for key, info in specs.items() if key not in inputs},
                "image",
                lambda info: info.is_image or info.dtype == "string",
                "image",
                "--input",
            )
        if name in inputs:
            raise ValueError(f"--input: input {name!r} is given twice")
        if specs[name].dtype == "string":
            inputs[name] = np.array([Path(path).read_bytes()], dtype=object)
        else:
            picture = _read_picture(path, "--input")
            inputs[name] = _fit(picture, specs[name].shape, False, path)[None]
    for item in args.mask:
        name, path = _split_named(item, specs)
        if name is None:
            name = _pick(
                {key: info for key, info in specs.items() if key not in inputs},
                "mask",
                lambda info: _is_label_map(info) or _is_hole_mask(info),
                "mask",
                "--mask",
            )
        if name in inputs:
            raise ValueError(f"--mask: input {name!r} is given twice")
        if _is_hole_mask(specs[name]):
            inputs[name] = _read_hole_mask(path, specs[name])[None]
            continue
        inputs[name] = _fit(_read_label_map(path), specs[name].shape, True, path)[None]
    for item in args.input_array:
        name, _, path = item.partition("=")
        if name not in specs or not path:
            raise ValueError(
                f"--input-array {item!r}: use NAME=FILE.npy with NAME in {sorted(specs)}"
            )
        array = np.load(path)
        rank = len(specs[name].shape or ())
        inputs[name] = array[None] if array.ndim == rank - 1 else array
    target_yaw = getattr(args, "target_yaw", None)
    if target_yaw is not None:
        if TARGET_YAW not in specs:
            raise ValueError(
                f"--target-yaw: signature {signature.name!r} has no {TARGET_YAW!r} input "
                f"(its inputs are {sorted(specs)})"
            )
        images = max((len(value) for value in inputs.values()), default=1)
        inputs[TARGET_YAW] = np.full((images,), target_yaw, np.float32)  # (B,) degrees
    missing = sorted(set(specs) - set(inputs))
    if missing:
        needed = {name: f"{specs[name].dtype} {specs[name].shape}" for name in missing}
        raise ValueError(
            f"signature {signature.name!r} also needs {needed}: give --input, --mask, "
            "--target-yaw or --input-array NAME=FILE.npy"
        )
    return inputs


def write_outputs(outputs: dict[str, np.ndarray], output: Path) -> dict:
    """Writes uint8 image outputs as PNGs; returns the other outputs as JSON-ready data."""
    from PIL import Image

    images = {
        name: value
        for name, value in outputs.items()
        if value.dtype == np.uint8 and value.ndim == 4 and value.shape[-1] in (1, 3, 4)
    }
    for name, batch in images.items():
        for index, image in enumerate(batch):
            path = output
            if len(images) > 1:
                path = path.with_name(f"{path.stem}_{name}{path.suffix}")
            if len(batch) > 1:
                path = path.with_name(f"{path.stem}_{index}{path.suffix}")
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image).save(path)
            print(f"wrote {path} ({name})", file=sys.stderr)
    return {
        name: {"dtype": str(value.dtype), "shape": list(value.shape), "values": value.tolist()}
        for name, value in outputs.items()
        if name not in images and value.dtype != object
    } | {
        name: {
            "dtype": "string",
            "shape": list(value.shape),
            "length": [len(v) for v in value.ravel()],
        }
        for name, value in outputs.items()
        if value.dtype == object
    }


def run(args: argparse.Namespace) -> int:
    from serving.client import ServingClientError, connect

    client = connect(args.server, rest=args.rest, timeout=args.timeout)
    try:
        signatures = client.signatures(args.model, args.version)
        args.signature = choose_signature(args, signatures)
        if args.signature not in signatures:
            raise ValueError(
                f"model {args.model!r} has no signature {args.signature!r}; it has "
                f"{', '.join(sorted(signatures))}"
            )
        signature = signatures[args.signature]
        inputs = build_inputs(args, signature)
        outputs = client.predict(args.model, inputs, args.signature, args.version)
    except ServingClientError as error:
        print(f"tfface predict: {error.code.name}: {error.message}", file=sys.stderr)
        return 1
    finally:
        client.close()
    others = write_outputs(outputs, Path(args.output))
    if others:
        print(json.dumps(others))
    return 0
