"""Before and after graphs side by side: zoom, pan (drag or scroll), search, click or pick a node.

The SVGs live in `ipywidgets.HTML`. Zoom and the search highlight are CSS in a separate small
`style` widget, so neither re-sends an SVG. A click on a node writes its name into the node
picker's text box through an inline handler (the HTML widget sets innerHTML, which keeps inline
handlers), and the picker's `value` reaches Python like typing would: no custom frontend code.
"""

from __future__ import annotations

import html
import itertools
from typing import Callable

import ipywidgets as W

from ..plan import Plan
from ..views import GraphView, after_graph, before_graph, restyle_before
from ..views.svg import svg_body
from .node_details import group_details_html, node_details_html

_ids = itertools.count()
MAX_HIGHLIGHT = 300


def _click_handler(uid: str) -> str:
    # Type the clicked graph node's name into this Lab's picker box, unless the mouse dragged.
    js = ("var d=this._pan;this._pan=null;if(d&&d.moved)return;"
          "var g=event.target.closest('[data-name]');if(!g)return;"
          f"var i=document.querySelector('.trtlab-pick-{uid} input');if(!i)return;"
          "i.value=g.getAttribute('data-name');"
          "i.dispatchEvent(new Event('input',{bubbles:true}));"
          "i.dispatchEvent(new Event('change',{bubbles:true}));")
    return html.escape(js, quote=True)


# Drag to pan: remember where the drag started, scroll the frame by how far the mouse moved.
_PAN_START = html.escape("this._pan={x:event.clientX,y:event.clientY,l:this.scrollLeft,"
                         "t:this.scrollTop,moved:false};", quote=True)
_PAN_MOVE = html.escape("var d=this._pan;if(!d||!(event.buttons&1))return;"
                        "var dx=event.clientX-d.x,dy=event.clientY-d.y;"
                        "if(Math.abs(dx)+Math.abs(dy)>3)d.moved=true;"
                        "this.scrollLeft=d.l-dx;this.scrollTop=d.t-dy;event.preventDefault();",
                        quote=True)


