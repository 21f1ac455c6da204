"""What a drawing's `focus=` and `expand=` mean: node names and group names turned into ids.

- `resolve_nodes` / `neighbourhood`: the nodes around a named node, for `focus=`.
- `group_paths` / `resolve_groups`: the groups of a `Hierarchy` by the names the graph widget
  shows ("layer1/layer1.0", "block 3", "trt_engine_0"); a name that more than one group carries,
  and a numbered part, is told apart by its parents' path ("layer2/part 2").
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING, Iterable, Sequence

from ..errors import TrtlabError
from ..words import clip

if TYPE_CHECKING:
    from ..model import Model
    from .hierarchy import Hierarchy


# ------------------------------------------------------------------ focus
def resolve_nodes(model: "Model", queries: str | Iterable[str]) -> list[str]:
    """Node names meant by each query: the exact name, else every node whose name contains it
    ("layer3.1.conv2" finds "/layer3/layer3.1/conv2/Conv")."""
    if isinstance(queries, str):
        queries = [queries]
    names = [n.name for n in model.nodes]
    out: dict[str, None] = {}
    for q in queries:
        if q in model.node_by_name:
            out[q] = None
            continue
        dotted = q.replace("/", ".").strip(".")
        hits = [n for n in names if q in n or dotted in n.replace("/", ".")]
        if not hits:
            close = difflib.get_close_matches(q, names, n=3)
            raise TrtlabError(f"No node named '{q}' in the model.",
                              hint=(f"Did you mean {', '.join(close)}?" if close else
                                    "Use the node names that `trtlab inspect --json` prints."))
        out.update(dict.fromkeys(hits))
    return list(out)


def neighbourhood(model: "Model", centres: Sequence[str], radius: int) -> list[str]:
    """Nodes within `radius` data edges (either direction) of a centre, in topological order."""
    if radius < 0:
        raise TrtlabError(f"radius must be 0 or more, not {radius}.")
    adj: dict[str, set[str]] = {}
    for p, c, _ in model.edges:
        adj.setdefault(p, set()).add(c)
        adj.setdefault(c, set()).add(p)
    seen = set(centres)
    frontier = list(centres)
    for _ in range(radius):
        nxt = []
        for n in frontier:
            for m in adj.get(n, ()):
                if m not in seen:
                    seen.add(m)
                    nxt.append(m)
        frontier = nxt
    return [n.name for n in model.nodes if n.name in seen]


# ------------------------------------------------------------------ groups
def group_paths(h: "Hierarchy") -> dict[str, str]:
    """Group id -> the name that says which group it is: its own name when no other group has it
    (and it is not a numbered part), else its parent's path, "/", its name."""
    seen: dict[str, int] = {}
    for g in h.groups.values():
        seen[g.name] = seen.get(g.name, 0) + 1
    paths: dict[str, str] = {}

    def path(gid: str) -> str:
        if gid not in paths:
            name = h.groups[gid].name
            parent = h.parent.get(gid)
            alone = seen[name] == 1 and h.groups[gid].kind != "part"  # "part 2" says where only with its parent
            paths[gid] = name if alone or parent is None else f"{path(parent)}/{name}"
        return paths[gid]

    for gid in h.groups:
        path(gid)
    return paths


def resolve_groups(h: "Hierarchy", queries: Iterable[str]) -> set[str]:
    """Ids of the groups each query names, with the groups around them (a nested group shows only
    inside its open parents). A query is a path from `group_paths`, a group's name when only one
    group has it, the last part of a scope ("layer1.0" for "layer1/layer1.0"), or an id ("g:3")."""
    paths = group_paths(h)
    by_path = {p: g for g, p in paths.items()}
    by_name: dict[str, list[str]] = {}
    for gid, g in h.groups.items():
        by_name.setdefault(g.name, []).append(gid)
    opened: set[str] = set()
    for q in queries:
        q = str(q)
        if q in h.groups:
            hits = [q]
        elif q in by_path:
            hits = [by_path[q]]
        elif len(by_name.get(q, ())) > 1:
            raise TrtlabError(f"More than one group is named '{q}'.",
                              hint="Name it by its path: " + ", ".join(sorted(paths[g] for g in by_name[q])[:5]) + ".")
        else:
            tail = re.compile(r"(^|[/._])" + re.escape(q.strip("/.")) + r"$")
            hits = [g for g, p in paths.items() if h.groups[g].kind == "scope" and tail.search(p)]
        if not hits:
            close = difflib.get_close_matches(q, list(by_path), n=3)
            top = ", ".join(paths[i] for i in h.root if i in h.groups)
            raise TrtlabError(f"No group named '{q}' in this drawing.",
                              hint=(f"Did you mean {', '.join(close)}? " if close else "")
                              + f"The top level holds: {clip(top, 300)}; "
                              "a view's .groups lists the groups it draws.")
        for gid in hits:
            opened.add(gid)
            opened.update(h.ancestors(gid))
    return opened
