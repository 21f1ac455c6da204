"""A drawn graph and a pair of them: SVG, PNG or .dot out, atomically saved, shown in notebooks."""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .._io import atomic_write_bytes, atomic_write_text
from ..errors import TrtlabError
from ..words import counted
from .static import Drawn
from .status import ENGINE_FILL, FILL, LEGEND, node_statuses
from .svg import dot_text, finish_svg, render, restyle_before, side_by_side_svg, svg_body

if TYPE_CHECKING:
    import graphviz

    from ..coverage import CoverageReport
    from ..plan import Plan
    from .hierarchy import Group, Hierarchy


class GraphView:
    """A drawing: graphviz source now, SVG on first use. Shows itself in a notebook."""

    def __init__(self, kind: str, digraph: "graphviz.Digraph", *, title: str, drawn: Drawn,
                 hierarchy: "Hierarchy | None" = None, expanded: Iterable[str] = (), svg: str | None = None,
                 _on_render=None):
        self.kind = kind  # "before" or "after"
        self.digraph = digraph
        self.title = title
        self.node_ids = drawn.node_ids  # ONNX node name -> element id of what shows it (node or block)
        self.statuses = drawn.statuses  # ONNX node name -> NodeStatus
        self.hierarchy = hierarchy  # the groups drawn from (the graph widget's), None when flat
        # the groups drawn: one box each, or opened as a cluster
        self.groups: list[Group] = [hierarchy.groups[g] for g in drawn.shown] if hierarchy is not None else []
        self.expanded = sorted(expanded)  # ids of the opened groups
        self._drawn = drawn
        self._svg = svg
        self._on_render = _on_render

    @property
    def source(self) -> str:
        """The DOT source."""
        return self.digraph.source

    def svg(self) -> str:
        if self._svg is None:
            self._svg = finish_svg(render(self.digraph, "svg").decode("utf-8"), self._drawn.meta)
            if self._on_render is not None:
                self._on_render(self._svg)
        return self._svg

    def png(self) -> bytes:
        return render(self.digraph, "png")

    def restyle(self, source: "Plan | CoverageReport") -> "GraphView":
        """The same drawing coloured for another coverage or plan, without a new layout."""
        if self.kind != "before":
            raise TrtlabError("Only a before-graph can be re-coloured in place.",
                              hint="Draw the after-graph of the new plan with after_graph(plan).")
        statuses = node_statuses(source, self.statuses)
        return GraphView(self.kind, self.digraph, title=self.title, drawn=replace(self._drawn, statuses=statuses),
                         hierarchy=self.hierarchy, expanded=self.expanded, svg=restyle_before(self.svg(), source))

    def save(self, path) -> Path:
        """Write .svg, .png or .dot (by suffix), atomically."""
        return _save(path, self.svg, self.png, lambda: self.source)

    def summary(self) -> str:
        counts = Counter(s.status for s in self.statuses.values())
        parts = ", ".join(f"{n} {s}" for s, n in counts.most_common())
        closed = sum(1 for g in self.groups if g.id not in self.expanded)
        groups = f", {counted(closed, 'closed group')}" if closed else ""
        return f"{self.title}: {counted(len(self.statuses), 'node')} ({parts}){groups}"

    def __repr__(self) -> str:
        return f"<trtlab GraphView {self.summary()}>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        # Inline SVG in HTML, not an <img>: it shrinks to the output's width and its text is text.
        return {"text/html": figure_html(self.svg()), "text/plain": repr(self)}


def figure_html(svg: str, title: str = "") -> str:
    """One drawing at its own size, shrunk only where the output is narrower than it."""
    body = svg_body(svg).replace("<svg ", '<svg style="max-width:100%;height:auto;display:block" ', 1)
    head = (f'<div style="font:bold 14px Helvetica,Arial,sans-serif;margin:2px 0 4px;overflow-wrap:anywhere">'
            f"{html.escape(title)}</div>") if title else ""
    return f'<div class="trtlab-figure-graph" style="min-width:0;max-width:100%">{head}{body}</div>'


class BeforeAfter:
    """A before-graph and an after-graph next to each other, in one SVG."""

    def __init__(self, before: GraphView, after: GraphView):
        self.before = before
        self.after = after

    def svg(self) -> str:
        return side_by_side_svg([(self.before.title, self.before.svg()),
                                 (self.after.title, self.after.svg())])

    def html(self) -> str:
        """Both drawings at their own size in a row that wraps: side by side where the output is
        wide enough, else one above the other; never clipped, never a sideways scrollbar."""
        parts = "".join(figure_html(v.svg(), v.title) for v in (self.before, self.after))
        return ('<div class="trtlab-before-after" style="display:flex;flex-wrap:wrap;gap:12px 36px;'
                f'align-items:flex-start;max-width:100%">{parts}</div>')

    def combined(self) -> "graphviz.Digraph":
        """Both drawings as clusters of one graph: for .dot and .png output."""
        import graphviz

        rankdir = self.before.digraph.graph_attr.get("rankdir", "TB")
        out = graphviz.Digraph(name="before_after", graph_attr={
            "rankdir": rankdir, "label": _legend(engines=True, before=True), "labelloc": "b",
            "labeljust": "l", "fontname": "Helvetica", "fontsize": "11"})
        for key, view in (("before", self.before), ("after", self.after)):
            sub = graphviz.Digraph(name=f"cluster_{key}",
                                   graph_attr={"label": dot_text(view.title), "labelloc": "t",
                                               "fontsize": "14"},
                                   node_attr=dict(view.digraph.node_attr),
                                   edge_attr=dict(view.digraph.edge_attr),
                                   body=list(view.digraph.body))
            out.subgraph(sub)
        return out

    def save(self, path) -> Path:
        """Write .svg, .html, .png or .dot (by suffix), atomically."""
        if Path(path).suffix.lower() == ".html":
            return atomic_write_text(path, self.html())
        return _save(path, self.svg, lambda: render(self.combined(), "png"),
                     lambda: self.combined().source)

    def __repr__(self) -> str:
        return f"<trtlab BeforeAfter {self.before.summary()} | {self.after.summary()}>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.html(), "text/plain": repr(self)}


# ------------------------------------------------------------------ before


def _save(path, svg, png, dot) -> Path:
    suffix = Path(path).suffix.lower()
    if suffix == ".svg":
        return atomic_write_text(path, svg())
    if suffix == ".png":
        return atomic_write_bytes(path, png())
    if suffix in (".dot", ".gv"):
        return atomic_write_text(path, dot())
    raise TrtlabError(f"Can't save a graph as '{suffix or path}'.",
                      hint="Use a file name ending in .svg, .png or .dot.")


def _legend(engines: bool, before: bool = False) -> str:
    entries = ([("TensorRT engine", ENGINE_FILL)] if engines else []) + [
        (text, FILL[s]) for s, text in LEGEND.items()
        if before or not (engines and s in ("supported", "mixed"))]
    cells = "".join(f'<td bgcolor="{color}">{text}</td>' for text, color in entries)
    return f'<<table border="0" cellspacing="4" cellpadding="3"><tr>{cells}</tr></table>>'
