"""Engine cache: a second `trtlab check` of the same model spends far less time building.

    python bench/bench_check_cache.py [--model zoo:resnet50] [--precision fp32 fp16]

Prints the time of the build phase (engine builds, or cache look-ups, including the precision
transform each engine needs) for a first check into an empty cache and a second one.
"""

from __future__ import annotations

import argparse
import tempfile
import time

import trtlab
from trtlab.check import check


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="zoo:resnet50")
    ap.add_argument("--precision", nargs="+", default=["fp32", "fp16", "bf16", "int8"])
    args = ap.parse_args()
    model = trtlab.load(args.model)
    with tempfile.TemporaryDirectory(prefix="trtlab-bench-cache-") as cache:
        phases = []
        for attempt in ("first (empty cache)", "second (warm cache)"):
            start = time.perf_counter()
            result = check(model, args.precision, cache_dir=cache, timing=False)
            total = time.perf_counter() - start
            build = result.elapsed_s.get("build", 0.0)
            engines = result.engines
            hits = sum(e["cache_hit"] for e in engines)
            phases.append(build)
            print(f"{attempt}: build phase {build:.3f} s ({len(engines)} engines, {hits} cache hits), "
                  f"whole check {total:.2f} s")
            if not engines:
                print("no engines were built:", "; ".join(result.not_done))
                return
        ratio = phases[0] / phases[1] if phases[1] > 0 else float("inf")
        print(f"build phase speed-up from the cache: {ratio:.1f}x (target: at least 20x)")


if __name__ == "__main__":
    main()
