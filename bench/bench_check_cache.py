"""Engine cache: a second `trtlab check` of the same model spends far less time building.

    python bench/bench_check_cache.py [--model zoo:resnet18 zoo:resnet50]
                                      [--precisions fp32 fp32,fp16 fp32,fp16,bf16,int8]

For each model and each set of precisions, runs a first check into an empty cache and a second
one into the cache the first filled, each in a fresh Python process as two `trtlab check` runs
would be, and prints the time of their build phase (fingerprinting the subgraphs, the precision
transform and the engine builds, or the cache look-ups) and the ratio of the two. A look-up reads
each cached engine and checks its SHA-256 before it counts as a hit, so the second build phase
grows with the engines' size (about 47 MB for ResNet-18 in fp32), not only with the model's.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

TARGET = 20.0

ONE_CHECK = """
import json, sys, time
import trtlab
from trtlab.check import check
model, precisions, cache = sys.argv[1], sys.argv[2].split(","), sys.argv[3]
start = time.perf_counter()
result = check(trtlab.load(model), precisions, cache_dir=cache, timing=False)
print(json.dumps({"build": result.elapsed_s.get("build", 0.0), "total": time.perf_counter() - start,
                  "engines": len(result.engines), "hits": sum(e.cache_hit for e in result.engines),
                  "not_done": result.not_done}))
"""


def one_check(model: str, precisions: str, cache: str) -> dict:
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", ONE_CHECK, model, precisions, cache], cwd=root,
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"trtlab check of {model} in {precisions} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", nargs="+", default=["zoo:resnet18", "zoo:resnet50"])
    ap.add_argument("--precisions", nargs="+", default=["fp32", "fp32,fp16", "fp32,fp16,bf16,int8"],
                    help="sets of precisions, each comma-separated")
    args = ap.parse_args()
    rows = []
    for model in args.model:
        for precisions in args.precisions:
            with tempfile.TemporaryDirectory(prefix="trtlab-bench-cache-") as cache:
                first = one_check(model, precisions, cache)
                second = one_check(model, precisions, cache)
            if not first["engines"]:
                print(f"{model} {precisions}: no engines were built:", "; ".join(first["not_done"]))
                return 1
            ratio = first["build"] / second["build"] if second["build"] > 0 else float("inf")
            rows.append((model, precisions, first, second, ratio))
            print(f"{model:14} {precisions:20} first: build {first['build']:7.3f} s ({first['engines']} engines, "
                  f"{first['hits']} hits), check {first['total']:6.2f} s | second: build {second['build']:6.3f} s "
                  f"({second['hits']} hits), check {second['total']:6.2f} s | {ratio:6.1f}x", flush=True)
    worst = min(r[-1] for r in rows)
    print(f"build phase speed-up from the cache: at least {worst:.1f}x over {len(rows)} runs "
          f"(target: at least {TARGET:.0f}x){'' if worst >= TARGET else ': BELOW TARGET'}")
    return 0 if worst >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
