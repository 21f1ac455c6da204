"""What the engine builds tell, rendered: the precision each engine's kernels really run in, and
what fusion saved (kernels launched, activation bytes between kernels, weight bytes), labelled as
counted from the build, not timed."""

from __future__ import annotations

import html

from .._io import human_bytes
from .._optional import require
from ..fusion.savings import COUNTED
from .charts import integer_ticks, titled
from .tables import clipped, table

# Under the chart where an engine launches more kernels than ONNX nodes account for.
SEVERAL_KERNELS = ("A node can become several kernels: TensorRT adds its own to move data between layouts "
                   "or precisions, and splits a node whose input it pads or quantizes first")



def _mib(n) -> str:
    return "-" if n is None else human_bytes(n)


def precision_table(result) -> str:
    """Per engine: kernels in the requested precision, and those that are not, with why."""
    rows = []
    for row in result.engine_precision:
        sid, ep = row.subgraph, row.kernels
        off = ep.off_target
        why = "; ".join(dict.fromkeys(f"{layer.precision}: {layer.reason}" for layer in off if layer.reason))
        rows.append([sid, ep.requested, f"{ep.in_requested} of {len(ep.layers)}",
                     ", ".join(f"{p} {n}" for p, n in sorted(ep.counts.items())), clipped(why, 300),
                     ep.warning or ""])
    return table(["subgraph", "requested", "kernels in it", "kernels by precision", "not in it, and why",
                  "warning"], rows, "trtlab-engine-precision")


def fusion_table(result) -> str:
    rows = []
    for row in result.fusion:
        fs = row.savings
        rows.append([row.subgraph, fs.precision, f"{fs.kernels_before} → {fs.kernels_after}",
                     f"{_mib(fs.traffic_before)} → {_mib(fs.traffic_after)}", _mib(sum(fs.weight_bytes.values())),
                     _mib(fs.engine_weights_total if fs.engine_weights_total is not None
                          else sum(fs.engine_weight_bytes.values()) or None)])
    why = "".join(f"<p>Subgraph {row.subgraph}: {html.escape(row.savings.why_more_kernels)}</p>"
                  for row in result.fusion if row.savings.why_more_kernels)
    return (f"<p>What fusion saves, {COUNTED}: ONNX nodes that compute on activations against the "
            "engine's kernels, and activation bytes written and read between them.</p>"
            + table(["subgraph", "precision", "kernels (nodes → kernels)", "activation traffic",
                     "weights in the model", "weights in the engine"], rows, "trtlab-fusion") + why)


def fusion_figure(result):
    """Kernels and activation traffic before and after fusion, per engine and precision."""
    go = require("plotly.graph_objects", "lab", "Drawing charts")
    from plotly.subplots import make_subplots

    names = [f"engine {row.subgraph} {row.precision}" for row in result.fusion]
    savings = [row.savings for row in result.fusion]
    fig = make_subplots(rows=1, cols=2, subplot_titles=("kernels launched", "activation traffic (MiB)"))
    for label, attr, colour in (("before fusion (one per ONNX node)", "before", "#9e9e9e"),
                                ("after fusion (TensorRT kernels)", "after", "#2e7d32")):
        fig.add_trace(go.Bar(x=names, y=[getattr(fs, f"kernels_{attr}") for fs in savings], name=label,
                             marker_color=colour, legendgroup=attr), row=1, col=1)
        fig.add_trace(go.Bar(x=names, y=[getattr(fs, f"traffic_{attr}") / 2**20 for fs in savings],
                             name=label, marker_color=colour, legendgroup=attr, showlegend=False), row=1, col=2)
    fig.update_yaxes(row=1, col=1, **integer_ticks([v for fs in savings
                                                    for v in (fs.kernels_before, fs.kernels_after)]))
    more = any(fs.why_more_kernels for fs in savings)
    titled(fig, f"What fusion saves ({COUNTED})", SEVERAL_KERNELS if more else "", above=24)  # over the subplot titles
    fig.update_layout(barmode="group", template="plotly_white")
    return fig


def sections(result) -> str:
    out = ""
    if result.engine_precision:
        out += "<h3>What the engines run in</h3>" + precision_table(result)
    if result.fusion:
        out += "<h3>What fusion saves</h3>" + fusion_table(result)
    return out
