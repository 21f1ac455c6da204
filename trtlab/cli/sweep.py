"""`trtlab sweep`: check many models in many precisions on a Dask cluster, one task per
(model, precision), each result written to DIR/<model>/<precision>.json as it arrives.

Takes `trtlab check`'s options; runs on a local cluster unless --scheduler names one.
"""

from __future__ import annotations

import sys

from .check import add_check_options, settings_from_args
from .inspect import add_model_options
from .numbers import count
from .preflight import check_inputs, check_outputs

EPILOG = """where tasks run:
  by default on a Dask LocalCluster on this machine (one worker process per core), closed at the end;
  --scheduler tcp://HOST:PORT runs them on a cluster of `dask worker` processes. Workers that declare
  --resources GPU=1 run one check at a time on their GPU (tasks ask for GPU=1 whenever a worker has one).

exit status:
  0  every task was measured and passed
  1  a task failed, could not be measured, or could not run (its row says why)
  2  a usage error
  130 interrupted (the tasks left are cancelled; finished results stay in DIR)"""


def register(sub) -> None:
    import argparse

    p = sub.add_parser("sweep", help="check many models in many precisions on a Dask cluster",
                       description="Run `trtlab check` for every model in every precision, one Dask task "
                                   "each, and write DIR/<model>/<precision>.json, DIR/summary.html and a "
                                   "summary table. A rerun skips tasks whose result is in DIR for the same "
                                   "model bytes and settings.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_model_options(p, many_precisions=True, many_models=True)
    add_check_options(p)
    p.add_argument("--out", required=True, metavar="DIR", help="folder of the results (made if missing)")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="a running Dask scheduler (default: a local cluster on this machine)")
    p.add_argument("--workers", type=count(minimum=1), metavar="N",
                   help="worker processes of the local cluster (default: one per core)")
    gpu = p.add_mutually_exclusive_group()
    gpu.add_argument("--gpu", dest="gpu", action="store_const", const=True,
                     help="every task asks a worker for GPU=1 (default: when any worker declares a GPU)")
    gpu.add_argument("--no-gpu", dest="gpu", action="store_const", const=False,
                     help="tasks ask for no GPU, whatever the workers declare")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress lines on stderr")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..errors import TrtlabError
    from ..sweeps import sweep

    check_inputs(args)
    check_outputs({"--out": f"{args.out}/summary.html"})
    if args.params and sum(str(m).lower().endswith(".json") for m in args.model) > 1:
        raise TrtlabError("--params goes with one MXNet symbol .json; this sweep has several.",
                          hint="Sweep MXNet models one at a time, or convert them to ONNX first.")
    settings = settings_from_args(args)
    running = sweep(args.model, list(args.precision), args.scheduler, out=args.out, workers=args.workers,
                    gpu=args.gpu, settings=settings)
    if not args.quiet:
        running.observe(_progress())
    try:
        running.wait()
    except KeyboardInterrupt:
        print(running.summary(), flush=True)
        raise
    print(running.summary())
    print(f"Records in {args.out}/<model>/<precision>.json; summary: {args.out}/summary.html")
    sys.stdout.flush()
    return running.exit_status


def _progress():
    seen: set = set()

    def show(running) -> None:
        for row in list(running.rows):
            if id(row) in seen:
                continue
            seen.add(id(row))
            where = f", {row.worker}, {row.seconds:.1f} s" if row.seconds is not None else ""
            print(f"[{len(seen)}/{running.total}] {row.model} {row.precision}: {row.status}"
                  f"{' (' + row.origin + ')' if row.origin != 'ran' else ''}{where}", file=sys.stderr, flush=True)
    return show
