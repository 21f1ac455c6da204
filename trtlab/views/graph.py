"""Before/after graph views of a model under TensorRT, drawn with graphviz.

- `before_graph`: the model's own nodes, coloured by coverage (or by a plan), op type and name as
  label, the reason in the tooltip, tensor shapes on the edges, inputs and outputs as house shapes.
  Big graphs collapse into blocks (`collapse`, `expand`) or show one neighbourhood (`focus`).
- `after_graph`: each TensorRT subgraph of a Plan as one engine node, fallback nodes with reasons.
- `before_after`: both next to each other.

Layouts are cached per model and drawing options, so colouring the same drawing for another
coverage re-styles the cached SVG instead of running ``dot`` again.
"""

from __future__ import annotations

import weakref
from collections import Counter, OrderedDict
from typing import TYPE_CHECKING, Iterable, Sequence

from ..errors import TrtlabError
from .collapse import Block, find_blocks, match_blocks, neighbourhood, resolve_nodes
from .hierarchy import folded_constants
from .status import ENGINE_FILL, FILL, IO_FILL, NodeStatus, block_status, node_statuses
from .drawing import BeforeAfter, GraphView, _legend
from .svg import dom_id, dot_text, restyle_before

if TYPE_CHECKING:
    import graphviz

    from ..coverage import CoverageReport
    from ..model import Model
    from ..plan import Plan

RANKDIRS = ("TB", "LR", "BT", "RL")
COLLAPSE_ABOVE = 150  # nodes; bigger graphs collapse into blocks unless told otherwise
BLOCK_BUDGET = 60  # about how many boxes a collapsed drawing aims for

_LAYOUTS: "weakref.WeakKeyDictionary[Model, OrderedDict]" = weakref.WeakKeyDictionary()
_LAYOUTS_PER_MODEL = 8


