"""One node or group, told in HTML: op, attributes, shapes, constants, coverage, engine, precision."""

from __future__ import annotations

import html

import numpy as np
from onnx import helper

from .. import weight_store
from ..words import counted
from ..views.hierarchy import Hierarchy
from ..views.overlays import NodeData


def _attr_text(attr) -> str:
    try:
        value = helper.get_attribute_value(attr)
    except Exception:
        return "?"
    if hasattr(value, "dims") and hasattr(value, "data_type"):  # a TensorProto
        return f"tensor {list(value.dims)}"
    if hasattr(value, "node"):  # a subgraph
        return f"graph ({counted(len(value.node), 'node')})"
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, (list, tuple)) and len(value) > 16:
        value = f"[{', '.join(map(str, value[:16]))}, … {len(value)} values]"
    if isinstance(value, float):
        value = float(np.float32(value))
    return str(value)


def _constant_value(model, tensor: str) -> str:
    """A short look at a constant's values: small ones in full, big ones by their first few."""
    proto = model.initializers.get(tensor)
    if proto is None:
        node = model.node_by_name.get(model.producer.get(tensor, ""))
        attr = next((a for a in node.attribute if a.name == "value"), None) if node is not None else None
        proto = attr.t if attr is not None else None
    if proto is None:
        return ""
    try:
        arr = weight_store.array(proto)  # while a check runs, a large weight is a reference to its store
    except Exception:
        return ""
    flat = arr.reshape(-1)
    shown = ", ".join(f"{v:.4g}" if isinstance(v, (float, np.floating)) else str(v) for v in flat[:6])
    return f"[{shown}{', …' if flat.size > 6 else ''}]"


def _tensor_row(model, name: str, kind: str) -> str:
    info = model.tensors.get(name)
    shape = f"{info.dtype}[{info.shape_text()}]" if info else "unknown"
    value = _constant_value(model, name) if kind == "constant" else ""
    return (f"<tr><td><code>{html.escape(name)}</code></td><td>{html.escape(shape)}</td>"
            f"<td>{kind}</td><td>{html.escape(value)}</td></tr>")


def _row(label: str, text: str) -> str:
    return f"<div><b>{html.escape(label)}</b>: {html.escape(text)}</div>"


def item_details_html(hierarchy: Hierarchy, data: NodeData, name: str) -> str:
    """A node: op, attributes, inputs (constants folded into it included) and outputs with shapes,
    its coverage status and reason, its engine, the precision kept and why, its error."""
    model = hierarchy.model
    node = model.node_by_name.get(name)
    if node is None:
        return f"<i>No node named <code>{html.escape(name)}</code>.</i>"
    consts = set(hierarchy.constants.get(name, ()))
    st = data.statuses.get(name)
    rows = [f"<div><b>{html.escape(name)}</b> &nbsp; op <code>{html.escape(node.op_type)}</code></div>"]
    if st is not None:
        rows.append(_row("coverage", st.line()))
    if name in data.engine_of:
        rows.append(_row("runs in", f"TensorRT engine trt_engine_{data.engine_of[name]}"))
    elif name in data.fallback:
        rows.append(_row("falls back", data.fallback[name]))
    if name in data.precision:
        why = data.precision_reason.get(name)
        rows.append(_row("precision", data.precision[name] + (f" ({why})" if why else "")))
    if name in data.error:
        rows.append(_row("error", f"{data.error[name]:.4g}"))
    attrs = "".join(f"<tr><td><code>{html.escape(a.name)}</code></td><td colspan=3>"
                    f"{html.escape(_attr_text(a))}</td></tr>" for a in node.attribute)
    ins = "".join(_tensor_row(model, t, "constant" if t in consts else "activation")
                  for t in node.input if t)
    outs = "".join(_tensor_row(model, t, "activation") for t in node.output if t)
    head = "<tr><th colspan=4 style='text-align:left'>{}</th></tr>"
    return (f"<div class='trtlab-node-details' data-node='{html.escape(name, quote=True)}'>"
            + "".join(rows) + "<table class='trtlab-details-table'>"
            + (head.format("attributes") + attrs if attrs else "")
            + head.format("inputs") + (ins or "<tr><td colspan=4>none</td></tr>")
            + head.format("outputs") + outs + "</table></div>")


def group_details_html(model, data: NodeData, name: str, members) -> str:
    """A group of the before-graph or a TensorRT engine of the after-graph."""
    members = list(members)
    inside = sum(m in data.engine_of for m in members)
    ops: dict[str, int] = {}
    for m in members:
        op = model.node_by_name[m].op_type
        ops[op] = ops.get(op, 0) + 1
    op_text = ", ".join(f"{op}×{k}" for op, k in sorted(ops.items(), key=lambda kv: -kv[1]))
    statuses: dict[str, int] = {}
    for m in members:
        s = data.statuses[m].status if m in data.statuses else "unknown"
        statuses[s] = statuses.get(s, 0) + 1
    mix = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items(), key=lambda kv: -kv[1]))
    head = (f"<b>{html.escape(name)}</b>: {counted(len(members), 'op')}"
            + (f", {inside} in TensorRT engines" if data.engine_of else ""))
    shown = ", ".join(members[:40]) + (f", … ({len(members) - 40} more)" if len(members) > 40 else "")
    return (f"<div class='trtlab-node-details' data-node='{html.escape(name, quote=True)}'>"
            f"<div>{head}</div><div>{html.escape(op_text)}</div><div>status: {html.escape(mix)}</div>"
            f"<div style='color:#666'>{html.escape(shown)}</div>"
            "<div><i>A click on the group opens or closes it.</i></div></div>")
