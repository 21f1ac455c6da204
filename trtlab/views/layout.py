"""Positions for a hierarchical graph: each open level is laid out on its own with graphviz.

A level (the top, or an expanded group) holds a few dozen boxes at most, so one `dot` run takes
milliseconds whatever the model's size. An expanded group is laid out inside, then drawn as one
big box in its parent's layout; opening a group re-runs `dot` for it and its ancestors only, and
every level's layout is cached by what is open inside it.

`layout(hierarchy, expanded)` returns plain data (JSON-ready) that the browser widget and the
static SVG writer draw: boxes with top-left corners and sizes in px, and edges.
"""

from __future__ import annotations

import subprocess
from collections import Counter, OrderedDict
from typing import Iterable

from ..errors import TrtlabError
from ..words import counted, short
from .hierarchy import Hierarchy, node_id

PAD, HEAD = 10.0, 22.0  # an open group's inner margin and title band, px
CHAR_W, LINE_H = 6.6, 14.0
_CACHE_SIZE = 256


class GraphLayout:
    """Lays out a `Hierarchy` for any set of expanded groups, caching each level."""

    def __init__(self, hierarchy: Hierarchy, *, rankdir: str = "TB"):
        if rankdir not in ("TB", "LR"):
            raise TrtlabError(f"Unknown rankdir '{rankdir}'.", hint="Choose TB or LR.")
        self.rankdir = rankdir
        self.h = hierarchy
        model = hierarchy.model
        self.inputs = [t for t in model.inputs if model.consumers.get(t)]
        self.outputs = [t for t in model.outputs if model.producer.get(t) in set(hierarchy.drawn)]
        self._chain: dict[str, tuple[str, ...]] = dict(hierarchy._chain)
        for t in self.inputs:
            self._chain["in:" + t] = ()
        for t in self.outputs:
            self._chain["out:" + t] = ()
        ends = [(node_id(p), node_id(c)) for p, c in hierarchy.edges]
        drawn = set(hierarchy.drawn)
        ends += [("in:" + t, node_id(c)) for t in self.inputs for c in dict.fromkeys(model.consumers[t])
                 if c in drawn]
        ends += [(node_id(model.producer[t]), "out:" + t) for t in self.outputs]
        # Edges bucketed by the innermost group holding both ends, as (child, child) pairs of it.
        self._buckets: dict[str | None, dict[tuple[str, str], list[tuple[str, str]]]] = {}
        for a, b in ends:
            ca, cb = self._chain[a], self._chain[b]
            if ca == cb:  # most edges: both ends in the same group
                owner = ca[-1] if ca else None
                self._buckets.setdefault(owner, {}).setdefault((a, b), []).append((a, b))
                continue
            d = 0
            while d < len(ca) and d < len(cb) and ca[d] == cb[d]:
                d += 1
            owner = ca[d - 1] if d else None
            ra = ca[d] if d < len(ca) else a
            rb = cb[d] if d < len(cb) else b
            if ra != rb:
                self._buckets.setdefault(owner, {}).setdefault((ra, rb), []).append((a, b))
        self._cache: OrderedDict = OrderedDict()
        self.dot_runs = 0

    # ------------------------------------------------------------ public
    def layout(self, expanded: Iterable[str] = ()) -> dict:
        opened = frozenset(g for g in expanded if g in self.h.groups)
        # A group shows only if all its ancestors are open too.
        opened = frozenset(g for g in opened if all(a in opened for a in self.h.ancestors(g)))
        root_items = (["in:" + t for t in self.inputs] + list(self.h.root)
                      + ["out:" + t for t in self.outputs])
        level = self._level(None, root_items, opened)
        items, edges = [], []
        self._place(level, 0.0, 0.0, 0, items, edges)
        visible = {i["id"] for i in items if i["kind"] != "open"}
        edges.extend(self._cross_edges(opened, visible, {(e["from"], e["to"]) for e in edges}))
        return {"width": round(level["w"], 1), "height": round(level["h"], 1),
                "items": items, "edges": edges, "expanded": sorted(opened),
                "rankdir": self.rankdir}

    def visible(self, name: str, expanded: Iterable[str]) -> str:
        return self.h.visible(node_id(name), expanded)

    # ------------------------------------------------------------ one level
    def _level(self, group: str | None, items: list[str], opened: frozenset) -> dict:
        inner = frozenset(g for g in opened if group is None or group in self._chain_of_group(g))
        key = (group, inner)
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        sizes, subs = {}, {}
        for item in items:
            if item in opened:
                sub = self._level(item, self.h.groups[item].children, opened)
                subs[item] = sub
                sizes[item] = (max(sub["w"] + 2 * PAD, self._text_w([self.h.groups[item].name]) + 16),
                               sub["h"] + HEAD + PAD)
            else:
                sizes[item] = self._box_size(item)
        pairs = list(self._buckets.get(group, {}))
        pos, w, h, splines = self._dot(items, sizes, pairs)
        level = {"group": group, "w": w, "h": h, "items": items, "pos": pos, "sizes": sizes,
                 "subs": subs, "splines": splines}
        self._cache[key] = level
        while len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return level

    def _chain_of_group(self, g: str) -> list[str]:
        return self.h.ancestors(g)

    def _place(self, level: dict, ox: float, oy: float, depth: int, items: list, edges: list) -> None:
        for item in level["items"]:
            cx, cy = level["pos"][item]
            w, h = level["sizes"][item]
            x, y = ox + cx - w / 2, oy + cy - h / 2
            sub = level["subs"].get(item)
            entry = {"id": item, "x": round(x, 1), "y": round(y, 1), "w": round(w, 1), "h": round(h, 1),
                     "depth": depth, **self._describe(item, open_=sub is not None)}
            items.append(entry)
            if sub is not None:
                self._place(sub, x + (w - sub["w"]) / 2, y + HEAD, depth + 1, items, edges)
        for (a, b), pts in level["splines"].items():
            if a in level["subs"] or b in level["subs"]:
                continue  # drawn to the nodes inside instead
            edges.append({"from": a, "to": b,
                          "points": [[round(ox + px, 1), round(oy + py, 1)] for px, py in pts]})

    def _cross_edges(self, opened: frozenset, visible: set, done: set) -> list[dict]:
        out = {}
        for owner, pairs in self._buckets.items():
            if owner is not None and owner not in opened:
                continue
            for (ra, rb), ends in pairs.items():
                if ra not in opened and rb not in opened:
                    continue
                for a, b in ends:
                    va, vb = self.h.visible(a, opened), self.h.visible(b, opened)
                    if va != vb and (va, vb) not in done and va in visible and vb in visible:
                        out[(va, vb)] = {"from": va, "to": vb, "points": []}
        return list(out.values())

    # ------------------------------------------------------------ boxes
    def _text_w(self, lines: list[str]) -> float:
        return max(len(s) for s in lines) * CHAR_W + 16

    def _box_size(self, item: str) -> tuple[float, float]:
        lines = self._describe(item, open_=False)["lines"]
        extra = 10 if item.startswith("g:") else 0  # the status bar
        return max(70.0, self._text_w(lines)), len(lines) * LINE_H + 10 + extra

    def _describe(self, item: str, *, open_: bool) -> dict:
        model = self.h.model
        if item.startswith("in:") or item.startswith("out:"):
            kind, t = item.split(":", 1)
            info = (model.inputs if kind == "in" else model.outputs).get(t)
            shape = info.shape_text() if info else "?"
            label = "input" if kind == "in" else "output"
            return {"kind": "input" if kind == "in" else "output", "lines": [f"{label} {short(t, 24)}", shape],
                    "title": f"{label} {t}: {info.dtype if info else '?'} [{shape}]", "name": t}
        if item.startswith("g:"):
            g = self.h.groups[item]
            if open_:
                return {"kind": "open", "lines": [short(g.name, 60)], "title": g.name, "name": g.name}
            ops = g.op_counts(model)
            top = " ".join(f"{op}\u00d7{n}" if n > 1 else op for op, n in ops.most_common(3))
            more = f" +{len(ops) - 3}" if len(ops) > 3 else ""
            count = counted(len(g.members), "op")
            alike = f", {g.repeats} alike" if g.repeats > 1 else ""
            return {"kind": "group", "lines": [short(g.name, 34), count + alike, short(top + more, 40)],
                    "title": f"{g.name}: {count} ({', '.join(f'{o} {n}' for o, n in ops.most_common())})",
                    "name": g.name}
        name = item[2:]
        node = model.node_by_name[name]
        lines = [node.op_type, short(name, 34)]
        consts = self.h.constants.get(name, [])
        if consts:
            lines.append(short(", ".join(_const_text(model, t) for t in consts), 40))
        return {"kind": "node", "lines": lines, "title": f"{node.op_type} {name}", "name": name}

    # ------------------------------------------------------------ dot
    def _dot(self, items: list[str], sizes: dict, pairs: list[tuple[str, str]]):
        key = {item: f"i{k}" for k, item in enumerate(items)}
        back = {v: k for k, v in key.items()}
        lines = ["digraph G {", 'graph [rankdir=%s nodesep=0.25 ranksep=0.35 splines=spline];' % self.rankdir,
                 "node [shape=box fixedsize=true label=\"\"];"]
        for item in items:
            w, h = sizes[item]
            lines.append(f"{key[item]} [width={w / 72:.3f} height={h / 72:.3f}];")
        for a, b in pairs:
            if a in key and b in key:
                lines.append(f"{key[a]} -> {key[b]};")
        lines.append("}")
        self.dot_runs += 1
        plain = _run_dot("\n".join(lines))
        pos, splines, width, height = {}, {}, 0.0, 0.0
        for row in plain.splitlines():
            f = row.split()
            if not f:
                continue
            if f[0] == "graph":
                width, height = float(f[2]) * 72, float(f[3]) * 72
            elif f[0] == "node":
                pos[back[f[1]]] = (float(f[2]) * 72, height - float(f[3]) * 72)
            elif f[0] == "edge":
                n = int(f[3])
                pts = [(float(f[4 + 2 * i]) * 72, height - float(f[5 + 2 * i]) * 72) for i in range(n)]
                splines[(back[f[1]], back[f[2]])] = pts
        return pos, max(width, 1.0), max(height, 1.0), splines


def _const_text(model, tensor: str) -> str:
    info = model.tensors.get(tensor)
    return f"\u2039{info.shape_text()}\u203a" if info is not None else "\u2039?\u203a"


def _run_dot(source: str) -> str:
    try:
        done = subprocess.run(["dot", "-Tplain"], input=source.encode(), capture_output=True, timeout=120)
    except FileNotFoundError:
        raise TrtlabError("graphviz's `dot` program is not installed.",
                          hint="apt-get install graphviz / conda install graphviz / brew install graphviz") from None
    if done.returncode != 0:
        raise TrtlabError(f"graphviz's `dot` failed to lay out the graph (exit status {done.returncode}).",
                          hint="Collapse the groups you opened, or report the model.")
    return done.stdout.decode()


def op_summary(counts: Counter, limit: int = 3) -> str:
    return " ".join(f"{op}\u00d7{n}" if n > 1 else op for op, n in counts.most_common(limit))
