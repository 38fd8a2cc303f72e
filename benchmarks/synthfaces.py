"""SynthFaces rendering speed: samples/s at 128 and 256 px, domain rgb, all outputs, one core.

Targets (issue: foundation): >= 20 samples/s at 128 px and >= 5 at 256 px, so
that the demo dataset builds in well under two minutes. Two access patterns
are measured: `dataset` (each identity rendered at 5 yaws, the order the
writer and Beam job use, so the identity's textures are painted once) and
`cold` (a new identity for every sample). Results go to
benchmarks/results/synthfaces.json with the ratio measured / target.

    python benchmarks/synthfaces.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

# One core: pin the process and keep native thread pools single-threaded.
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = "1"
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

from tfface.synth import SynthFaces  # noqa: E402

TARGETS = {128: 20.0, 256: 5.0}
YAWS = (-60.0, -30.0, 0.0, 30.0, 60.0)


def measure(size: int, pattern: str, seconds: float) -> dict:
    """Renders for about `seconds` and returns samples/s."""
    generator = SynthFaces(seed=0, image_size=size, uv_size=size)
    generator.sample(10_000)  # warm imports and caches unrelated to the measured identities
    count, identity = 0, 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        if pattern == "dataset":
            for yaw in YAWS:
                generator.sample(identity, yaw=yaw)
            count += len(YAWS)
        else:
            generator.sample(identity, yaw=YAWS[identity % len(YAWS)])
            count += 1
        identity += 1
    elapsed = time.perf_counter() - start
    return {
        "samples": count,
        "seconds": round(elapsed, 3),
        "samples_per_second": round(count / elapsed, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="time per measurement")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "synthfaces.json"))
    args = parser.parse_args()
    results = {
        "benchmark": "synthfaces",
        "machine": platform.machine(),
        "python": platform.python_version(),
        "cores_used": 1,
        "sizes": {},
    }
    for size, target in TARGETS.items():
        entry = {"target_samples_per_second": target}
        for pattern in ("dataset", "cold"):
            entry[pattern] = measure(size, pattern, args.seconds)
            entry[pattern]["ratio_to_target"] = round(
                entry[pattern]["samples_per_second"] / target, 2
            )
            print(
                f"{size} px {pattern:8s}: {entry[pattern]['samples_per_second']:6.2f} samples/s (target {target}, ratio {entry[pattern]['ratio_to_target']})"
            )
        results["sizes"][str(size)] = entry
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print("wrote", args.out)


if __name__ == "__main__":
    main()