def before_graph(subject: "Model | Plan", coverage: "CoverageReport | Plan | str | None" = None, *,
                 rankdir: str = "TB", collapse: bool | None = None, expand: Iterable[str] = (),
                 focus: str | Sequence[str] | None = None, radius: int = 2,
                 edge_labels: bool = True, legend: bool = True) -> GraphView:
    """Draw a model's graph coloured by coverage.

    subject: a Model, or a Plan (then colours show what the partition did, small blocks too).
    coverage: a CoverageReport, a Plan, or a coverage source name ("tensorrt", "parser", ...);
      default: the plan's own, or the "tensorrt" table for a bare model.
    collapse: draw blocks of repeated structure as single boxes; default when the graph (after
      focus) has more than 150 nodes. expand: names of blocks to draw node by node, in a cluster.
    focus, radius: draw only the nodes within `radius` edges of the named node(s).
    """
    model, source = _subject(subject, coverage)
    _check_rankdir(rankdir)
    centres = resolve_nodes(model, focus) if focus is not None else []
    drawable, constants = folded_constants(model)  # Constant nodes: attributes, not boxes
    keep = set(drawable)
    names = neighbourhood(model, centres, radius) if centres else drawable
    names = [n for n in names if n in keep]
    centres = [c for c in centres if c in keep] or centres
    if collapse is None:
        collapse = len(names) > COLLAPSE_ABOVE
    budget = min(BLOCK_BUDGET, max(8, len(names) // 4))  # asked to collapse: visibly fewer boxes
    blocks = find_blocks(model, names, max_items=budget) if collapse else []
    expand = tuple(expand)
    if expand and not collapse:
        raise TrtlabError("expand= names blocks, but this drawing is not collapsed.",
                          hint="Pass collapse=True with expand=.")
    opened = match_blocks(blocks, expand) if expand else set()
    statuses = node_statuses(source, names)

    key = (rankdir, bool(collapse), tuple(sorted(opened)), tuple(centres), radius if centres else None,
           edge_labels, legend)
    digraph, meta, node_ids = _draw_before(model, names, set(centres), blocks, opened, statuses,
                                           rankdir=rankdir, edge_labels=edge_labels, legend=legend,
                                           constants=constants)
    for consumer, tensors in constants.items():  # a folded Constant shows in its first consumer
        for t in tensors:
            p = model.producer.get(t)
            if p is not None and p not in node_ids and consumer in node_ids:
                node_ids[p] = node_ids[consumer]
    cache = _LAYOUTS.setdefault(model, OrderedDict())
    cached = cache.get(key)
    where = [focus] if isinstance(focus, str) else list(focus or ())
    title = f"{model.name}: around {', '.join(where)}" if centres else f"{model.name}: before"
    view_args = dict(title=title, meta=meta, node_ids=node_ids, statuses=statuses, blocks=blocks)
    if cached is not None:
        cache.move_to_end(key)
        return GraphView("before", digraph, svg=restyle_before(cached, source), **view_args)

    def remember(svg: str) -> None:
        cache[key] = svg
        while len(cache) > _LAYOUTS_PER_MODEL:
            cache.popitem(last=False)

    return GraphView("before", digraph, _on_render=remember, **view_args)


def _draw_before(model: "Model", names: list[str], centres: set[str], blocks: list[Block],
                 opened: set[str], statuses: dict[str, NodeStatus], *, rankdir: str,
                 edge_labels: bool, legend: bool, constants: dict[str, list[str]]):
    g = _digraph(model.name, rankdir, legend)
    meta: dict[str, tuple[str, Sequence[str] | None]] = {}
    node_ids: dict[str, str] = {}
    block_of = {m: b for b in blocks for m in b.members}
    drawn_blocks: set[str] = set()
    for name in names:
        b = block_of.get(name)
        if b is not None and b.name not in opened:
            if b.name not in drawn_blocks:
                drawn_blocks.add(b.name)
                bid = dom_id(b.name, "b-")
                _block_node(g, bid, b, block_status(b.members, statuses))
                meta[bid] = (b.name, b.members)
            node_ids[name] = dom_id(b.name, "b-")
            continue
        if b is not None and b.name not in drawn_blocks:  # expanded: its nodes in a cluster
            drawn_blocks.add(b.name)
            with g.subgraph(name=f"cluster_{dom_id(b.name, '')}") as c:
                c.attr(label=dot_text(b.name), id=dom_id(b.name, "c-"), style="rounded,dashed",
                       color="#888888", fontname="Helvetica", fontsize="10")
                for m in b.members:
                    _model_node(c, model, m, statuses[m], m in centres, constants.get(m, ()))
                    meta[dom_id(m)] = (m, None)
                    node_ids[m] = dom_id(m)
        elif b is None:
            _model_node(g, model, name, statuses[name], name in centres, constants.get(name, ()))
            meta[dom_id(name)] = (name, None)
            node_ids[name] = dom_id(name)
    _io_and_edges(g, model, node_ids, edge_labels, "i-", "o-", meta, stubs=bool(centres))
    return g, meta, node_ids


def _model_node(g, model: "Model", name: str, st: NodeStatus, focused: bool,
                constants: Sequence[str] = ()) -> None:
    node = model.node_by_name[name]
    outs = ", ".join(f"{o} [{_shape(model, o)}]" for o in node.output if o)
    consts = "".join(f"\nconstant {c} [{_shape(model, c)}]" for c in constants)
    tip = f"{node.op_type} {name}\nout: {outs}{consts}\n{st.line()}"
    cls = "trt-node trt-focus" if focused else "trt-node"
    g.node(dom_id(name), label=dot_text(f"{node.op_type}\n{_short(name)}"), id=dom_id(name),
           tooltip=dot_text(tip), fillcolor=FILL[st.status], style="filled,rounded",
           penwidth="3" if focused else "1", **{"class": f"{cls} {st.status}"})


def _block_node(g, bid: str, b: Block, st: NodeStatus) -> None:
    alike = f"\n(1 of {b.repeats} alike)" if b.repeats > 1 else ""
    label = f"{_short(b.name)}\n{len(b.members)} nodes{alike}\n{b.op_summary()}"
    tip = f"block {b.name}: {len(b.members)} nodes\n{st.line()}"
    g.node(bid, label=dot_text(label), id=bid, tooltip=dot_text(tip), fillcolor=FILL[st.status],
           style="filled,rounded,bold", penwidth="2", **{"class": f"trt-block {st.status}"})


# ------------------------------------------------------------------ after
def after_graph(plan: "Plan", *, rankdir: str = "TB", edge_labels: bool = True,
                legend: bool = True) -> GraphView:
    """Draw a partitioned model: each TensorRT subgraph as one engine node, fallback nodes as
    themselves with the reason they stay out."""
    _check_plan(plan)
    _check_rankdir(rankdir)
    model = plan.model
    names = folded_constants(model)[0]  # Constant nodes left out of engines: not boxes either
    statuses = node_statuses(plan, names)
    engine_of = {n: s for s in plan.subgraphs for n in s.nodes}
    g = _digraph(model.name, rankdir, legend, engines=True)
    meta: dict[str, tuple[str, Sequence[str] | None]] = {}
    node_ids: dict[str, str] = {}
    fallback_reason = {f.name: f.reason for f in plan.fallback_nodes}
    drawn = set()
    for name in names:
        sg = engine_of.get(name)
        if sg is not None:
            eid = f"e-{sg.id}"
            node_ids[name] = eid
            if eid not in drawn:
                drawn.add(eid)
                _engine_node(g, model, eid, sg)
                meta[eid] = (sg.name, sg.nodes)
            continue
        fid = dom_id(name, "f-")
        node_ids[name] = fid
        node, st = model.node_by_name[name], statuses[name]
        reason = fallback_reason.get(name) or st.reason
        g.node(fid, label=dot_text(f"{node.op_type}\n{_short(name)}\n({_clip(reason, 40)})"), id=fid,
               tooltip=dot_text(f"{node.op_type} {name}\nruns outside TensorRT: {reason}"),
               fillcolor=FILL[st.status], style="filled", **{"class": f"trt-fallback fallback {st.status}"})
        meta[fid] = (name, None)
    _io_and_edges(g, model, node_ids, edge_labels, "ai-", "ao-", meta, stubs=False)
    title = (f"{model.name}: after ({plan.engine_count} TensorRT engine"
             f"{'s' if plan.engine_count != 1 else ''}, {len(plan.fallback_nodes)} fallback)")
    return GraphView("after", g, title=title, meta=meta, node_ids=node_ids, statuses=statuses)


def _engine_node(g, model: "Model", eid: str, sg) -> None:
    ops = sg.op_counts or dict(Counter(model.node_by_name[n].op_type for n in sg.nodes))
    items = [f"{op}\u00d7{k}" if k > 1 else op
             for op, k in sorted(ops.items(), key=lambda kv: (-kv[1], kv[0]))]
    lines = "\n".join(" ".join(items[i:i + 3]) for i in range(0, min(len(items), 12), 3))
    more = f"\n+{len(items) - 12} more op types" if len(items) > 12 else ""
    label = f"TensorRT engine {sg.id}\n{len(sg.nodes)} ops\n{lines}{more}"
    shown = ", ".join(sg.nodes[:30]) + (f", ... ({len(sg.nodes) - 30} more)" if len(sg.nodes) > 30 else "")
    tip = (f"TensorRT engine {sg.id}: {len(sg.nodes)} nodes\ninputs: {', '.join(sg.inputs)}\n"
           f"outputs: {', '.join(sg.outputs)}\nnodes: {shown}")
    g.node(eid, label=dot_text(label), id=eid, tooltip=dot_text(tip), fillcolor=ENGINE_FILL,
           style="filled,bold", penwidth="2", shape="box3d", **{"class": "trt-engine engine"})


def before_after(plan: "Plan", *, rankdir: str = "TB", edge_labels: bool = True,
                 **before_options) -> BeforeAfter:
    """The before-graph (coloured by the plan) and the after-graph, side by side."""
    _check_plan(plan)
    before = before_graph(plan, rankdir=rankdir, edge_labels=edge_labels, **before_options)
    return BeforeAfter(before, after_graph(plan, rankdir=rankdir, edge_labels=edge_labels))


# ------------------------------------------------------------------ shared
def _digraph(name: str, rankdir: str, legend: bool, engines: bool = False) -> "graphviz.Digraph":
    import graphviz

    graph_attr = {"rankdir": rankdir, "fontname": "Helvetica", "fontsize": "11", "nodesep": "0.25",
                  "ranksep": "0.35"}
    if legend:
        graph_attr.update(label=_legend(engines), labelloc="b", labeljust="l")
    return graphviz.Digraph(
        name=dot_text(name), graph_attr=graph_attr,
        node_attr={"shape": "box", "fontname": "Helvetica", "fontsize": "10", "height": "0.3"},
        edge_attr={"fontname": "Helvetica", "fontsize": "8", "color": "#555555", "arrowsize": "0.6"},
    )


def _io_and_edges(g, model: "Model", node_ids: dict[str, str], edge_labels: bool, in_prefix: str,
                  out_prefix: str, meta: dict, *, stubs: bool) -> None:
    def label(t: str) -> dict:
        return {"label": dot_text(_shape(model, t))} if edge_labels else {}

    for t, info in model.inputs.items():
        targets = list(dict.fromkeys(node_ids[c] for c in model.consumers.get(t, ()) if c in node_ids))
        if not targets:
            continue
        iid = dom_id(t, in_prefix)
        g.node(iid, label=dot_text(f"input {_short(t)}"), id=iid, shape="invhouse", style="filled",
               fillcolor=IO_FILL, tooltip=dot_text(f"input {t}: {info.dtype} [{info.shape_text()}]"),
               **{"class": "trt-io input"})
        meta[iid] = (t, None)
        for target in targets:
            g.edge(iid, target, **label(t), **{"class": "trt-edge"})
    seen = set()
    stubbed = set()
    for p, c, t in model.edges:
        a, b = node_ids.get(p), node_ids.get(c)
        if a is not None and b is not None:
            if a != b and (a, b, t) not in seen:
                seen.add((a, b, t))
                g.edge(a, b, **label(t), **{"class": "trt-edge"})
        elif stubs and (a is not None or b is not None):
            inside = a if a is not None else b
            sid = f"s-{inside}-{'out' if a is not None else 'in'}"
            if sid not in stubbed:  # one "more" mark per side of a node at the focus border
                stubbed.add(sid)
                g.node(sid, label="\u22ef", id=sid, shape="plaintext", **{"class": "trt-stub"})
                ends = (inside, sid) if a is not None else (sid, inside)
                g.edge(*ends, style="dashed", color="#999999", **{"class": "trt-edge"})
    for t, info in model.outputs.items():
        p = model.producer.get(t)
        if p not in node_ids:
            continue
        oid = dom_id(t, out_prefix)
        g.node(oid, label=dot_text(f"output {_short(t)}"), id=oid, shape="house", style="filled",
               fillcolor=IO_FILL, tooltip=dot_text(f"output {t}: {info.dtype} [{info.shape_text()}]"),
               **{"class": "trt-io output"})
        meta[oid] = (t, None)
        g.edge(node_ids[p], oid, **label(t), **{"class": "trt-edge"})


def _subject(subject, coverage):
    from ..model import Model

    if isinstance(subject, Model):
        model, plan = subject, None
    elif hasattr(subject, "subgraphs") and hasattr(subject, "model"):
        model, plan = subject.model, subject
    else:
        raise TrtlabError(f"Can't draw a {type(subject).__name__}.",
                          hint="Pass a trtlab Model (trtlab.load) or a Plan (trtlab.partition).")
    if coverage is None:
        coverage = plan if plan is not None else "tensorrt"
    if isinstance(coverage, str):
        from ..coverage import coverage as compute

        coverage = compute(model, coverage)
    return model, coverage


def _check_plan(plan) -> None:
    if not (hasattr(plan, "subgraphs") and hasattr(plan, "model")):
        raise TrtlabError(f"An after-graph needs a Plan, not a {type(plan).__name__}.",
                          hint="Make one with trtlab.partition(model).")


def _check_rankdir(rankdir: str) -> None:
    if rankdir not in RANKDIRS:
        raise TrtlabError(f"Unknown rankdir '{rankdir}'.", hint=f"Choose one of: {', '.join(RANKDIRS)}.")


def _shape(model: "Model", tensor: str) -> str:
    info = model.tensors.get(tensor)
    return info.shape_text() if info is not None else "?"


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    half = (limit - 1) // 2
    return f"{text[:half]}\u2026{text[-(limit - 1 - half):]}"


def _clip(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"
