"""Before and after graphs side by side, linked: selecting a node in one highlights it (or the
engine that holds it) in the other.

Each side is a `GraphWidget` (pan, zoom, fit, search, overlays, groups that open on a click).
The before-graph is laid out once per model and re-coloured per plan, in the handler; the
after-graph of a new plan is laid out (`dot`) in the background, so a control answers at once and
the after-graph follows; only the newest plan is drawn.
"""

from __future__ import annotations

import threading
from typing import Callable

import ipywidgets as W

from ..plan import Plan
from ..views.hierarchy import model_hierarchy, plan_hierarchy
from ..views.overlays import node_data
from . import background
from .graph_widget import GraphWidget, _after_title


class GraphPanel(W.Box):
    """`before` and `after` (`GraphWidget`s), next to each other, each half the width."""

    def __init__(self, model, report_error: Callable[[BaseException], None], *, height: int = 480):
        self.model = model
        self._report_error = report_error
        self._plan: Plan | None = None
        self._height = height
        self.before: GraphWidget | None = None
        self.after: GraphWidget | None = None
        self._linking = False
        # One drawing thread for the panel's life, fed the newest plan: starting a thread per
        # change would make the handler wait for the interpreter to schedule it.
        self._wanted: tuple | None = None  # (plan, data) not drawn yet
        self._wake = threading.Condition()
        self._idle = threading.Event()
        self._idle.set()
        self._stop = threading.Event()
        self._drawer: threading.Thread | None = None
        half = W.Layout(flex="1 1 0", min_width="0", width="50%")
        self._left, self._right = W.Box(layout=half), W.Box(layout=half)
        super().__init__([self._left, self._right],
                         layout=W.Layout(display="flex", flex_flow="row", width="100%", grid_gap="12px"))
        self.add_class("trtlab-graph-panel")

    def show_plan(self, plan: Plan, **values) -> None:
        """Show a plan. values: per-node values for the overlays, by name (`precision`, `error`, ...:
        `trtlab.views.overlays.check_values(result)` gives a check's)."""
        self._plan = plan
        try:
            data = node_data(self.model, plan, **values)
            if self.before is None:
                self.before = GraphWidget(model_hierarchy(self.model), data, height=self._height,
                                          title=f"{self.model.name}: before")
                self.before.add_class("trtlab-before")
                self.before.on_select.append(lambda item: self._link(self.before, self.after, item))
                self._left.children = [self.before]
            else:
                self.before.set_data(data)
            if self.after is None:
                self.after = GraphWidget(plan_hierarchy(plan), data, height=self._height,
                                         title=_after_title(plan))
                self.after.add_class("trtlab-after")
                self.after.on_select.append(lambda item: self._link(self.after, self.before, item))
                self._right.children = [self.after]
            else:
                self._draw_later(plan, data)
        except Exception as exc:
            self._report_error(exc)

    def _draw_later(self, plan: Plan, data) -> None:
        with self._wake:
            self._wanted = (plan, data)
            self._idle.clear()
            self._wake.notify()
        if self._drawer is None:
            self._drawer = background.start(self._draw_loop, name="trtlab-after-graph", cancel=self._stop)
            if self._drawer is None:  # exiting: nothing more is drawn
                self._idle.set()

    def _draw_loop(self) -> None:
        while not self._stop.is_set():
            with self._wake:
                if self._wanted is None:
                    self._idle.set()
                    self._wake.wait(0.2)  # wakes for a new plan, or to see a stop
                    continue
                (plan, data), self._wanted = self._wanted, None
            try:
                self.after.set_hierarchy(plan_hierarchy(plan), data, title=_after_title(plan))
            except Exception as exc:  # shown in the Lab; the panel stays usable
                self._report_error(exc)
        self._idle.set()

    def stop(self) -> None:
        """End the drawing thread (the Lab's close does this)."""
        self._stop.set()
        if self._drawer is not None:
            background.stop([self._drawer])

    def _link(self, source: GraphWidget, target: GraphWidget | None, item: str) -> None:
        if target is None or self._linking:
            return
        self._linking = True
        try:
            target.show_for(source.hierarchy.members(item) if item.startswith(("n:", "g:")) else [])
        finally:
            self._linking = False

    def wait(self, timeout: float = 30.0) -> None:
        """Block until the after-graph shows the newest plan (for scripts, tests and benches)."""
        self._idle.wait(timeout)


def graphs(plan: Plan, *, height: int = 480) -> GraphPanel:
    """The before- and after-graph widgets of `plan`, side by side and linked, as in the Lab: for
    a graph too large to read as a static drawing (pan, zoom, open groups, search)."""
    errors: list[BaseException] = []
    panel = GraphPanel(plan.model, errors.append, height=height)
    panel.show_plan(plan)
    if errors:
        raise errors[0]
    return panel
