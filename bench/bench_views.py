"""Graph view speed.

1. Static SVG: the first layout with graphviz's `dot` against re-colouring after a coverage change
   (restyling the laid-out SVG), on the full ResNet-50 before-graph. Target: restyling < 100 ms.
2. The graph widget at scale: residual chains of 5,000 and 50,000 nodes (plus one Constant per
   block, folded) open with every group closed; then one group opens. Targets: 5,000 nodes open
   in < 2 s and a group opens in < 200 ms; 50,000 nodes open in < 5 s. The coverage is computed
   before the clock starts (the Lab has it already); "open" is hierarchy + layout + colours.
3. The static collapsed drawing (`before_graph(plan).svg()`, the same groups as the widget) of
   those chains and of PP-OCRv4 rec (no name scopes, 420 Constant nodes): seconds, boxes, size.

    python bench/bench_views.py                  # zoo resnet50, every node drawn, then the scale runs
    python bench/bench_views.py transformer --repeat 10 --no-scale
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np
from onnx import TensorProto, helper, numpy_helper

import trtlab
import trtlab.zoo
from trtlab.views import before_graph, item_styles, restyle_before
from trtlab.views import graph as graph_module


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def chain_model(blocks: int) -> trtlab.Model:
    """Residual blocks Conv-Relu-Conv-Add-Relu with a Constant weight each: 6 ONNX nodes a block,
    exporter-numbered names (no scopes), like PP-OCR's."""
    nodes, prev = [], "x"
    weight = numpy_helper.from_array(np.full((4, 4, 1, 1), 0.1, np.float32))
    for b in range(blocks):
        w = f"Constant_{b}"
        weight.name = w
        nodes += [helper.make_node("Constant", [], [w], name=w, value=weight),
                  helper.make_node("Conv", [prev, w], [f"c{b}"], name=f"p2o.Conv.{2 * b}"),
                  helper.make_node("Relu", [f"c{b}"], [f"r{b}"], name=f"p2o.Relu.{2 * b}"),
                  helper.make_node("Conv", [f"r{b}", w], [f"d{b}"], name=f"p2o.Conv.{2 * b + 1}"),
                  helper.make_node("Add", [f"d{b}", prev], [f"a{b}"], name=f"p2o.Add.{b}"),
                  helper.make_node("Relu", [f"a{b}"], [f"y{b}"], name=f"p2o.Relu.{2 * b + 1}")]
        prev = f"y{b}"
    graph = helper.make_graph(nodes, "chain", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 8, 8])],
                              [helper.make_tensor_value_info(prev, TensorProto.FLOAT, [1, 4, 8, 8])])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    return trtlab.Model.from_proto(proto, name=f"chain{blocks}", source="bench")


