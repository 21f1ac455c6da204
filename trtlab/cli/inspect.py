"""`trtlab inspect`: coverage and partition of a model, as a dry-run report or JSON.

The option helpers here are shared with `trtlab check`.
"""

from __future__ import annotations

import argparse
import sys

from ..errors import TrtlabError
from ..model import parse_shape
from ..precision_registry import NAMES as PRECISIONS
from ..settings import SOURCES
from .preflight import check_inputs, check_outputs, writing

MAX_DIM = 2**63 - 1  # ONNX dimensions are int64


def input_shape(text: str) -> tuple[str, tuple[int, ...]]:
    name, sep, shape = text.rpartition(":")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"'{text}' is not NAME:SHAPE, e.g. data:1x3x224x224")
    try:
        dims = parse_shape(shape)
    except TrtlabError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if any(d > MAX_DIM for d in dims):
        raise argparse.ArgumentTypeError(f"'{text}': a dimension is larger than ONNX can hold ({MAX_DIM})")
    return name, dims


def add_model_options(p: argparse.ArgumentParser, *, many_precisions: bool = False, many_models: bool = False) -> None:
    p.add_argument("model", metavar="MODEL", nargs="+" if many_models else None,
                   help="an .onnx file, an MXNet symbol .json (with --params), or zoo:NAME"
                        + (", or corpus:NAME; several of them" if many_models else ""))
    p.add_argument("--input", dest="inputs", action="append", type=input_shape, default=[],
                   metavar="NAME:SHAPE", help="fix an input's shape, e.g. data:1x3x224x224 (repeatable)")
    p.add_argument("--params", metavar="FILE", help="MXNet .params file for a symbol .json")
    p.add_argument("--feeds", metavar="FILE.npz",
                   help="real input values, one array per model input (they also fix the input shapes)")
    # Validated in plan_from_args so a wrong value is a one-line trtlab error, not argparse usage.
    p.add_argument("--coverage", default="tensorrt", metavar="SOURCE",
                   help=f"coverage source: {', '.join(SOURCES)} (default: tensorrt)")
    p.add_argument("--exclude", nargs="+", default=[], metavar="OP", help="op types to keep out of TensorRT")
    p.add_argument("--exclude-node", nargs="+", default=[], metavar="NODE", help="nodes to keep out of TensorRT")
    p.add_argument("--include", nargs="+", default=[], metavar="OP",
                   help="op types to force into TensorRT whatever the source says")
    p.add_argument("--min-block-size", type=int, default=1, metavar="N",
                   help="smaller TensorRT subgraphs fall back (default: 1)")
    if many_precisions:
        p.add_argument("--precision", nargs="+", default=["fp32"], metavar="P",
                       help=f"precisions to check: {' '.join(PRECISIONS)} (default: fp32)")
    else:
        p.add_argument("--precision", default="fp32", metavar="P",
                       help=f"precision coverage is judged at: {', '.join(PRECISIONS)} (default: fp32)")


def inputs_from_args(args) -> dict | None:
    """Input shapes: those of --feeds' arrays, then --input's, which win."""
    shapes = {}
    if args.feeds:
        from ..feeds import feed_shapes

        shapes.update(feed_shapes(args.feeds))
    shapes.update(dict(args.inputs))
    return shapes or None


def load_from_args(args):
    from ..loaders import load

    model = load(args.model, inputs=inputs_from_args(args), params=args.params)
    if args.feeds:  # every input present, with the model's type and shape: one clear error each
        from ..feeds import check_feeds_file

        check_feeds_file(args.feeds, model)  # from the headers: inspect needs no values
    return model


def partition_settings(args):
    """The partition options of the command line as one `PartitionSettings`."""
    from ..settings import PartitionSettings

    return PartitionSettings(coverage=args.coverage, min_block_size=args.min_block_size,
                             exclude_ops=args.exclude, exclude_nodes=args.exclude_node, include_ops=args.include)


def plan_from_args(args, model=None, precision: str | None = None):
    from ..partition import partition
    from ..precision_registry import check_precision

    settings = partition_settings(args)
    if precision is None:
        precision = args.precision if isinstance(args.precision, str) else args.precision[0]
    check_precision(precision)
    model = model if model is not None else load_from_args(args)
    return partition(model, settings, precision)


def register(sub) -> None:
    p = sub.add_parser("inspect", help="coverage and partition of a model (no engines built)",
                       description="Show which nodes TensorRT takes, the subgraphs it gets, and why the "
                                   "rest falls back.")
    add_model_options(p)
    p.add_argument("--json", action="store_true", help="print the plan as JSON")
    p.add_argument("--svg-before", metavar="FILE", help="write the before-graph (.svg, .png or .dot)")
    p.add_argument("--svg-after", metavar="FILE", help="write the after-graph (.svg, .png or .dot)")
    p.add_argument("--save-onnx", metavar="FILE", help="write the ONNX model whose node names the report uses")
    p.add_argument("--compare-parser", action="store_true",
                   help="also compare with the TensorRT ONNX parser's own partition")
    p.set_defaults(func=run)


def run(args) -> int:
    check_inputs(args)
    check_outputs({"--svg-before": args.svg_before, "--svg-after": args.svg_after, "--save-onnx": args.save_onnx})
    plan = plan_from_args(args)
    if args.save_onnx:
        with writing(args.save_onnx, "--save-onnx"):
            plan.model.save(args.save_onnx)
    if args.svg_before or args.svg_after:
        from ..views import after_graph, before_graph

        if args.svg_before:
            with writing(args.svg_before, "--svg-before"):
                before_graph(plan).save(args.svg_before)
        if args.svg_after:
            with writing(args.svg_after, "--svg-after"):
                after_graph(plan).save(args.svg_after)
    if args.json:
        print(plan.to_json(indent=1))
        return 0
    from ..partition import recommend_min_block_size

    print(plan.report())
    rec, why = recommend_min_block_size(plan)
    current = ", the current value" if rec == plan.min_block_size else ""
    print(f"Recommended min_block_size: {rec}{current}. {why[:1].upper()}{why[1:]}.")
    if args.compare_parser:
        from ..partition import compare_with_parser

        print(compare_with_parser(plan))
    for flag, path in (("before-graph", args.svg_before), ("after-graph", args.svg_after),
                       ("ONNX model", args.save_onnx)):
        if path:
            print(f"Wrote {flag}: {path}")
    sys.stdout.flush()
    return 0
