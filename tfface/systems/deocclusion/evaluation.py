"""Table 5.1 of Yin 2022: de-occlusion against inpainting baselines, per occluder type.

    python -m tfface.systems.deocclusion.evaluation --data DATA --deocclusion EXPORT \\
        [--inpainter GATED_EXPORT] [--identity-model EMBEDDING] [--output report.json]

For every occluded example of a SynthFaces set built with `--occluders ...` (or an
`occlusion` job's set), each method's output is compared with `image_unoccluded`, the exact
face beneath the occluder, INSIDE the region the occluder hides on the face (occluder mask x
face mask; methods B19):

- L1: mean |difference| of [0, 1] images; PSNR: 10 log10(1 / MSE); SSIM: mean of the
  SSIM map (Wang et al. 2004, 11 x 11 Gaussian) over the region (`tfface.metrics`);
- ID: cosine similarity of a face embedding of the whole output and of the unoccluded
  image (with `--identity-model`; the thesis uses ArcFace).

Methods: `occluded_input` (nothing done), `nearest_fill` (each region pixel copies the
nearest pixel outside it, `tfface.ops.hole_filling.nearest_fill`), an inpainter GIVEN the
true region as its hole mask (our gated_inpainting, DeepFill-v2-like: the chapter's
baselines get hand-labelled masks) and the de-occlusion system, which finds the occlusion
itself. Rows per occluder type and over all occluded examples.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import tensorflow as tf

from tfface.metrics.identity import cosine_similarity
from tfface.metrics.pixel_errors import l1, psnr
from tfface.metrics.structural_similarity import ssim
from tfface.ops.hole_filling import nearest_fill

Method = Callable[[tf.Tensor, tf.Tensor], tf.Tensor]
"""(occluded images (B, S, S, 3) in [-1, 1], true region (B, S, S, 1) in {0, 1}) -> outputs
(B, S, S, 3) in [-1, 1]. Methods that find the occlusion themselves ignore the region."""
Embedding = Callable[[tf.Tensor], Any]
"""float32 images (B, S, S, 3) in [-1, 1] -> (B, D) embeddings."""
EVALUATION_FEATURES = ("image", "image_unoccluded", "face_mask", "occlusion_mask", "occluder")
ALL_OCCLUDERS = "all"
METRICS = ("l1", "ssim", "psnr", "identity")


def occlusion_region(face_mask: tf.Tensor, occluder_mask: tf.Tensor) -> tf.Tensor:
    """The evaluated region: what the occluder hides of the face, (B, S, S, 1) in {0, 1}."""
    return tf.cast(face_mask > 0.5, tf.float32) * tf.cast(occluder_mask > 0.5, tf.float32)


def occluded_input(images: tf.Tensor, region: tf.Tensor) -> tf.Tensor:
    """The occluded input itself (the floor every method must beat)."""
    return images


def nearest_fill_method(images: tf.Tensor, region: tf.Tensor) -> tf.Tensor:
    """Region pixels copied from the nearest pixel outside the region."""
    return nearest_fill(images, 1.0 - region)


def deocclusion_method(system) -> Method:
    """A `DeocclusionSystem` (or anything with `deocclude(images)['image']`)."""
    return lambda images, region: system.deocclude(images)["image"]


def inpainter_method(inpainter) -> Method:
    """An inpainting system (gated_inpainting: `system({'image', 'hole_mask'})`) given the
    true region as its hole mask."""
    return lambda images, region: inpainter({"image": images, "hole_mask": region})


def exported_method(path: str) -> Method:
    """A SavedModel of `tfface export`: an inpainter (its default signature takes a
    'hole_mask', given the true region) or a de-occluder (takes only the image)."""
    loaded = tf.saved_model.load(path)
    signature = loaded.signatures["serving_default"]
    takes_mask = "hole_mask" in signature.structured_input_signature[1]

    def method(images: tf.Tensor, region: tf.Tensor) -> tf.Tensor:
        uint8 = tf.cast(tf.round(tf.clip_by_value((images + 1.0) * 127.5, 0.0, 255.0)), tf.uint8)
        inputs = {"image": uint8}
        if takes_mask:
            inputs["hole_mask"] = tf.cast(region * 255.0, tf.uint8)
        output = signature(**inputs)["image"]
        return tf.cast(output, tf.float32) / 127.5 - 1.0

    return method


def evaluate_methods(
    methods: Mapping[str, Method],
    batches: Iterable[Mapping[str, tf.Tensor]],
    embedding: Embedding | None = None,
) -> dict[str, dict[str, dict[str, float]]]:
    """{occluder type or 'all': {method: {'l1', 'ssim', 'psnr', 'identity', 'examples'}}}.

    Means over the occluded examples (an empty region is skipped); 'identity' is NaN
    without an embedding.

    Args:
        methods: name -> `Method`.
        batches: dicts of `EVALUATION_FEATURES` (`tfface.data.reader` batches).
        embedding: face embedding of the ID column, or None.

    Raises:
        ValueError: no methods, or no occluded example in the batches.
    """
    if not methods:
        raise ValueError("evaluate_methods needs at least one method")
    values: dict[str, dict[str, list[np.ndarray]]] = {
        name: {metric: [] for metric in METRICS} for name in methods
    }
    occluders: list[np.ndarray] = []
    for batch in batches:
        region = occlusion_region(batch["face_mask"], batch["occlusion_mask"])
        kept = tf.reduce_sum(region, axis=[1, 2, 3]) > 0
        if not bool(tf.reduce_any(kept)):
            continue
        images = tf.boolean_mask(batch["image"], kept)
        clean = tf.boolean_mask(batch["image_unoccluded"], kept)
        region = tf.boolean_mask(region, kept)
        names = tf.boolean_mask(batch["occluder"], kept).numpy()
        occluders.append(np.array([name.decode() for name in names], dtype=object))
        clean_embedding = None if embedding is None else np.asarray(embedding(clean))
        for name, method in methods.items():
            output = tf.clip_by_value(tf.cast(method(images, region), tf.float32), -1.0, 1.0)
            values[name]["l1"].append(l1(output, clean, region).numpy())
            values[name]["ssim"].append(ssim(output, clean, region).numpy())
            values[name]["psnr"].append(psnr(output, clean, region).numpy())
            identity = np.full(output.shape[0], np.nan)
            if embedding is not None:
                identity = cosine_similarity(np.asarray(embedding(output)), clean_embedding)
            values[name]["identity"].append(identity)
    if not occluders:
        raise ValueError(
            "no occluded example (occlusion_mask x face_mask is empty everywhere): build the "
            "data with `--occluders ...`"
        )
    kinds = np.concatenate(occluders)
    table: dict[str, dict[str, dict[str, float]]] = {}
    for kind in (*sorted(set(kinds.tolist())), ALL_OCCLUDERS):
        chosen = np.ones_like(kinds, bool) if kind == ALL_OCCLUDERS else kinds == kind
        table[kind or "unnamed"] = {
            name: {
                **{
                    metric: float(np.mean(np.concatenate(values[name][metric])[chosen]))
                    for metric in METRICS
                },
                "examples": int(chosen.sum()),
            }
            for name in methods
        }
    return table


def table_markdown(table: Mapping[str, Mapping[str, Mapping[str, float]]]) -> str:
    """The table as Markdown: one row per (occluder, method), Table 5.1's columns."""
    lines = [
        "| occluder | method | L1 | SSIM | PSNR | ID | examples |",
        "|---|---|---|---|---|---|---|",
    ]
    for occluder, methods in table.items():
        for name, row in methods.items():
            lines.append(
                f"| {occluder} | {name} | {row['l1']:.4f} | {row['ssim']:.3f} | "
                f"{row['psnr']:.3f} | {row['identity']:.3f} | {row['examples']} |"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """The command line of the module docstring."""
    from tfface.data.reader import make_dataset
    from tfface.weights.identity_network import load_identity_network

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="dataset folder (SPLIT-*.tfrecord)")
    parser.add_argument("--split", default="test", help="split to read (default: test)")
    parser.add_argument("--deocclusion", required=True, help="`tfface export` of deocclusion")
    parser.add_argument("--inpainter", help="`tfface export` of an inpainter (gated_inpainting)")
    parser.add_argument("--identity-model", default="", help="face embedding for the ID column")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--output", help="write the table as JSON here")
    args = parser.parse_args(argv)
    methods: dict[str, Method] = {
        "occluded_input": occluded_input,
        "nearest_fill": nearest_fill_method,
    }
    if args.inpainter:
        methods["inpainter"] = exported_method(args.inpainter)
    methods["deocclusion"] = exported_method(args.deocclusion)
    size = int(
        exported_method_size(args.deocclusion)
    )  # the exported model's side: the data are resized to it
    batches = make_dataset(
        f"{args.data.rstrip('/')}/{args.split}-*.tfrecord",
        features=EVALUATION_FEATURES,
        batch_size=args.batch_size,
        image_size=size,
        shuffle=False,
        drop_remainder=False,  # every example of the split is scored
    )
    embedding = load_identity_network(args.identity_model)
    table = evaluate_methods(methods, batches, embedding)
    print(table_markdown(table))
    if args.output:
        with open(args.output, "w", encoding="utf-8") as file:
            json.dump(table, file, indent=2)
    return 0


def exported_method_size(path: str) -> int:
    """The image side of an export's default signature."""
    signature = tf.saved_model.load(path).signatures["serving_default"]
    shape = signature.structured_input_signature[1]["image"].shape
    if shape[1] is None:
        raise ValueError(f"the export {path} takes images of any size; cannot choose one")
    return int(shape[1])


if __name__ == "__main__":
    sys.exit(main())
