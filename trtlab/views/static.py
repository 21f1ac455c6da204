"""A `Hierarchy` drawn by graphviz: what `before_graph` / `after_graph` and their saved files show.

The static drawings show the same groups as the Lab's graph widget: closed groups are one box
each (name, op count, op types; the status mix in colour and tooltip), a group named in
`expand=` opens as a cluster of its children, where nested groups stay boxes unless opened too.
Edges run between whatever shows their ends; the tensors between two boxes are one edge.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Collection, Sequence

from ..words import counted, short
from .hierarchy import Group, Hierarchy
from .status import FILL, IO_FILL, NodeStatus, block_status
from .svg import dom_id, dot_text

if TYPE_CHECKING:
    import graphviz

    from ..model import Model

Meta = dict  # element id -> (name, members or None): what `finish_svg` writes as data-* attributes


@dataclass
class Drawn:
    """What a drawing shows, filled in while it draws: each node's status, the data-* attributes
    of each element (`meta`: element id -> (name, members or None)), the element showing each
    node (`node_ids`: node name -> element id), the ids of the groups drawn (`shown`) and the
    element ids of the closed group boxes (`boxes`)."""
    statuses: dict[str, NodeStatus]
    meta: Meta = field(default_factory=dict)
    node_ids: dict[str, str] = field(default_factory=dict)
    shown: list[str] = field(default_factory=list)
    boxes: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class GroupDrawing:
    """How `draw_items` draws a hierarchy's items: the groups `opened` as clusters, the nodes to
    `keep`, each group's path, the prefix of cluster ids, and the callbacks that draw one node
    (`node(g, name)`) and one closed group (`group(g, gid, members kept)`), each returning the
    element id."""
    hierarchy: Hierarchy
    opened: Collection[str]
    keep: Collection[str]
    paths: dict[str, str]
    node: Callable[..., str]
    group: Callable[..., str]
    cluster_prefix: str


def draw_items(g, items: Sequence[str], how: GroupDrawing, drawn: Drawn) -> None:
    """Draw `items` of one level into `g`: nodes by `how.node`, closed groups by `how.group`, open
    groups as clusters holding their own level. Fills `drawn.node_ids` and `drawn.shown`."""
    for item in items:
        if not item.startswith("g:"):
            name = item[2:]
            if name in how.keep:
                drawn.node_ids[name] = how.node(g, name)
            continue
        grp = how.hierarchy.groups[item]
        inside = [m for m in grp.members if m in how.keep]
        if not inside:  # a focus drawing leaves groups out that hold none of its nodes
            continue
        drawn.shown.append(item)
        path = how.paths[item]
        if item in how.opened:
            cid = dom_id(path, how.cluster_prefix)
            with g.subgraph(name=f"cluster_{cid}") as c:
                c.attr(label=dot_text(short(path, 60)), labelloc="t", id=cid, style="rounded,dashed",
                       color="#888888", fontname="Helvetica", fontsize="10", tooltip=dot_text(path))
                draw_items(c, grp.children, how, drawn)
        else:
            eid = how.group(g, item, inside)
            for m in inside:
                drawn.node_ids[m] = eid


def group_box(g, eid: str, grp: Group, path: str, inside: Sequence[str], model: "Model",
              statuses: dict[str, NodeStatus]) -> None:
    """A closed group: its name, op count (and how many groups are alike), its commonest op types;
    coloured by its members' status (``mixed`` when they differ), the mix in the tooltip."""
    ops = Counter(model.node_by_name[m].op_type for m in inside)
    st = block_status(inside, statuses)
    count = counted(len(inside), "op")
    alike = f", {grp.repeats} alike" if grp.repeats > 1 else ""
    label = f"{short(grp.name)}\n{count}{alike}\n{op_lines(ops)}"
    listed = ", ".join(f"{op} {n}" for op, n in ops.most_common(12))
    tip = f"{grp.kind} {path}: {count} ({listed}{', ...' if len(ops) > 12 else ''})\n{st.line()}"
    g.node(eid, label=dot_text(label), id=eid, tooltip=dot_text(tip), fillcolor=FILL[st.status],
           style="filled,rounded,bold", penwidth="2", **{"class": f"trt-block {st.status}"})


