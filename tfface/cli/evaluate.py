"""`tfface evaluate`: metrics of an export on a dataset split -> report.json / .md / .html.

    tfface evaluate exports/pose_editing --data data/synthfaces --metrics fid,ssim,psnr \\
        --by yaw --out eval/ [--reference-stats real.npz | --save-stats real.npz]

A run directory is exported to a temporary folder first (removed afterwards, also on
errors and Ctrl-C); the report names the run. The output is compared with the dataset
image the export's signature declares (mask_guided: its input; warp_rotation: the paired
`target_image`; uv_completion scores its `uv_texture` output against SynthFaces' exact
`uv_texture`), or `--target`; the report says which and why.

Several sources (e.g. the forward, forward + gap and backward variants of warp_rotation,
Sevastopolskiy 2019 Table 4.1) are evaluated one after the other with the same options; each gets
its full report in `OUT/<label>/` and `OUT/report.json` / `report.md` / `report.html` hold
the side-by-side comparison (`tfface.metrics.comparison`):

    tfface evaluate runs/fw_gap runs/fw runs/bkwd --labels FW+GAP,FW,BKWD --data DIR \\
        --metrics mse,ssim,is,fid --by yaw --out eval/

See tfface/metrics/run_evaluation.py for the outputs and tfface/metrics/fid.py for
the FID protocol (and why its values are comparable between tfface runs only).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import Any

from tfface.metrics.evaluation_options import (
    METRIC_DESCRIPTIONS,
    EvaluationOptions,
    parse_metrics,
)


def _metrics_argument(text: str) -> tuple[str, ...]:
    try:
        return parse_metrics(text)
    except ValueError as error:  # argparse prints ArgumentTypeError messages as they are
        raise argparse.ArgumentTypeError(str(error)) from error


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="compute FID/KID/IS, SSIM/PSNR, identity and parsing metrics of an export",
        description="Evaluate a TF Serving export (<base>/<name>[/<version>]) or a training run "
        "on a dataset split: the export's 'image' output (or the output its signature's target "
        "names, e.g. uv_completion's uv_texture) is compared with the dataset image its "
        "signature declares (its input, the paired target_image, image_unoccluded, the exact "
        "uv_texture; see --target). Metrics: "
        + "; ".join(f"{name}: {text}" for name, text in METRIC_DESCRIPTIONS.items()),
    )
    parser.add_argument(
        "source",
        nargs="+",
        help="export dir (<base>/<name>[/<version>]) or run dir; several: a comparison",
    )
    parser.add_argument(
        "--labels",
        help="comma-separated column labels of several sources (default: their folder names)",
    )
    parser.add_argument("--data", required=True, help="dataset dir (<split>-*.tfrecord) or glob")
    parser.add_argument(
        "--metrics", required=True, type=_metrics_argument, help="comma-separated names"
    )
    parser.add_argument("--split", default="test", help="split of a dataset dir (default test)")
    parser.add_argument("--by", choices=("yaw", "pitch", "roll"), help="breakdown by pose bucket")
    parser.add_argument("--out", default="evaluation", help="report folder (default ./evaluation)")
    parser.add_argument("--reference-stats", type=Path, help="cached real-set statistics (.npz)")
    parser.add_argument("--save-stats", type=Path, help="cache the real-set statistics (.npz)")
    parser.add_argument("--weights-dir", type=Path, help="folder of keras.applications weights")
    parser.add_argument("--max-examples", type=int, help="evaluate at most N examples")
    parser.add_argument("--batch-size", type=int, default=16, help="global batch size")
    parser.add_argument("--image-size", type=int, help="resize the dataset images to this side")
    parser.add_argument("--signature", default="serving_default", help="export signature")
    parser.add_argument(
        "--target",
        help="dataset image compared with the output (default: what the export's signature "
        "declares in its model card, e.g. image for mask_guided, target_image for "
        "warp_rotation; for exports declaring nothing: target_image if present, else image)",
    )
    parser.add_argument("--perceptual-weights", type=Path, help="LPIPS linear weights (.npz)")
    parser.add_argument("--identity-model", type=Path, help="face-embedding export (identity)")
    parser.add_argument("--parser-model", type=Path, help="face-parser export (miou)")
    parser.add_argument("--diversity-inputs", type=int, default=10, help="diversity: N inputs")
    parser.add_argument("--diversity-samples", type=int, default=10, help="diversity: M samples")
    parser.add_argument("--kid-subset-size", type=int, default=1000, help="KID subset size")
    parser.add_argument("--grid-examples", type=int, default=8, help="rows of the sample grid")
    parser.add_argument(
        "--fid-sqrt",
        choices=("sqrtm", "eigh"),
        default="sqrtm",
        help="FID matrix square root: sqrtm (reference) or eigh (faster, same value)",
    )
    parser.add_argument(
        "--logs",
        type=Path,
        help="TensorBoard logs for the loss curves (default: the run's logs/, for an export "
        "the run named in its model card)",
    )
    parser.add_argument(
        "--strategy",
        choices=("default", "mirrored"),
        default="default",
        help="tf.distribute strategy of the feature extraction",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of latents and KID subsets")
    parser.add_argument(
        "--pairs",
        type=Path,
        help="face-embedding exports (face_recognition): an LFW pairs.txt for the "
        "verification (default: pairs drawn from the split's identities)",
    )
    # Tests only: random InceptionV3 / VGG16 weights (same compute, meaningless values).
    parser.add_argument("--feature-weights", default="imagenet", help=argparse.SUPPRESS)
    parser.set_defaults(handler=run)


def options_from_arguments(args: argparse.Namespace) -> EvaluationOptions:
    return EvaluationOptions(
        metrics=args.metrics,
        data=args.data,
        split=args.split,
        by=args.by,
        batch_size=args.batch_size,
        max_examples=args.max_examples,
        image_size=args.image_size,
        target=args.target,
        signature=args.signature,
        reference_stats=args.reference_stats,
        save_stats=args.save_stats,
        feature_weights=args.feature_weights,
        weights_dir=args.weights_dir,
        perceptual_weights=args.perceptual_weights,
        identity_model=args.identity_model,
        parser_model=args.parser_model,
        diversity_inputs=args.diversity_inputs,
        diversity_samples=args.diversity_samples,
        kid_subset_size=args.kid_subset_size,
        grid_examples=args.grid_examples,
        fid_sqrt=args.fid_sqrt,
        logs=args.logs,
        seed=args.seed,
        pairs=args.pairs,
    )


def run(args: argparse.Namespace) -> int:
    from tfface.metrics.sources import load_source

    options = options_from_arguments(args)
    sources = [args.source] if isinstance(args.source, str) else list(args.source)
    if len(sources) > 1 or args.labels:
        return run_comparison(args, options, sources)
    with load_source(sources[0], options.signature) as source:  # closing removes a run's export
        return run_single(args, options, sources[0], source)


def _strategy(args: argparse.Namespace) -> Any:
    """The tf.distribute strategy of ``--strategy`` (None: the default one)."""
    from tfface.training.strategy import make_strategy

    return make_strategy("mirrored") if args.strategy == "mirrored" else None


def _example_total(options: EvaluationOptions) -> int:
    """Examples the evaluation will see (for the progress line; 0: unknown)."""
    from tfface.metrics.evaluation_inputs import example_count, resolve_data

    _, info = resolve_data(options.data, options.split)
    total = example_count(info, options.split) or 0
    if options.max_examples is not None:
        total = min(total, options.max_examples) if total else options.max_examples
    return total


def run_single(
    args: argparse.Namespace, options: EvaluationOptions, source_path: str, source: Any
) -> int:
    """Evaluates one loaded source into OUT."""
    from tfface.cli.progress import Progress
    from tfface.metrics.report import summary_text
    from tfface.metrics.run_evaluation import evaluate

    strategy, total = _strategy(args), _example_total(options)
    print(
        f"evaluating {source_path} on {options.data} ({options.split}): "
        f"{', '.join(options.metrics)}",
        file=sys.stderr,
    )
    progress = Progress(total, "examples")
    report = evaluate(source_path, options, args.out, strategy, progress.update, source=source)
    print(summary_text(report))
    print(f"wrote {args.out}/report.json, report.md, report.html")
    return 0


def run_comparison(args: argparse.Namespace, options: EvaluationOptions, sources: list) -> int:
    """Loads every source (failing before any evaluation), then compares them."""
    from tfface.metrics.comparison import source_labels
    from tfface.metrics.sources import load_source

    labels = source_labels(sources, args.labels.split(",") if args.labels else ())
    with contextlib.ExitStack() as stack:  # closing removes the runs' temporary exports
        loaded = [stack.enter_context(load_source(path, options.signature)) for path in sources]
        return compare_loaded(args, options, sources, labels, loaded)


def compare_loaded(
    args: argparse.Namespace,
    options: EvaluationOptions,
    sources: list[str],
    labels: list[str],
    loaded: list[Any],
) -> int:
    """Evaluates every loaded source into OUT/<label>/, then writes the comparison into OUT."""
    from tfface.cli.progress import Progress
    from tfface.metrics.comparison import comparison_report, comparison_text, write_comparison
    from tfface.metrics.run_evaluation import evaluate

    strategy, total = _strategy(args), _example_total(options)
    reports = []
    for label, path, source in zip(labels, sources, loaded, strict=True):
        print(
            f"evaluating {path} ({label}) on {options.data} ({options.split}): "
            f"{', '.join(options.metrics)}",
            file=sys.stderr,
        )
        progress = Progress(total, "examples")
        out = Path(args.out) / label
        reports.append(evaluate(path, options, out, strategy, progress.update, source=source))
    comparison = comparison_report(labels, reports)
    write_comparison(comparison, args.out)
    print(comparison_text(comparison))
    print(f"wrote {args.out}/report.json, report.md, report.html (and one report per source)")
    return 0
