"""`trtlab check`: partition, convert, build, run, compare and time a model, in one go.

Takes every model option of `trtlab inspect`; --precision takes several values here.
"""

from __future__ import annotations

import sys

from .inspect import add_model_options, inputs_from_args, partition_settings
from .numbers import count, seconds
from .output import json_only_on_stdout
from .preflight import check_inputs, check_outputs, writing

EPILOG = """exit status:
  0  every requested precision was measured and passed
  1  a precision failed, or could not be measured (the output says why)
  2  a usage error (bad option, missing file, unreadable model)
  130 interrupted"""


def register(sub) -> None:
    import argparse

    p = sub.add_parser("check", help="build engines, compare accuracy and time a model",
                       description="Partition the model, build a TensorRT engine per subgraph in each "
                                   "precision (cached), run the hybrid model against the fp32 whole "
                                   "model, time it, and say plainly what could not be done here. Each "
                                   "precision ends in one status: pass, fail or not measured.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_model_options(p, many_precisions=True)
    add_check_options(p)
    p.add_argument("--json", action="store_true", help="print the result as JSON (and only that) on stdout")
    p.add_argument("--report", metavar="FILE.html", help="write a self-contained HTML report")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress lines on stderr")
    p.set_defaults(func=run)


def add_check_options(p) -> None:
    """What a check does besides the model and its precisions (`trtlab sweep` takes them too)."""
    p.add_argument("--calibration", metavar="DIR",
                   help="int8 calibration samples: .npy files (one-input models) or .npz files")
    p.add_argument("--cache-dir", metavar="DIR", help="engine cache directory (default: ~/.cache/trtlab)")
    p.add_argument("--no-cache", action="store_true", help="build every engine afresh, cache nothing")
    p.add_argument("--no-build", action="store_true", help="skip engine builds (accuracy with stand-ins only)")
    p.add_argument("--build-timeout", type=seconds(zero=True), default=600.0, metavar="S",
                   help="stop an engine build after S seconds (default: 600; 0 for no limit)")
    p.add_argument("--no-timing", action="store_true", help="skip timing")
    p.add_argument("--seconds", type=seconds(zero=True), default=1.0, metavar="S",
                   help="time each backend for at least S seconds (default: 1)")
    p.add_argument("--iterations", type=count(minimum=1), default=10, metavar="N",
                   help="and at least N runs (default: 10)")
    p.add_argument("--warmup-ms", type=seconds(zero=True, unit="milliseconds"), default=200.0, metavar="MS", help="warm-up time (default: 200)")
    p.add_argument("--per-node", action="store_true",
                   help="also find the nodes where reduced-precision error enters")
    for point, what in (("min", "smallest"), ("opt", "most usual (the check runs and times at it)"),
                        ("max", "largest")):
        p.add_argument(f"--{point}-shapes", action="append", default=[], metavar="NAME:SHAPE",
                       help=f"optimisation profile, as trtexec's --{point}Shapes: the {what} shape of a "
                            "dynamic input, e.g. input_ids:1x16 or input_ids:[1,16] (repeatable, or comma-separated); an "
                            "input named again starts the next profile, as Polygraphy's repeated groups; "
                            "engines are built with every profile and accuracy is measured at each one's "
                            "min, opt and max")
    p.add_argument("--time-shapes", choices=("opt", "all"), default="opt",
                   help="over optimisation profiles, time at opt only (the default) or at every profile's "
                        "min, opt and max: a timing row per point, each saying its shapes")
    add_accuracy_options(p)


def add_accuracy_options(p) -> None:
    form = "[PRECISION=][OUTPUT:]VALUE"
    for flag, what in (("--atol", "absolute tolerance"), ("--rtol", "relative tolerance (of |reference|)"),
                       ("--min-cosine", "smallest cosine similarity that passes")):
        p.add_argument(flag, nargs="+", action="extend", default=[], metavar=form,
                       help=f"{what}: for every reduced precision, or PRECISION=, or one OUTPUT: (repeatable)")
    p.add_argument("--error-stat", default="elemwise", metavar="STAT",
                   help="how an output's error is judged: elemwise (every element within atol + rtol·|ref|, "
                        "the default), max, mean, median or quantile:Q (that statistic of the absolute error "
                        "within atol, or of the relative error within rtol)")
    p.add_argument("--keep-fp32", nargs="+", default=None, metavar="NODE",
                   help="nodes to keep in fp32 at every reduced precision (unquantized at int8), or 'auto': "
                        "where a precision fails, search for a small set that passes and verify it with "
                        "engines built that way")
    p.add_argument("--keep-fp32-bound", type=float, default=0.1, metavar="SHARE",
                   help="the search keeps at most this share of the model's nodes (default: 0.1)")


def tolerances_from_args(args) -> dict | None:
    from ..accuracy.tolerances import parse_override, with_overrides

    overrides = [parse_override(field, text) for field, given in
                 (("atol", args.atol), ("rtol", args.rtol), ("min_cosine", args.min_cosine)) for text in given]
    if not overrides and args.error_stat == "elemwise":
        return None
    return with_overrides(args.precision, overrides, args.error_stat)


def keep_fp32_from_args(args):
    keep = args.keep_fp32
    if keep is None:
        return None
    if "auto" in keep:
        if len(keep) > 1:
            from ..errors import TrtlabError

            raise TrtlabError("--keep-fp32 takes node names or 'auto', not both.",
                              hint="Use --keep-fp32 auto alone, or list the nodes.")
        return "auto"
    return tuple(keep)


def profiles_from_args(args) -> tuple:
    """The optimisation profiles of --min-shapes/--opt-shapes/--max-shapes, if any: an input
    named again starts the next profile (as Polygraphy's repeated --trt-min-shapes groups)."""
    from ..profiles import Profile

    if not (args.min_shapes or args.opt_shapes or args.max_shapes):
        return ()
    return Profile.parse_groups(min=args.min_shapes, opt=args.opt_shapes, max=args.max_shapes)


def settings_from_args(args):
    from ..check import CheckSettings, TimingOptions

    return CheckSettings(
        precisions=tuple(args.precision), partition=partition_settings(args),
        inputs=inputs_from_args(args), params=args.params, feeds=args.feeds, calibration=args.calibration,
        cache_dir=False if args.no_cache else (args.cache_dir or True), build=not args.no_build,
        build_timeout_s=args.build_timeout or None, timing=not args.no_timing, per_node=args.per_node,
        tolerances=tolerances_from_args(args), keep_fp32=keep_fp32_from_args(args),
        keep_fp32_bound=args.keep_fp32_bound,
        profiles=profiles_from_args(args), time_shapes=args.time_shapes,
        timing_options=TimingOptions(warmup_ms=args.warmup_ms, iterations=args.iterations, seconds=args.seconds))


def run(args) -> int:
    from ..check import check

    check_inputs(args)
    check_outputs({"--report": args.report})
    settings = settings_from_args(args)

    def progress(event) -> None:
        if not args.quiet:
            print(f"[{event.done}/{event.total}] {event.message}", file=sys.stderr, flush=True)

    with json_only_on_stdout(args.json):
        result = check(args.model, settings, progress=progress)
        if args.report:
            with writing(args.report, "--report"):
                result.save_html(args.report)
    if args.json:
        print(result.to_json(indent=1))
    else:
        print(result.summary())
        for report in result.node_errors.values():
            print(report.summary())
        if args.report:
            print(f"Wrote report: {args.report}")
    sys.stdout.flush()
    return result.exit_status
