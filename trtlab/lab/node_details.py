"""One node, told in HTML: op, attributes, input and output shapes, and where the plan put it."""

from __future__ import annotations

import html

import numpy as np
from onnx import helper

from ..plan import Plan


def _attr_text(attr) -> str:
    try:
        value = helper.get_attribute_value(attr)
    except Exception:
        return "?"
    if hasattr(value, "dims") and hasattr(value, "data_type"):  # a TensorProto
        return f"tensor {list(value.dims)}"
    if hasattr(value, "node"):  # a subgraph
        return f"graph ({len(value.node)} nodes)"
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, (list, tuple)) and len(value) > 16:
        value = f"[{', '.join(map(str, value[:16]))}, … {len(value)} values]"
    if isinstance(value, float):
        value = float(np.float32(value))
    return str(value)


def _tensor_row(plan: Plan, name: str) -> str:
    info = plan.model.tensors.get(name)
    kind = "weight" if name in plan.model.initializer_names else "activation"
    shape = f"{info.dtype}[{info.shape_text()}]" if info else "unknown"
    return (f"<tr><td><code>{html.escape(name)}</code></td><td>{html.escape(shape)}</td>"
            f"<td>{kind}</td></tr>")


def node_details_html(plan: Plan, name: str) -> str:
    model = plan.model
    node = model.node_by_name.get(name)
    if node is None:
        return f"<i>No node named <code>{html.escape(name)}</code>.</i>"
    verdict = plan.coverage.verdicts.get(name)
    engine = plan.placement().get(name)
    if engine is not None:
        where = (f"<span style='color:#2e7d32'>in TensorRT engine "
                 f"<b>trt_engine_{engine}</b></span>")
    else:
        reason = next((f.reason for f in plan.fallback_nodes if f.name == name), "")
        if not reason and verdict is not None:
            reason = verdict.reason
        where = f"<span style='color:#b71c1c'>falls back: {html.escape(reason or 'not in an engine')}</span>"
    source = ""
    if verdict is not None:
        source = (f"<div>{html.escape(plan.coverage.source)} says: "
                  f"{'supported' if verdict.supported else 'not supported'}"
                  f"{' - ' + html.escape(verdict.reason) if verdict.reason else ''}</div>")
    attrs = "".join(f"<tr><td><code>{html.escape(a.name)}</code></td><td colspan=2>"
                    f"{html.escape(_attr_text(a))}</td></tr>" for a in node.attribute)
    ins = "".join(_tensor_row(plan, t) for t in node.input if t)
    outs = "".join(_tensor_row(plan, t) for t in node.output if t)
    return (
        f"<div class='trtlab-node-details' data-node='{html.escape(name, quote=True)}'>"
        f"<div><b>{html.escape(name)}</b> &nbsp; op <code>{html.escape(node.op_type)}</code></div>"
        f"<div>{where}</div>{source}"
        "<table style='border-collapse:collapse;margin-top:4px'>"
        f"{'<tr><th colspan=3 style=text-align:left>attributes</th></tr>' + attrs if attrs else ''}"
        f"<tr><th colspan=3 style=text-align:left>inputs</th></tr>{ins or '<tr><td colspan=3>none</td></tr>'}"
        f"<tr><th colspan=3 style=text-align:left>outputs</th></tr>{outs}"
        "</table></div>")


def group_details_html(plan: Plan, name: str, members) -> str:
    """A TensorRT engine of the after-graph, or a collapsed block of the before-graph."""
    members = list(members)
    placement = plan.placement()
    inside = sum(placement.get(m) is not None for m in members)
    sub = next((s for s in plan.subgraphs if s.name == name), None)
    ops: dict[str, int] = {}
    for m in members:
        op = plan.model.node_by_name[m].op_type
        ops[op] = ops.get(op, 0) + 1
    op_text = ", ".join(f"{op}×{k}" for op, k in sorted(ops.items(), key=lambda kv: -kv[1]))
    head = (f"TensorRT engine <b>{html.escape(name)}</b>" if sub else
            f"block <b>{html.escape(name)}</b>: {inside} of {len(members)} nodes in TensorRT")
    io = ""
    if sub is not None:
        io = (f"<div>inputs: {html.escape(', '.join(sub.inputs))}</div>"
              f"<div>outputs: {html.escape(', '.join(sub.outputs))}</div>")
    shown = ", ".join(members[:40]) + (f", … ({len(members) - 40} more)" if len(members) > 40 else "")
    return (f"<div class='trtlab-node-details' data-node='{html.escape(name, quote=True)}'>"
            f"<div>{head}</div><div>{len(members)} nodes: {html.escape(op_text)}</div>{io}"
            f"<div style='color:#666'>{html.escape(shown)}</div>"
            "<div><i>Pick a node by name for its details.</i></div></div>")