class GraphPanel(W.VBox):
    """`before`, `after` (HTML with SVG), `zoom`, `search`, `node` (picker), `details`."""

    def __init__(self, model, report_error: Callable[[BaseException], None]):
        self.model = model
        self.uid = f"{next(_ids)}x{id(self) & 0xFFFF:x}"
        self._report_error = report_error
        self._plan: Plan | None = None
        self._before = None  # the before GraphView: laid out once, re-coloured per plan
        self._before_svg = ""
        self._after_cache: dict[str, str] = {}  # DOT source -> SVG
        self._after_svg = ""
        self._want = ""
        self._executor = None
        self._drawing = None
        self.zoom = W.FloatSlider(value=1.0, min=0.2, max=3.0, step=0.1, description="zoom",
                                  readout_format=".1f", continuous_update=True)
        self.zoom_out = W.Button(icon="search-minus", tooltip="zoom out", layout=W.Layout(width="36px"))
        self.zoom_in = W.Button(icon="search-plus", tooltip="zoom in", layout=W.Layout(width="36px"))
        self.zoom_reset = W.Button(description="1:1", tooltip="actual size", layout=W.Layout(width="48px"))
        self.zoom_out.on_click(lambda _: self._step_zoom(1 / 1.25))
        self.zoom_in.on_click(lambda _: self._step_zoom(1.25))
        self.zoom_reset.on_click(lambda _: setattr(self.zoom, "value", 1.0))
        self.search = W.Text(placeholder="find nodes: name or op type", description="search",
                             continuous_update=True)
        self.matches: list[str] = []
        self.match_count = W.HTML()
        self.node = W.Combobox(options=[n.name for n in model.nodes], ensure_option=False,
                               placeholder="click a node, or type its name", description="node",
                               continuous_update=True)
        self.node.add_class(f"trtlab-pick-{self.uid}")
        self.details = W.HTML("<i>Click a node in either graph, or pick one by name.</i>")
        self.details.add_class("trtlab-details")
        self.style = W.HTML()
        self.before = W.HTML()
        self.after = W.HTML()
        self.before.add_class("trtlab-before")
        self.after.add_class("trtlab-after")
        self.zoom.observe(lambda _: self._restyle(), "value")
        self.search.observe(lambda _: self._find(), "value")
        self.node.observe(lambda _: self._show_node(), "value")
        box = W.Layout(width="50%", min_width="0")
        self.graphs = W.HBox([W.VBox([W.HTML("<b>before</b>: the model, TensorRT's nodes coloured"),
                                      self.before], layout=box),
                              W.VBox([W.HTML("<b>after</b>: engines and fallback nodes"),
                                      self.after], layout=box)])
        super().__init__([
            W.HBox([self.zoom_out, self.zoom, self.zoom_in, self.zoom_reset]),
            W.HBox([self.search, self.match_count, self.node]),
            self.style, self.graphs, self.details])
        self.add_class("trtlab-graph-panel")
        self._restyle()

    # ------------------------------------------------------------ plan
    def show_plan(self, plan: Plan) -> None:
        self._plan = plan
        if self._before is None:
            # The one expensive step (dot); later plans only re-colour this drawing.
            self._before = before_graph(plan)
            self._before_svg = svg_body(self._before.svg())
        else:
            self._before_svg = restyle_before(self._before_svg, plan)
        self.before.value = self._frame("before", self._before_svg)
        # Building the after-graph's DOT source is cheap; laying it out is not. The source is the
        # cache key: equal sources draw equal pictures, whatever in the plan made them.
        view = after_graph(plan)
        self._want = key = view.source
        after = self._after_cache.get(key)
        if after is None and not self._after_svg:
            self._draw_after(view, key)  # the first drawing: part of the first show
        elif after is not None:
            self._after_svg = after
            self.after.value = self._frame("after", after)
        else:
            # A new layout needs `dot` (tens of ms, more for a fragmented plan): draw it in the
            # background so the controls answer at once; the newest request wins.
            self.after.value = self._frame("after", self._after_svg, stale=True)
            self._drawing = self._pool().submit(self._draw_after, view, key)
        self._show_node()

    def _pool(self):
        if self._executor is None:
            from concurrent.futures import ThreadPoolExecutor

            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="trtlab-after")
        return self._executor

    def _draw_after(self, view: GraphView, key: str) -> None:
        if key != self._want:
            return  # a newer plan is waiting
        try:
            svg = svg_body(view.svg())
        except Exception as exc:
            self._report_error(exc)
            return
        if len(self._after_cache) > 64:
            self._after_cache.clear()
        self._after_cache[key] = svg
        if key == self._want:
            self._after_svg = svg
            self.after.value = self._frame("after", svg)

    def wait(self, timeout: float = 30.0) -> None:
        """Wait for the after-graph being drawn (for scripts and tests)."""
        if self._drawing is not None:
            self._drawing.result(timeout)

    def _frame(self, side: str, svg: str, stale: bool = False) -> str:
        # A scrollable box: scrolling pans; CSS zoom (in `style`) scales the SVG and its scroll area.
        note = ("<div class='trtlab-drawing' style='position:sticky;top:0;left:0;background:#fff8;"
                "font-size:11px;color:#666'>drawing the new plan…</div>") if stale else ""
        fade = "opacity:0.45;" if stale else ""
        return (f"<div class='trtlab-frame trtlab-{side}-{self.uid}' onclick=\"{_click_handler(self.uid)}\" "
                f"onmousedown=\"{_PAN_START}\" onmousemove=\"{_PAN_MOVE}\" "
                "style='overflow:auto;max-height:560px;border:1px solid #ddd;cursor:grab;user-select:none'>"
                f"{note}<div style='{fade}'>{svg}</div></div>")

    # ------------------------------------------------------------ zoom and search
    def _step_zoom(self, factor: float) -> None:
        self.zoom.value = round(min(self.zoom.max, max(self.zoom.min, self.zoom.value * factor)), 2)

    def _restyle(self) -> None:
        u = self.uid
        rules = [f".trtlab-before-{u} svg, .trtlab-after-{u} svg {{zoom:{self.zoom.value:g}}}"]
        ids = self._before.node_ids if self._before is not None else {}
        shown = dict.fromkeys(ids[n] for n in self.matches[:MAX_HIGHLIGHT] if n in ids)
        sel = [f'.trtlab-before-{u} [id="{i}"]' for i in shown]  # ids may hold dots
        if sel:
            rules.append(",".join(f"{s} polygon,{s} ellipse,{s} path" for s in sel)
                         + "{stroke:#ff6f00 !important;stroke-width:5px !important}")
        self.style.value = "<style>" + "\n".join(rules) + "</style>"

    def _find(self) -> None:
        q = self.search.value.strip().lower()
        if not q:
            self.matches = []
        else:
            self.matches = [n.name for n in self.model.nodes
                            if q in n.name.lower() or q == n.op_type.lower()]
        self.match_count.value = (f"{len(self.matches)} match{'es' if len(self.matches) != 1 else ''}"
                                  if q else "")
        self._restyle()
        if len(self.matches) == 1:
            self.node.value = self.matches[0]

    def _show_node(self) -> None:
        name, plan = self.node.value, self._plan
        if plan is None:
            return
        try:
            if name in self.model.node_by_name:
                self.details.value = node_details_html(plan, name)
                return
            groups = {s.name: s.nodes for s in plan.subgraphs}
            if self._before is not None:
                groups.update({b.name: list(b.members) for b in self._before.blocks})
            if name in groups:
                self.details.value = group_details_html(plan, name, groups[name])
        except Exception as exc:
            self._report_error(exc)
