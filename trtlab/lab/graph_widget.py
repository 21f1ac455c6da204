"""`GraphWidget`: a model's graph in the browser, laid out in Python, drawn and navigated in JS.

State lives in traitlets (tested headlessly): `expanded` groups, the `overlay`, the `selected`
item, `highlight` (set by a linked graph), the search `query` with its `matches`. The browser
side (graph_widget.js) draws `graph` (boxes and edges from `trtlab.views.layout`) with `styles`,
and offers pan, zoom, fit, search (each match centred in turn), click to select, click on a
group to open or close it, and the overlay menu.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Callable

import anywidget
import traitlets as T

from ..errors import TrtlabError, one_line
from ..words import counted
from ..views.hierarchy import Hierarchy, model_hierarchy, node_id, plan_hierarchy
from ..views.layout import GraphLayout
from ..views.overlays import NodeData, node_data, paint, reason_key
from .node_details import group_details_html, item_details_html

_HERE = Path(__file__).parent
_graph_ids = itertools.count()
MAX_MARKS = 500


class GraphWidget(anywidget.AnyWidget):
    _esm = _HERE / "graph_widget.js"
    _css = _HERE / "graph_widget.css"

    graph = T.Dict().tag(sync=True)  # {"id", "width", "height", "items", "edges", "expanded"}
    styles = T.Dict().tag(sync=True)  # item id -> {"fill", "mix", "tip"}
    legend = T.List().tag(sync=True)  # [[colour, label, tooltip if shortened], ...]
    overlays = T.List().tag(sync=True)  # [[value, label], ...]
    overlay = T.Unicode("coverage").tag(sync=True)
    expanded = T.List(T.Unicode()).tag(sync=True)
    selected = T.Unicode("").tag(sync=True)
    highlight = T.List(T.Unicode()).tag(sync=True)  # ids drawn outlined, from a linked graph
    query = T.Unicode("").tag(sync=True)
    regex = T.Bool(False).tag(sync=True)  # the query is a regular expression
    search_error = T.Unicode("").tag(sync=True)  # why a query found nothing it could run
    matches = T.List(T.Unicode()).tag(sync=True)  # node names
    match_index = T.Int(-1).tag(sync=True)
    marks = T.List(T.Unicode()).tag(sync=True)  # visible ids of the matches
    focus = T.Dict().tag(sync=True)  # {"id": item to centre, "seq": n}
    details = T.Unicode("").tag(sync=True)  # HTML of the selected item
    title = T.Unicode("").tag(sync=True)
    height = T.Int(520).tag(sync=True)

    def __init__(self, hierarchy: Hierarchy, data: NodeData, *, title: str = "", height: int = 520,
                 **kwargs):
        super().__init__(title=title, height=height, **kwargs)
        self.on_select: list[Callable[[str], None]] = []
        self._seq = 0
        self._set(hierarchy, data)
        self.observe(self._on_expanded, "expanded")
        self.observe(lambda _: self._paint(), "overlay")
        self.observe(self._on_selected, "selected")
        self.observe(self._on_query, ["query", "regex"])
        self.observe(self._on_match_index, "match_index")
        self.on_msg(self._on_msg)

    # ------------------------------------------------------------ constructors
    @classmethod
    def before(cls, subject, coverage=None, *, values: dict | None = None, **kwargs) -> "GraphWidget":
        """The model's own nodes, grouped; coloured by a Plan or a CoverageReport. `values`: per-node
        values for the overlays, by name (see `trtlab.views.overlays.node_data`)."""
        model = subject.model if hasattr(subject, "subgraphs") else subject
        source = coverage if coverage is not None else (subject if model is not subject else None)
        if source is None:
            from ..coverage import coverage as compute

            source = compute(model)
        data = node_data(model, source, **(values or {}))
        return cls(model_hierarchy(model), data, title=kwargs.pop("title", f"{model.name}: before"),
                   **kwargs)

    @classmethod
    def after(cls, plan, *, values: dict | None = None, **kwargs) -> "GraphWidget":
        """Each TensorRT engine as one group; fallback nodes stand alone."""
        data = node_data(plan.model, plan, **(values or {}))
        return cls(plan_hierarchy(plan), data, title=kwargs.pop("title", _after_title(plan)), **kwargs)

    # ------------------------------------------------------------ content
    def _set(self, hierarchy: Hierarchy, data: NodeData) -> None:
        self.hierarchy = hierarchy
        self.layouter = GraphLayout(hierarchy)
        self.data = data
        self._paint_cache: dict = {}
        self._graph_id = f"g{next(_graph_ids)}"
        self.overlays = data.overlays()
        if self.overlay not in [o[0] for o in self.overlays]:
            self.overlay = "coverage"
        keep = [g for g in self.expanded if g in hierarchy.groups]
        with self.hold_trait_notifications():
            self.expanded = keep
        self._relayout()

    def set_hierarchy(self, hierarchy: Hierarchy, data: NodeData, title: str | None = None) -> None:
        """Show another graph (a new plan's after-graph); opens fitted."""
        if title is not None:
            self.title = title
        self._set(hierarchy, data)
        self._refresh_marks()

    def set_data(self, data: NodeData) -> None:
        """Re-colour for another coverage or plan: same layout."""
        self.data = data
        self._paint_cache = {}
        self.overlays = data.overlays()
        if self.overlay not in [o[0] for o in self.overlays]:
            self.overlay = "coverage"
        self._paint()
        self._on_selected()

    def _relayout(self) -> None:
        g = self.layouter.layout(self.expanded)
        g["id"] = self._graph_id
        self._visible = {i["id"] for i in g["items"] if i["kind"] != "open"}
        self.graph = g
        self._paint()

    def _paint(self) -> None:
        items = {i["id"]: self.hierarchy.members(i["id"]) for i in self.graph.get("items", [])
                 if i["kind"] in ("node", "group")}
        styles, legend = paint(self.data, self.overlay, items, self._paint_cache)
        self.styles, self.legend = styles, self._with_tooltips(legend)

    def _with_tooltips(self, legend: list) -> list:
        """A legend entry shortened with an ellipsis (a long fallback reason) gets, as its
        tooltip, the full reasons it stands for."""
        if not any(label.endswith("\u2026") for _, label in legend):
            return legend
        full: dict[str, dict[str, None]] = {}
        for reason in self.data.fallback.values():
            full.setdefault(reason_key(reason), {})[" ".join(str(reason).split())] = None
        return [[colour, label, "\n".join(list(full[label])[:5])]
                if label.endswith("\u2026") and label in full else [colour, label]
                for colour, label in legend]

    # ------------------------------------------------------------ actions
    def toggle(self, group: str) -> None:
        """Open a closed group, close an open one (and what is open inside it)."""
        if group in self.expanded:
            self.expanded = [g for g in self.expanded if g != group
                             and group not in self.hierarchy.ancestors(g)]
        elif group in self.hierarchy.groups:
            self.expanded = list(self.expanded) + [group]
        self._centre(group)

    def reveal(self, item: str) -> str:
        """Open the groups around `item` and return the id that shows it."""
        missing = [g for g in self.hierarchy.ancestors(item) if g not in self.expanded]
        if missing:
            self.expanded = list(self.expanded) + missing
        return item

    def visible_id(self, item: str) -> str:
        return self.hierarchy.visible(item, self.expanded)

    def next_match(self, step: int = 1) -> None:
        if self.matches:
            self.match_index = (self.match_index + step) % len(self.matches)

    def _centre(self, item: str) -> None:
        self._seq += 1
        self.focus = {"id": item, "seq": self._seq}

    # ------------------------------------------------------------ observers
    def _on_expanded(self, _=None) -> None:
        self._relayout()
        self._refresh_marks()

    def _on_selected(self, _=None) -> None:
        item = self.selected
        try:
            if item.startswith("n:") and item[2:] in self.hierarchy.model.node_by_name:
                self.details = item_details_html(self.hierarchy, self.data, item[2:])
            elif item.startswith("g:") and item in self.hierarchy.groups:
                g = self.hierarchy.groups[item]
                self.details = group_details_html(self.hierarchy.model, self.data, g.name, g.members)
            else:
                self.details = ""
        finally:
            for fn in self.on_select:
                fn(item)

    def _on_query(self, _=None) -> None:
        try:
            self.matches, self.search_error = self.hierarchy.find(self.query, regex=self.regex), ""
        except TrtlabError as exc:
            self.matches, self.search_error = [], one_line(exc)
        self.match_index = -1
        self._refresh_marks()
        if self.matches:
            self.match_index = 0

    def _on_match_index(self, _=None) -> None:
        if 0 <= self.match_index < len(self.matches):
            item = node_id(self.matches[self.match_index])
            self.reveal(item)
            self._refresh_marks()
            self._centre(item)

    def _refresh_marks(self) -> None:
        opened = set(self.expanded)
        self.marks = list(dict.fromkeys(self.hierarchy.visible(node_id(n), opened)
                                        for n in self.matches[:MAX_MARKS]))

    def _on_msg(self, _widget, content, _buffers) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "toggle":
            self.toggle(str(content.get("id", "")))
        elif kind == "next":
            self.next_match(int(content.get("step", 1)))

    # ------------------------------------------------------------ linking
    def show_for(self, names: list[str]) -> list[str]:
        """Highlight the boxes that show these nodes and centre the first. Parts (pages of a
        long level) open so an engine or a named group shows; nothing else opens."""
        items = [node_id(n) for n in names if node_id(n) in self.hierarchy.parent]
        pages = {g for item in items[:MAX_MARKS] for g in self.hierarchy.ancestors(item)
                 if self.hierarchy.groups[g].kind == "part" and g not in self.expanded}
        if pages:
            self.expanded = list(self.expanded) + sorted(pages)
        opened = set(self.expanded)
        ids = list(dict.fromkeys(self.hierarchy.visible(i, opened) for i in items))
        self.highlight = ids[:MAX_MARKS]
        if ids:
            self._centre(ids[0])
        return ids


def _after_title(plan) -> str:
    return f"{plan.model.name}: after ({counted(plan.engine_count, 'TensorRT engine')})"