def scale() -> bool:
    from trtlab.views.hierarchy import model_hierarchy
    from trtlab.views.layout import GraphLayout
    from trtlab.views.overlays import node_data, paint

    ok = True
    if hasattr(os, "getloadavg"):
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for blocks, open_target in ((1000, 2.0), (10000, 5.0)):
        model = chain_model(blocks)
        plan = trtlab.partition(model)
        start = time.perf_counter()
        hierarchy = model_hierarchy(model)
        layouter = GraphLayout(hierarchy)
        graph = layouter.layout()
        data = node_data(model, plan)
        cache: dict = {}
        paint(data, "coverage", {i["id"]: hierarchy.members(i["id"]) for i in graph["items"]
                                 if i["kind"] in ("node", "group")}, cache)
        open_s = time.perf_counter() - start
        times = []
        for group in [i["id"] for i in graph["items"] if i["kind"] == "group"][:5]:
            start = time.perf_counter()  # a group not opened before: its layout is not cached
            graph2 = layouter.layout([group])
            paint(data, "coverage", {i["id"]: hierarchy.members(i["id"]) for i in graph2["items"]
                                     if i["kind"] in ("node", "group")}, cache)
            times.append(time.perf_counter() - start)
        expand_s = statistics.median(times)
        static_s, static = static_drawing(plan)
        constants = "SOME" if 'data-name="Constant_' in static else "no"
        n = len(model.nodes)
        print(f"{n:,} nodes ({len(hierarchy.drawn):,} drawn, {len(hierarchy.groups)} groups): "
              f"{len(graph['items'])} boxes at the top")
        print(f"{'  open, groups closed':<36}{open_s * 1000:>10.0f} ms  (target < {open_target:.0f} s)")
        print(f"{'  open one group (median of 5)':<36}{expand_s * 1000:>10.0f} ms  (target < 200 ms; "
              f"{len(graph2['items'])} boxes)")
        print(f"{'  static SVG, collapsed':<36}{static_s * 1000:>10.0f} ms  "
              f"({constants} Constant boxes, {_boxes(static)})")
        ok &= open_s < open_target and expand_s < 0.2
    try:
        from trtlab import corpus

        model, _ = corpus.load("ppocr-rec")  # no name scopes, 420 Constant nodes
    except trtlab.TrtlabError as exc:
        print(f"ppocr-rec: skipped ({exc})")
        return ok
    static_s, static = static_drawing(trtlab.partition(model))
    print(f"ppocr-rec ({len(model.nodes)} nodes)")
    print(f"{'  static SVG, collapsed':<36}{static_s * 1000:>10.0f} ms  ({_boxes(static)})")
    return ok


def static_drawing(plan) -> tuple[float, str]:
    """Seconds for the static before-graph (hierarchy, `dot`, SVG) with a cold layout cache."""
    graph_module._LAYOUTS.clear()
    graph_module._HIERARCHIES.clear()
    start = time.perf_counter()
    svg = before_graph(plan).svg()
    return time.perf_counter() - start, svg


def _boxes(svg: str) -> str:
    from trtlab.views.svg import svg_size

    w, h = svg_size(svg)
    boxes = svg.count('class="node trt-')
    return f"{boxes} boxes, {w:.0f} x {h:.0f} pt"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", default="resnet50", help="zoo model name")
    parser.add_argument("--exclude-op", default="Conv", help="op type the changed coverage excludes")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median is shown)")
    parser.add_argument("--no-scale", action="store_true", help="skip the 5,000 / 50,000-node runs")
    args = parser.parse_args(argv)

    model = trtlab.zoo.get(args.model)
    before = trtlab.coverage(model)
    after = trtlab.coverage(model, exclude_ops=[args.exclude_op])

    def first_layout() -> str:
        graph_module._LAYOUTS.clear()  # a cold cache: `dot` runs
        return before_graph(model, before, collapse=False).svg()

    layout_s, svg = timed(first_layout, args.repeat)
    restyle_s, restyled = timed(lambda: restyle_before(svg, after), max(args.repeat, 20))
    cached_s, via_cache = timed(lambda: before_graph(model, after, collapse=False).svg(), args.repeat)

    old, new = item_styles(svg), item_styles(restyled)
    changed = sum(1 for k in old if old[k][:2] != new[k][:2])
    if item_styles(via_cache) != new:
        print("error: re-colouring through the layout cache differs from restyle_before", file=sys.stderr)
        return 1
    print(f"{model.name}: {len(model.nodes)} nodes drawn, SVG {len(svg) / 1024:.0f} KiB; "
          f"excluding {args.exclude_op} changes the colour of {changed} nodes")
    print(f"{'first layout (dot + SVG)':<36}{layout_s * 1000:>10.1f} ms")
    print(f"{'restyle_before (no layout)':<36}{restyle_s * 1000:>10.2f} ms")
    print(f"{'before_graph again (cached layout)':<36}{cached_s * 1000:>10.2f} ms")
    print(f"{'layout / restyle':<36}{layout_s / restyle_s:>10.0f} x")
    ok = restyle_s < 0.1
    print(f"restyle under 100 ms: {'yes' if ok else 'NO'}")
    if not args.no_scale:
        scaled = scale()
        print(f"scale targets met: {'yes' if scaled else 'NO'}")
        ok &= scaled
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
