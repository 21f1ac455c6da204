"""Before/after graph views of a model under TensorRT, drawn with graphviz.

- `before_graph`: the model's own nodes, coloured by coverage (or by a plan), op type and name as
  label, the reason in the tooltip, tensor shapes on the edges, inputs and outputs as house shapes.
  Big graphs show the top level of the same `Hierarchy` as the Lab's graph widget, each group one
  box (`collapse`), groups opened by name (`expand`); or one neighbourhood (`focus`).
- `after_graph`: the plan's hierarchy: each TensorRT engine one node, fallback nodes with reasons.
- `before_after`: both next to each other.

Layouts are cached per model and drawing options, so colouring the same drawing for another
coverage re-styles the cached SVG instead of running ``dot`` again.
"""

from __future__ import annotations

import weakref
from collections import Counter, OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Sequence

from ..errors import TrtlabError
from ..words import clip, counted, short
from .drawing import BeforeAfter, GraphView, _legend
from .hierarchy import Hierarchy, folded_constants, model_hierarchy, plan_hierarchy
from .selection import group_paths, neighbourhood, resolve_groups, resolve_nodes
from .static import Drawn, GroupDrawing, digraph, draw_items, group_box, io_and_edges, op_lines, shape_text
from .status import ENGINE_FILL, FILL, NodeStatus, node_statuses
from .svg import dom_id, dot_text, restyle_before

if TYPE_CHECKING:
    from ..coverage import CoverageReport
    from ..model import Model
    from ..plan import Plan

RANKDIRS = ("TB", "LR", "BT", "RL")
COLLAPSE_ABOVE = 150  # nodes; bigger graphs show their hierarchy's top level unless told otherwise

_LAYOUTS: "weakref.WeakKeyDictionary[Model, OrderedDict]" = weakref.WeakKeyDictionary()
_LAYOUTS_PER_MODEL = 8
_HIERARCHIES: "weakref.WeakKeyDictionary[Model, Hierarchy]" = weakref.WeakKeyDictionary()


def model_groups(model: "Model") -> Hierarchy:
    """The model's `model_hierarchy`, built once per model (the widget and the drawings agree)."""
    h = _HIERARCHIES.get(model)
    if h is None:
        h = _HIERARCHIES[model] = model_hierarchy(model)
    return h


@dataclass(frozen=True)
class DrawStyle:
    """How a drawing looks, not what it shows: graphviz's `rankdir` ("TB", "LR", "BT" or "RL"),
    tensor shapes on the edges (`edge_labels`) and the colour key under the graph (`legend`)."""
    rankdir: str = "TB"
    edge_labels: bool = True
    legend: bool = True

    def __post_init__(self):
        if self.rankdir not in RANKDIRS:
            raise TrtlabError(f"Unknown rankdir '{self.rankdir}'.", hint=f"Choose one of: {', '.join(RANKDIRS)}.")


