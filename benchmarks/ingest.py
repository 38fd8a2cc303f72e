"""Ingest throughput of the Beam jobs: examples/s with 1 and 2 DirectRunner workers.

Target (issue: data pipelines): 2 workers >= 1.6x one worker. Two jobs are
measured in the same run: `synthfaces` (rendering-bound) and `celebamask_hq`
on a fixture written in the official layout (1024 px JPEG images, 512 px part
masks; decoding-bound). Two workers use
`--direct_num_workers=2 --direct_running_mode=multi_processing`. Results go to
benchmarks/results/ingest.json.

    python benchmarks/ingest.py [--identities 48] [--images 160]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

TWO_WORKERS = ["--direct_num_workers=2", "--direct_running_mode=multi_processing"]


def write_celebamask_fixture(root: Path, count: int) -> None:
    """`count` images in the official CelebAMask-HQ layout (smooth random faces, 4 parts each)."""
    rng = np.random.default_rng(0)
    (root / "CelebA-HQ-img").mkdir(parents=True)
    base = np.asarray(
        Image.fromarray((rng.uniform(0, 255, (16, 16, 3))).astype(np.uint8)).resize(
            (1024, 1024), Image.BICUBIC
        )
    )
    for index in range(count):
        image = np.roll(base, index * 7, axis=1)
        Image.fromarray(image).save(root / "CelebA-HQ-img" / f"{index}.jpg", quality=90)
        folder = root / "CelebAMask-HQ-mask-anno" / str(index // 2000)
        folder.mkdir(parents=True, exist_ok=True)
        for part, (top, bottom, left, right) in {
            "skin": (100, 450, 100, 412),
            "hair": (20, 150, 60, 452),
            "l_eye": (200, 230, 300, 360),
            "r_eye": (200, 230, 150, 210),
        }.items():
            mask = np.zeros((512, 512), np.uint8)
            mask[top:bottom, left:right] = 255
            Image.fromarray(mask).save(folder / f"{index:05d}_{part}.png")


def timed(run) -> float:
    start = time.perf_counter()
    info = run()
    return info["accepted"] / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--identities", type=int, default=48, help="SynthFaces identities (x 2 yaws)"
    )
    parser.add_argument("--images", type=int, default=160, help="CelebAMask-HQ fixture images")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "ingest.json"))
    args = parser.parse_args()
    from pipelines import celebamask_hq, synthfaces

    results = {
        "benchmark": "ingest",
        "cpu_count": os.cpu_count(),
        "target_two_worker_speedup": 1.6,
        "jobs": {},
    }
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        synth_arguments = [
            "--identities",
            str(args.identities),
            "--size",
            "128",
            "--uv-size",
            "128",
            "--yaws",
            "0",
            "30",
        ]
        write_celebamask_fixture(work / "celeba", args.images)
        jobs = {
            "synthfaces": lambda output, extra: synthfaces.main(
                ["--output", output, *synth_arguments, *extra]
            ),
            "celebamask_hq": lambda output, extra: celebamask_hq.main(
                ["--input", str(work / "celeba"), "--output", output, "--size", "256", *extra]
            ),
        }
        for name, job in jobs.items():
            one = timed(lambda job=job, name=name: job(str(work / f"{name}-1"), []))
            two = timed(lambda job=job, name=name: job(str(work / f"{name}-2"), TWO_WORKERS))
            results["jobs"][name] = {
                "one_worker_examples_per_second": round(one, 2),
                "two_workers_examples_per_second": round(two, 2),
                "speedup": round(two / one, 2),
            }
            print(name, results["jobs"][name], flush=True)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
