"""The real-model corpus through `trtlab check`: one row per model and precision.

    python bench/real_models.py [--models ppocr-det magika ...] [--precisions fp32 fp16 bf16 int8]

Each model runs in its own process (so its peak memory is its own, and a crash is a row, not the
end of the table), with timing off and a fresh engine cache. Columns: nodes, share of nodes in
TensorRT, engines built, the verdict (pass / fail / not measured), max abs error and cosine
against fp32, seconds for the model's whole check, peak resident memory of that process. A
`pass` here means the converted model ran (TensorRT engines, or ONNX Runtime stand-ins where no
engine can run) and was compared; `not measured` rows say why.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile

ONE_MODEL = """
import json, resource, sys, tempfile, time
from trtlab import corpus
from trtlab.check import check
name, precisions = sys.argv[1], sys.argv[2].split(",")
start = time.perf_counter()
model, feeds = corpus.load(name)
with tempfile.TemporaryDirectory() as cache:
    r = check(model, precisions, feeds=feeds, cache_dir=cache, timing=False)
seconds = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
rows = []
for p in precisions:
    v = r.verdict(p)
    acc = [a for a in r.accuracy if a.precision == p]
    outs = acc[0].outputs if acc else []
    engines = [e for e in r.engines if e.precision == p]
    rows.append({"model": name, "precision": p, "nodes": len(model.nodes),
                 "coverage": r.plan.coverage_pct, "built": sum(e.built for e in engines),
                 "engines": r.plan.engine_count, "status": v.status, "reason": v.reason,
                 "max_abs": max((o.max_abs for o in outs), default=None),
                 "cosine": min((o.cosine for o in outs), default=None),
                 "seconds": seconds, "peak_mb": peak_mb})
print(json.dumps(rows))
"""


def main() -> int:
    from trtlab import corpus

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="+", default=corpus.names(available=True))
    ap.add_argument("--precisions", nargs="+", default=["fp32", "fp16", "bf16", "int8"])
    ap.add_argument("--timeout", type=float, default=900, help="seconds per model")
    args = ap.parse_args()
    missing = sorted(set(corpus.names()) - set(corpus.names(available=True)))
    if missing:
        print(f"not installed, skipped: {', '.join(missing)}")
    head = f"{'model':16} {'prec':5} {'nodes':>6} {'in TRT':>7} {'built':>6} {'status':13} " \
           f"{'max abs':>9} {'cosine':>9} {'s':>6} {'peak MB':>8}  reason"
    print(head)
    print("-" * len(head))
    for name in args.models:
        with tempfile.TemporaryDirectory():
            try:
                out = subprocess.run([sys.executable, "-c", ONE_MODEL, name, ",".join(args.precisions)],
                                     capture_output=True, text=True, timeout=args.timeout)
            except subprocess.TimeoutExpired:
                print(f"{name:16} (all) did not finish in {args.timeout:.0f} s")
                continue
        if out.returncode != 0:
            last = (out.stderr.strip().splitlines() or ["no output"])[-1]
            print(f"{name:16} (all) could not be checked: exit {out.returncode}: {last[:160]}")
            continue
        for r in json.loads(out.stdout.strip().splitlines()[-1]):
            num = lambda v, f: "-" if v is None else format(v, f)  # noqa: E731
            print(f"{r['model']:16} {r['precision']:5} {r['nodes']:>6} {r['coverage']:>6.1f}% "
                  f"{r['built']:>2}/{r['engines']:<3} {r['status']:13} {num(r['max_abs'], '9.3g')} "
                  f"{num(r['cosine'], '9.6f')} {r['seconds']:>6.1f} {r['peak_mb']:>8.0f}  {r['reason'][:110]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