def before_graph(subject: "Model | Plan", coverage: "CoverageReport | Plan | str | None" = None, *,
                 style: DrawStyle = DrawStyle(), collapse: bool | None = None, expand: str | Iterable[str] = (),
                 focus: str | Sequence[str] | None = None, radius: int = 2) -> GraphView:
    """Draw a model's graph coloured by coverage.

    subject: a Model, or a Plan (then colours show what the partition did, small blocks too).
    coverage: a CoverageReport, a Plan, or a coverage source name ("tensorrt", "parser", ...);
      default: the plan's own, or the "tensorrt" table for a bare model.
    collapse: draw the top level of the model's groups (name scopes, else structure), each group
      one box; default when the graph (after focus) has more than 150 nodes, or expand= is given.
    expand: names of groups to open, as the graph widget shows them ("layer1/layer1.0",
      "block 3", "block 3/part 2"); an opened group is a cluster of its children, and naming a
      nested group opens the groups around it.
    focus, radius: draw only the nodes within `radius` edges of the named node(s).
    style: a `DrawStyle` (direction, edge labels, legend), e.g. ``DrawStyle(rankdir="LR")``.
    """
    model, source = _subject(subject, coverage)
    centres = resolve_nodes(model, focus) if focus is not None else []
    drawable, constants = folded_constants(model)  # Constant nodes: attributes, not boxes
    keep = set(drawable)
    names = neighbourhood(model, centres, radius) if centres else drawable
    names = [n for n in names if n in keep]
    centres = [c for c in centres if c in keep] or centres
    expand = [expand] if isinstance(expand, str) else list(expand)
    if collapse is None:
        collapse = bool(expand) or len(names) > COLLAPSE_ABOVE
    if expand and not collapse:
        raise TrtlabError("expand= names groups, but this drawing is not collapsed.",
                          hint="Pass collapse=True with expand=, or leave collapse out.")
    h = model_groups(model) if collapse else None
    opened = resolve_groups(h, expand) if h is not None and expand else set()
    statuses = node_statuses(source, names)

    key = (style, bool(collapse), tuple(sorted(opened)), tuple(centres), radius if centres else None)
    graph, drawn = _draw_before(model, h, names, set(centres), opened, statuses, style=style, constants=constants)
    node_ids = drawn.node_ids
    for consumer, tensors in constants.items():  # a folded Constant shows in its first consumer
        for t in tensors:
            p = model.producer.get(t)
            if p is not None and p not in node_ids and consumer in node_ids:
                node_ids[p] = node_ids[consumer]
    cache = _LAYOUTS.setdefault(model, OrderedDict())
    cached = cache.get(key)
    where = [focus] if isinstance(focus, str) else list(focus or ())
    title = f"{model.name}: around {', '.join(where)}" if centres else f"{model.name}: before"
    view_args = dict(title=title, drawn=drawn, hierarchy=h, expanded=opened)
    if cached is not None:
        cache.move_to_end(key)
        return GraphView("before", graph, svg=restyle_before(cached, source), **view_args)

    def remember(svg: str) -> None:
        cache[key] = svg
        while len(cache) > _LAYOUTS_PER_MODEL:
            cache.popitem(last=False)

    return GraphView("before", graph, _on_render=remember, **view_args)


def _draw_before(model: "Model", h: Hierarchy | None, names: list[str], centres: set[str],
                 opened: set[str], statuses: dict[str, NodeStatus], *, style: DrawStyle,
                 constants: dict[str, list[str]]):
    g = digraph(model.name, style.rankdir, _legend(engines=False) if style.legend else None)
    drawn = Drawn(statuses)
    meta = drawn.meta

    def node(g, name: str) -> str:
        _model_node(g, model, name, statuses[name], name in centres, constants.get(name, ()))
        meta[dom_id(name)] = (name, None)
        return dom_id(name)

    if h is None:
        for name in names:
            drawn.node_ids[name] = node(g, name)
    else:
        paths = group_paths(h)

        def group(g, gid: str, inside: list[str]) -> str:
            eid = dom_id(paths[gid], "b-")
            group_box(g, eid, h.groups[gid], paths[gid], inside, model, statuses)
            meta[eid] = (paths[gid], inside)
            drawn.boxes.add(eid)
            return eid

        draw_items(g, h.root, GroupDrawing(h, opened, set(names), paths, node, group, "c-"), drawn)
    io_and_edges(g, model, drawn, style.edge_labels, "i-", "o-", stubs=bool(centres))
    return g, drawn


def _model_node(g, model: "Model", name: str, st: NodeStatus, focused: bool,
                constants: Sequence[str] = (), prefix: str = "n-") -> str:
    node = model.node_by_name[name]
    outs = ", ".join(f"{o} [{shape_text(model, o)}]" for o in node.output if o)
    consts = "".join(f"\nconstant {c} [{shape_text(model, c)}]" for c in constants)
    tip = f"{node.op_type} {name}\nout: {outs}{consts}\n{st.line()}"
    cls = "trt-node trt-focus" if focused else "trt-node"
    eid = dom_id(name, prefix)
    g.node(eid, label=dot_text(f"{node.op_type}\n{short(name)}"), id=eid,
           tooltip=dot_text(tip), fillcolor=FILL[st.status], style="filled,rounded",
           penwidth="3" if focused else "1", **{"class": f"{cls} {st.status}"})
    return eid


