"""`trtlab sweep` over the real-model corpus: tasks per minute with one and with two local workers.

    python bench/bench_sweep.py [--models corpus:ppocr-cls ...] [--precisions fp32 fp16] [--workers 1 2]

Each configuration sweeps the same tasks (a model in a precision each) on a local Dask cluster of
that many single-threaded worker processes, with a fresh engine cache and output folder of its own
(every engine is built, nothing is kept from an earlier run), one after the other in this process.
The wall time counts the whole sweep: starting the cluster, every check, writing the records and
summary.html, closing the cluster. Timing inside each check is short (--seconds, default 0.2).
By default the corpus models that ship as ONNX files (the models built from transformers configs
are left out: exporting them takes longer than checking them); --models takes any others.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def default_models() -> list[str]:
    from trtlab import corpus

    return [f"corpus:{n}" for n in corpus.names(available=True) if corpus.ENTRIES[n].path is not None]


def one_sweep(models: list[str], precisions: list[str], workers: int, seconds: float, root: Path) -> dict:
    import trtlab

    start = time.perf_counter()
    run = trtlab.sweep(models, precisions, workers=workers, out=root / f"out-{workers}",
                       cache_dir=root / f"cache-{workers}",
                       timing_options={"seconds": seconds, "iterations": 10, "warmup_ms": 50})
    run.wait()
    wall = time.perf_counter() - start
    rows = run.rows
    return {"workers": workers, "tasks": len(rows), "wall_s": wall, "per_min": 60 * len(rows) / wall,
            "used": len(run.used_workers), "task_s": sum(r.seconds or 0 for r in rows),
            "statuses": {s: sum(r.status == s for r in rows) for s in ("pass", "fail", "not measured")},
            "summary": run.summary()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="+", default=None, help="default: the corpus models shipped as files")
    ap.add_argument("--precisions", nargs="+", default=["fp32", "fp16"])
    ap.add_argument("--workers", nargs="+", type=int, default=[1, 2])
    ap.add_argument("--seconds", type=float, default=0.2, help="timing per backend inside each check")
    args = ap.parse_args()
    models = args.models or default_models()
    print(f"models: {' '.join(models)}; precisions: {' '.join(args.precisions)}; "
          f"{len(models) * len(args.precisions)} tasks per sweep")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.workers:
            results.append(one_sweep(models, args.precisions, n, args.seconds, Path(tmp)))
            print(results[-1]["summary"], flush=True)
    base = results[0]
    print(f"\n{'workers':>7} {'used':>5} {'tasks':>6} {'wall s':>8} {'tasks/min':>10} {'vs first':>9} "
          f"{'sum of task s':>14}  verdicts")
    for r in results:
        verdicts = ", ".join(f"{n} {s}" for s, n in r["statuses"].items())
        print(f"{r['workers']:>7} {r['used']:>5} {r['tasks']:>6} {r['wall_s']:>8.1f} {r['per_min']:>10.2f} "
              f"{r['per_min'] / base['per_min']:>8.2f}x {r['task_s']:>14.1f}  {verdicts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
