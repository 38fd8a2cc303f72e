"""Ingest throughput of the Beam jobs: examples/s with 1 and 2 DirectRunner workers.

Target (issue: data pipelines): 2 workers >= 1.6x one worker. Two jobs are
measured in the same run: `synthfaces` (rendering-bound) and `celebamask_hq`
on a fixture written in the official layout (1024 px JPEG images, 512 px part
masks; decoding-bound). Two workers use
`--direct_num_workers=2 --direct_running_mode=multi_processing`. Results go to
benchmarks/results/ingest.json.

Every job runs twice per worker count, on a small and a large input. A job has a
fixed start-up cost (pipeline construction, and with two workers two worker
processes that each import Beam, TensorFlow and tfface: about 4 s more on this
machine), so whole-job rates of short jobs mostly measure that. The speed-up is
judged on the steady-state rate (large - small examples) / (large - small
seconds), what a long cluster job sees; whole-job rates are reported beside it.
Worker processes run bundles on non-main threads, where glibc's default malloc
thresholds made every image-sized NumPy temporary a fresh mmap (+40 % CPU per
example); `pipelines/common/allocator.py` fixes that in `SourceDoFn.setup`.

Each run is repeated (--repeats, median seconds) because the machine's speed varies.

    python benchmarks/ingest.py [--identities 24 240] [--images 80 800] [--repeats 2]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
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


def timed(job, *arguments) -> tuple[int, float]:
    """(accepted examples, seconds) of one job run, job(*arguments)."""
    start = time.perf_counter()
    info = job(*arguments)
    return info["accepted"], time.perf_counter() - start


def median_run(job, output: str, size: int, extra: list[str], repeats: int) -> tuple[int, float]:
    """(examples, median seconds) of `repeats` runs of the job on the same input."""
    runs = [timed(job, f"{output}-{repeat}", size, extra) for repeat in range(repeats)]
    return runs[0][0], statistics.median(seconds for _, seconds in runs)


def rates(small: tuple[int, float], large: tuple[int, float]) -> dict[str, float]:
    """Steady-state and whole-job examples/s from a small and a large run of the same job."""
    (small_count, small_seconds), (large_count, large_seconds) = small, large
    return {
        "steady_examples_per_second": (large_count - small_count)
        / max(large_seconds - small_seconds, 1e-9),
        "whole_job_examples_per_second": large_count / large_seconds,
        "start_up_seconds": small_seconds
        - small_count * (large_seconds - small_seconds) / max(large_count - small_count, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--identities",
        type=int,
        nargs=2,
        default=[24, 240],
        help="SynthFaces identities (x 2 yaws) of the small and the large run",
    )
    parser.add_argument(
        "--images",
        type=int,
        nargs=2,
        default=[80, 800],
        help="CelebAMask-HQ fixture images of the small and the large run",
    )
    parser.add_argument(
        "--repeats", type=int, default=2, help="runs per size and worker count (median)"
    )
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "ingest.json"))
    args = parser.parse_args()
    from pipelines import celebamask_hq, synthfaces

    results = {
        "benchmark": "ingest",
        "cpu_count": os.cpu_count(),
        "target_two_worker_speedup": 1.6,
        "repeats": args.repeats,
        "jobs": {},
    }
    results["load_average_before"] = round(os.getloadavg()[0], 2)
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        synth_arguments = [
            "--size",
            "128",
            "--uv-size",
            "128",
            "--yaws",
            "0",
            "30",
        ]
        for size in args.images:
            write_celebamask_fixture(work / f"celeba-{size}", size)

        def synthfaces_job(output: str, size: int, extra: list[str]) -> dict:
            return synthfaces.main(
                ["--output", output, "--identities", str(size), *synth_arguments, *extra]
            )

        def celebamask_job(output: str, size: int, extra: list[str]) -> dict:
            folder = str(work / f"celeba-{size}")
            return celebamask_hq.main(
                ["--input", folder, "--output", output, "--size", "256", *extra]
            )

        jobs = {
            "synthfaces": (synthfaces_job, args.identities),
            "celebamask_hq": (celebamask_job, args.images),
        }
        for name, (job, sizes) in jobs.items():
            measured = {}
            for workers, extra in (("one_worker", []), ("two_workers", TWO_WORKERS)):
                small, large = (
                    median_run(
                        job, str(work / f"{name}-{workers}-{size}"), size, extra, args.repeats
                    )
                    for size in sizes
                )
                measured[workers] = {
                    key: round(value, 2) for key, value in rates(small, large).items()
                }
            results["jobs"][name] = {
                **measured,
                "speedup": round(
                    measured["two_workers"]["steady_examples_per_second"]
                    / measured["one_worker"]["steady_examples_per_second"],
                    2,
                ),
                "whole_job_speedup": round(
                    measured["two_workers"]["whole_job_examples_per_second"]
                    / measured["one_worker"]["whole_job_examples_per_second"],
                    2,
                ),
            }
            print(name, results["jobs"][name], flush=True)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