# ------------------------------------------------------------------ after
def after_graph(plan: "Plan", *, style: DrawStyle = DrawStyle(), expand: str | Iterable[str] = ()) -> GraphView:
    """Draw a partitioned model with the plan's hierarchy (the Lab's after-graph): each TensorRT
    engine one node, fallback nodes as themselves with the reason they stay out; over 30 of
    these, consecutive ones are grouped into parts. expand: engines or parts to open, by name
    ("trt_engine_0", "part 2")."""
    _check_plan(plan)
    model = plan.model
    h = plan_hierarchy(plan)  # Constant nodes left out of engines: not boxes either
    statuses = node_statuses(plan, h.drawn)
    constants = h.constants
    paths = group_paths(h)
    opened = resolve_groups(h, [expand] if isinstance(expand, str) else expand)
    engine_of = {n: s for s in plan.subgraphs for n in s.nodes}
    engine_groups = {f"g:e{s.id}": s for s in plan.subgraphs}
    fallback_reason = {f.name: f.reason for f in plan.fallback_nodes}
    g = digraph(model.name, style.rankdir, _legend(engines=True) if style.legend else None)
    drawn = Drawn(statuses)
    meta = drawn.meta

    def node(g, name: str) -> str:
        st = statuses[name]
        if name in engine_of:  # inside an opened engine
            fid = _model_node(g, model, name, st, False, constants.get(name, ()), prefix="a-")
        else:
            fid = dom_id(name, "f-")
            op = model.node_by_name[name].op_type
            reason = fallback_reason.get(name) or st.reason
            g.node(fid, label=dot_text(f"{op}\n{short(name)}\n({clip(reason, 40)})"), id=fid,
                   tooltip=dot_text(f"{op} {name}\nruns outside TensorRT: {reason}"),
                   fillcolor=FILL[st.status], style="filled",
                   **{"class": f"trt-fallback fallback {st.status}"})
        meta[fid] = (name, None)
        return fid

    def group(g, gid: str, inside: list[str]) -> str:
        sg = engine_groups.get(gid)
        if sg is not None:
            eid = f"e-{sg.id}"
            _engine_node(g, model, eid, sg, h.groups[gid].members)
            meta[eid] = (sg.name, h.groups[gid].members)
        else:
            eid = dom_id(paths[gid], "ab-")
            group_box(g, eid, h.groups[gid], paths[gid], inside, model, statuses)
            meta[eid] = (paths[gid], inside)
        drawn.boxes.add(eid)
        return eid

    draw_items(g, h.root, GroupDrawing(h, opened, set(h.drawn), paths, node, group, "ac-"), drawn)
    io_and_edges(g, model, drawn, style.edge_labels, "ai-", "ao-", stubs=False)
    title = f"{model.name}: after ({counted(plan.engine_count, 'TensorRT engine')}, {len(plan.fallback_nodes)} fallback)"
    return GraphView("after", g, title=title, drawn=drawn, hierarchy=h, expanded=opened)


def _engine_node(g, model: "Model", eid: str, sg, members: Sequence[str]) -> None:
    """One TensorRT engine: its id, op count and op types, counting the nodes drawn (Constant
    nodes it took in are attributes of their consumers, as in the before-graph)."""
    ops = Counter(model.node_by_name[n].op_type for n in members)
    count = counted(len(members), "op")
    label = f"TensorRT engine {sg.id}\n{count}\n{op_lines(ops, lines=4)}"
    shown = ", ".join(members[:30]) + (f", ... ({len(members) - 30} more)" if len(members) > 30 else "")
    folded = len(sg.nodes) - len(members)
    tip = (f"TensorRT engine {sg.id} ({sg.name}): {count}"
           + (f" and {folded} constants" if folded > 0 else "")
           + f"\ninputs: {', '.join(sg.inputs)}\noutputs: {', '.join(sg.outputs)}\nnodes: {shown}")
    g.node(eid, label=dot_text(label), id=eid, tooltip=dot_text(tip), fillcolor=ENGINE_FILL,
           style="filled,bold", penwidth="2", shape="box3d", **{"class": "trt-engine engine"})


def before_after(plan: "Plan", *, style: DrawStyle = DrawStyle(), **before_options) -> BeforeAfter:
    """The before-graph (coloured by the plan) and the after-graph, side by side; `before_options`
    (focus=, radius=, expand=, collapse=) go to `before_graph`."""
    _check_plan(plan)
    return BeforeAfter(before_graph(plan, style=style, **before_options), after_graph(plan, style=style))


# ------------------------------------------------------------------ shared
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

