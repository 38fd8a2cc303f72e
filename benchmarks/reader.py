"""Reader throughput: examples/s at 256 px with one-hot masks, component crops and paired augmentation.

Target (issue: data pipelines): >= 300 examples/s on this machine, so training is
never input-bound. Builds a small SynthFaces dataset with the Beam job (64
identities x 2 yaws at 256 px), then reads it repeatedly (repeat + shuffle,
batch 12). The baseline in the same run is the same pipeline without
augmentation and crops (decoding only), to show what augmentation costs.

    python benchmarks/reader.py [--seconds 10] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

TARGET = 300.0


def measure(pattern: str, seconds: float, rounds: int, **kwargs) -> float:
    """Median examples/s over `rounds` windows of `seconds` (the machine's speed varies)."""
    from tfface.data.reader import make_dataset

    dataset = make_dataset(pattern, batch_size=12, image_size=256, repeat=True, **kwargs)
    iterator = iter(dataset)
    for _ in range(5):  # warm up (graph tracing, autotune)
        next(iterator)
    speeds = []
    for _ in range(rounds):
        count = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            batch = next(iterator)
            count += int(batch["image"].shape[0])
        speeds.append(count / (time.perf_counter() - start))
    return statistics.median(speeds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of one round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the median is reported")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "reader.json"))
    args = parser.parse_args()
    from pipelines import synthfaces
    from tfface.data.augment import AugmentConfig

    load_before = os.getloadavg()[0]  # other work on the machine lowers the numbers
    with tempfile.TemporaryDirectory() as directory:
        synthfaces.main(
            [
                "--output",
                directory,
                "--identities",
                "64",
                "--size",
                "256",
                "--uv-size",
                "64",
                "--yaws",
                "0",
                "30",
                "--splits",
                "train=1,validation=0,test=0",
            ]
        )
        pattern = f"{directory}/train-*.tfrecord"
        features = ("image", "label_map_11")
        decode_only = measure(pattern, args.seconds, args.rounds, features=features)
        full = measure(
            pattern,
            args.seconds,
            args.rounds,
            features=features,
            crops=True,
            augment=AugmentConfig(),
        )
    results = {
        "benchmark": "reader",
        "image_size": 256,
        "batch_size": 12,
        "cpu_count": os.cpu_count(),
        "load_average_before": round(load_before, 2),
        "decode_one_hot_examples_per_second": round(decode_only, 1),
        "decode_one_hot_crops_augment_examples_per_second": round(full, 1),
        "target_examples_per_second": TARGET,
        "ratio_to_target": round(full / TARGET, 2),
        "augmentation_cost_ratio": round(decode_only / full, 2),
    }
    print(json.dumps(results, indent=2))
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