def op_lines(ops: Counter, per_line: int = 3, lines: int = 2) -> str:
    items = [f"{op}\u00d7{n}" if n > 1 else op for op, n in sorted(ops.items(), key=lambda kv: (-kv[1], kv[0]))]
    shown = items[:per_line * lines]
    text = "\n".join(" ".join(shown[i:i + per_line]) for i in range(0, len(shown), per_line))
    return text + (f"\n+{counted(len(items) - len(shown), 'more op type')}" if len(items) > len(shown) else "")


def digraph(name: str, rankdir: str, legend: str | None) -> "graphviz.Digraph":
    import graphviz

    graph_attr = {"rankdir": rankdir, "fontname": "Helvetica", "fontsize": "11", "nodesep": "0.25",
                  "ranksep": "0.35"}
    if legend:
        graph_attr.update(label=legend, labelloc="b", labeljust="l")
    return graphviz.Digraph(
        name=dot_text(name), graph_attr=graph_attr,
        node_attr={"shape": "box", "fontname": "Helvetica", "fontsize": "10", "height": "0.3"},
        edge_attr={"fontname": "Helvetica", "fontsize": "8", "color": "#555555", "arrowsize": "0.6"},
    )


def io_and_edges(g, model: "Model", drawn: Drawn, edge_labels: bool, in_prefix: str, out_prefix: str, *,
                 stubs: bool) -> None:
    """Inputs, outputs and data edges between drawn things. Between two nodes each tensor is an
    edge labelled with its shape; the tensors from or to a group box are one edge per pair."""
    node_ids, meta, boxes = drawn.node_ids, drawn.meta, drawn.boxes

    def label(t: str) -> dict:
        return {"label": dot_text(shape_text(model, t))} if edge_labels else {}

    for t, info in model.inputs.items():
        targets = list(dict.fromkeys(node_ids[c] for c in model.consumers.get(t, ()) if c in node_ids))
        if not targets:
            continue
        iid = dom_id(t, in_prefix)
        g.node(iid, label=dot_text(f"input {short(t)}"), id=iid, shape="invhouse", style="filled",
               fillcolor=IO_FILL, tooltip=dot_text(f"input {t}: {info.dtype} [{info.shape_text()}]"),
               **{"class": "trt-io input"})
        meta[iid] = (t, None)
        for target in targets:
            g.edge(iid, target, **label(t), **{"class": "trt-edge"})
    seen: set = set()
    merged: dict[tuple[str, str], list[str]] = {}
    stubbed = set()
    for p, c, t in model.edges:
        a, b = node_ids.get(p), node_ids.get(c)
        if a is not None and b is not None:
            if a == b:
                continue
            if a in boxes or b in boxes:
                tensors = merged.setdefault((a, b), [])
                if t not in tensors:
                    tensors.append(t)
            elif (a, b, t) not in seen:
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
    for (a, b), tensors in merged.items():
        text = {} if not edge_labels else (label(tensors[0]) if len(tensors) == 1
                                           else {"label": counted(len(tensors), "tensor")})
        g.edge(a, b, **text, **{"class": "trt-edge"})
    for t, info in model.outputs.items():
        p = model.producer.get(t)
        if p not in node_ids:
            continue
        oid = dom_id(t, out_prefix)
        g.node(oid, label=dot_text(f"output {short(t)}"), id=oid, shape="house", style="filled",
               fillcolor=IO_FILL, tooltip=dot_text(f"output {t}: {info.dtype} [{info.shape_text()}]"),
               **{"class": "trt-io output"})
        meta[oid] = (t, None)
        g.edge(node_ids[p], oid, **label(t), **{"class": "trt-edge"})


def shape_text(model: "Model", tensor: str) -> str:
    info = model.tensors.get(tensor)
    return info.shape_text() if info is not None else "?"
