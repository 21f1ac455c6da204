"""The real-model corpus through `trtlab check`: one row per model and precision.

    python bench/real_models.py [--models ppocr-det magika ...] [--precisions fp32 fp16 bf16 int8 fp8] [--no-search]

The corpus holds four files written by Optimum's own exporter, among them two merged decoders
(`optimum-t5-merged`, `optimum-gpt2-merged`: both decoders under an If on use_cache_branch,
checked in the with-past branch). Beside the corpus, `zoo:merged_decoder` (the same structure built in code) is checked
over a range of past lengths, `ppocr-rec-range` over a range of batch and line width, and
`optimum-bert-range` (Optimum's BERT export) over two profiles of batch and sequence length:
accuracy at each profile's min, opt and max, the figures the worst of them.

Each model runs in its own process (so its peak memory is its own, and a crash is a row, not the
end of the table), with timing off and a fresh engine cache. Columns: nodes, share of nodes in
TensorRT, engines built, the verdict (pass / fail / not measured), max abs error and cosine
against fp32, seconds for the model's whole check, peak resident memory of that process. A
`pass` here means the converted model ran (TensorRT engines, or ONNX Runtime stand-ins where no
engine can run) and was compared; `not measured` rows say why.

Every fail is then searched for nodes to keep in fp32 (`--keep-fp32 auto`, in the same
check: the search, then engines built with the nodes it found and the precision measured again);
a second table gives, for each, the nodes kept, the verdict after and the search's seconds.
`--no-search` leaves that out.
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
name, precisions, search = sys.argv[1], sys.argv[2].split(","), sys.argv[3] == "search"
start = time.perf_counter()
if name.startswith("zoo:"):  # built in code: the Optimum-style merged decoder, over past lengths
    import trtlab
    past = {"min": [1, 1, 32], "opt": [1, 8, 32], "max": [1, 32, 32]}
    model, feeds, profiles = trtlab.load(name), None, [{"past_key": past, "past_value": past}]
else:
    model, feeds = corpus.load(name)
    profiles = corpus.profiles(name)
with tempfile.TemporaryDirectory() as cache:
    r = check(model, precisions, feeds=feeds, cache_dir=cache, timing=False,
              keep_fp32="auto" if search else None, profiles=profiles)
seconds = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
rows = []
for p in precisions:
    v = r.verdict(p)
    s = r.searches.get(p)
    acc = [a for a in r.accuracy if a.precision == p]
    outs = [o for a in acc for o in a.outputs]  # over a profile: at min, opt and max
    engines = [e for e in r.engines if e.precision == p]
    rows.append({"model": name, "precision": p, "nodes": len(model.nodes),
                 "coverage": r.plan.coverage_pct, "built": sum(e.built for e in engines),
                 "engines": r.plan.engine_count,
                 "status": "fail" if s else v.status, "reason": s.check_before if s else v.reason,
                 "search": None if s is None else {
                     "kept": s.names, "status": v.status, "seconds": s.seconds, "passed": s.passed,
                     "bound": s.bound, "tried": s.tried, "best": "" if s.passed else s.after,
                     # the verified check's figures (the engines built with the kept nodes)
                     "max_abs": max((o.max_abs for o in outs), default=None) if s.passed else None,
                     "cosine": min((o.cosine for o in outs), default=None) if s.passed else None},
                 # figures of the check itself (after a search they are the verified run's: see its table)
                 "max_abs": None if s else max((o.max_abs for o in outs), default=None),
                 "cosine": None if s else min((o.cosine for o in outs), default=None),
                 "seconds": seconds, "peak_mb": peak_mb})
print(json.dumps(rows))
"""


def main() -> int:
    from trtlab import corpus
    from trtlab.precision_registry import NAMES

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="+", default=corpus.names(available=True) + ["zoo:merged_decoder"])
    ap.add_argument("--precisions", nargs="+", default=list(NAMES))
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per model")
    ap.add_argument("--no-search", action="store_true", help="no --keep-fp32 auto search of the fails")
    args = ap.parse_args()
    missing = sorted(set(corpus.names()) - set(corpus.names(available=True)))
    if missing:
        print(f"not installed, skipped: {', '.join(missing)}")
    head = f"{'model':16} {'prec':5} {'nodes':>6} {'in TRT':>7} {'built':>6} {'status':13} " \
           f"{'max abs':>9} {'cosine':>9} {'s':>6} {'peak MB':>8}  reason"
    print(head)
    print("-" * len(head))
    searched = []
    for name in args.models:
        with tempfile.TemporaryDirectory():
            try:
                out = subprocess.run([sys.executable, "-c", ONE_MODEL, name, ",".join(args.precisions),
                                      "none" if args.no_search else "search"],
                                     capture_output=True, text=True, timeout=args.timeout)
            except subprocess.TimeoutExpired:
                print(f"{name:16} (all) did not finish in {args.timeout:.0f} s")
                continue
        if out.returncode != 0:
            last = (out.stderr.strip().splitlines() or ["no output"])[-1]
            print(f"{name:16} (all) could not be checked: exit {out.returncode}: {last[:160]}")
            continue
        rows = json.loads(out.stdout.strip().splitlines()[-1])
        searched += [r for r in rows if r["search"] is not None]
        for r in rows:
            num = lambda v, f: "-".rjust(int(f[0])) if v is None else format(v, f)  # noqa: E731
            print(f"{r['model']:16} {r['precision']:5} {r['nodes']:>6} {r['coverage']:>6.1f}% "
                  f"{r['built']:>2}/{r['engines']:<3} {r['status']:13} {num(r['max_abs'], '9.3g')} "
                  f"{num(r['cosine'], '9.6f')} {r['seconds']:>6.1f} {r['peak_mb']:>8.0f}  {r['reason'][:110]}")
    if not args.no_search:
        _print_searches(searched)
    return 0


def _print_searches(rows: list[dict]) -> None:
    """For every fail the search ran on: the nodes kept (of at most `bound`), the converted models
    it tried, the verdict after (the check with engines built with those nodes kept), its figures,
    the search's seconds; where nothing under the bound passed, the best set found."""
    print()
    head = (f"{'--keep-fp32 auto':16} {'prec':5} {'kept':>5} {'bound':>5} {'tried':>5} {'after':13} "
            f"{'max abs':>9} {'cosine':>9} {'search s':>8}  nodes kept (the first 4)")
    print(head)
    print("-" * len(head))
    if not rows:
        print("(no fail to search)")
    for r in rows:
        s = r["search"]
        num = lambda v, f: "-".rjust(int(f[0])) if v is None else format(v, f)  # noqa: E731
        names = ", ".join(s["kept"][:4]) + (", ..." if len(s["kept"]) > 4 else "")
        print(f"{r['model']:16} {r['precision']:5} {len(s['kept']):>5} {s['bound']:>5} {s['tried']:>5} "
              f"{s['status']:13} {num(s['max_abs'], '9.3g')} {num(s['cosine'], '9.6f')} {s['seconds']:>8.1f}  "
              f"{names or '-'}" + (f"; best found: {s['best'][:160]}" if s["best"] else ""))


if __name__ == "__main__":
    sys.exit(main())
