"""Graph view speed: the first layout with graphviz's `dot` against re-colouring after a
coverage change (restyling the laid-out SVG), side by side, on the full ResNet-50 before-graph.

    python bench/bench_views.py                  # zoo resnet50, every node drawn
    python bench/bench_views.py transformer --repeat 10

The coverage change excludes every Conv (the op named by --exclude-op), so most nodes change
colour. Target: restyling under 100 ms for ResNet-50; it should be far lower.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", default="resnet50", help="zoo model name")
    parser.add_argument("--exclude-op", default="Conv", help="op type the changed coverage excludes")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median is shown)")
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
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
