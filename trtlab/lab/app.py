"""`Lab`: one widget to see a model's TensorRT partition, change it, build, time and sweep."""

from __future__ import annotations

import html
import time
import traceback
from dataclasses import dataclass
from typing import Any, Collection, Mapping

import ipywidgets as W

from ..errors import TrtlabError
from ..loaders import load
from ..model import Model, value_text
from ..plan import Plan
from ..settings import PartitionSettings
from ..installed_tensorrt import find_tensorrt
from ..views.overlays import check_values
from .build_panel import BuildPanel
from .coverage_panel import CoveragePanel
from .graph_panel import GraphPanel
from ..precision_registry import PRECISIONS, check_precision
from ..words import counted
from .session import Session, Settings
from .sweep import SweepPanel


# Every tab of the Lab takes the height of the tallest, so switching tabs never moves the page:
# the hidden tabs stay in the layout, invisible, stacked under the shown one.
_STYLE = """<style>
.trtlab-tabs > .widget-tab-contents { display: grid !important; overflow: visible; }
.trtlab-tabs > .widget-tab-contents > .lm-Widget { grid-area: 1 / 1; min-width: 0; }
.trtlab-tabs > .widget-tab-contents > .lm-Widget.lm-mod-hidden { display: flex !important; visibility: hidden; }
.trtlab-tabs > .widget-tab-contents > .lm-mod-hidden * { visibility: hidden !important; }
</style>"""


@dataclass(frozen=True)
class NodeOverrides:
    """Names of nodes the Lab keeps out of TensorRT (`exclude`) or forces into it (`include`), on
    top of the coverage source and the op checkboxes; a node named both ways is excluded."""
    exclude: Collection[str] = ()
    include: Collection[str] = ()


class Lab(W.VBox):
    """See and change what TensorRT takes of a model.

        lab = trtlab.Lab("zoo:resnet18")   # or a Model, an .onnx path, ...
        lab                                # the last expression of a cell shows it

    Children: `lab.header`, `lab.errors`, `lab.precision`, `lab.coverage_panel`, `lab.graph`,
    `lab.build_panel`, `lab.sweep`; `lab.plan` is the current `Plan`, `lab.settings` the
    `Settings` that made it, `lab.timings` the handler times in ms. `nodes` (a `NodeOverrides`)
    names nodes kept out of or forced into TensorRT. `check_options` go to
    `trtlab.check` when **Build and time** runs (e.g. ``{"cache_dir": False}``).
    """

    def __init__(self, model: Any, *, coverage: str = "tensorrt", precision: str = "fp32",
                 min_block_size: int = 1, inputs: Mapping | None = None, feeds: Any = None,
                 nodes: NodeOverrides | None = None, check_options: Mapping[str, Any] | None = None):
        check_precision(precision)
        if feeds is not None:  # real inputs (an .npz path or a dict) also fix the input shapes
            from ..feeds import feed_shapes

            inputs = {**feed_shapes(feeds), **dict(inputs or {})}
            check_options = {"feeds": feeds, **dict(check_options or {})}
        self.model: Model = load(model, inputs=inputs)
        # Node overrides have no checkbox: they ride along with every change of the controls.
        nodes = nodes or NodeOverrides()
        self._nodes = PartitionSettings(coverage=coverage, exclude_nodes=nodes.exclude, include_nodes=nodes.include)
        self.session = getattr(self, "_recorded_session", None) or Session(self.model)
        self.timings: dict[str, float] = {}
        self.plan: Plan | None = None
        self.settings: Settings | None = None
        self.errors = W.HTML()
        self.errors.add_class("trtlab-errors")
        self.header = W.HTML(self._header_html())
        self.precision = W.ToggleButtons(options=[p.name for p in PRECISIONS], value=precision,
                                         tooltips=[p.description for p in PRECISIONS],
                                         style={"button_width": "56px"},
                                         layout=W.Layout(width="auto", flex="0 0 auto"))
        self.coverage_panel = CoveragePanel(self.session, source=coverage, precision=precision,
                                            min_block_size=min_block_size,
                                            on_change=self._coverage_changed,
                                            lead=W.HBox([W.Label("precision"), self.precision],
                                                        layout=W.Layout(align_items="center")))
        self.graph = GraphPanel(self.model, self.show_error)
        self.sweep = SweepPanel(self.session, lambda: self.settings, self.show_error)
        self.build_panel = BuildPanel(lambda: self.plan, lambda: self.precision.value, self.show_error,
                                      dict(check_options or {}), on_result=self._show_result)
        self.precision.observe(self._precision_changed, "value")
        # The graphs open in view; the op types, every row shown, under them.
        self.tabs = W.Tab([W.VBox([self.graph, self.coverage_panel.op_table]), self.build_panel, self.sweep])
        for i, title in enumerate(("Graph", "Build and time", "Sweep")):
            self.tabs.set_title(i, title)
        self.tabs.add_class("trtlab-tabs")
        super().__init__([W.HTML(_STYLE), self.header, self.errors, self.coverage_panel, self.tabs])
        self.add_class("trtlab-lab")
        self.update()
        if coverage != "parser" and find_tensorrt() is not None:
            self.session.prefetch("parser", precision)  # so the parser preset switches at once

    @classmethod
    def from_result(cls, result, **options) -> "Lab":
        """A Lab on a recorded check (a `trtlab check --json` file, or a `CheckResult`): its
        verdicts, graphs with their overlays, timing and fusion, with no TensorRT or GPU needed."""
        from ..check.record import load_result
        from .recorded import recorded_session, show_recorded

        if not hasattr(result, "plan"):
            result = load_result(result)
        session, s = recorded_session(result)
        lab = cls.__new__(cls)
        lab._recorded_session = session  # seeded with the record's coverage and plan
        part = s.partition
        lab.__init__(result.model, coverage=s.source, precision=s.precision, min_block_size=part.min_block_size,
                     nodes=NodeOverrides(exclude=part.exclude_nodes, include=part.include_nodes), **options)
        lab.result = result
        show_recorded(lab, result)
        return lab

    # ------------------------------------------------------------ updates
    def update(self) -> Plan | None:
        """Recompute the plan from the controls and redraw what depends on it."""
        t0 = time.perf_counter()
        try:
            cp = self.coverage_panel
            s = self.session.settings_for(cp.preset.value, self.precision.value, cp.allowed,
                                          cp.min_block_size.value, base=self._nodes)
            plan = self.session.plan(s)
            t1 = time.perf_counter()
            cp.show_plan(plan)
            self.graph.show_plan(plan)
            self.settings, self.plan = s, plan
            self.build_panel.plan_changed(plan)
            self.errors.value = ""
            self.timings["partition"] = 1e3 * (t1 - t0)
        except Exception as exc:
            self.show_error(exc)
        self.timings["update"] = 1e3 * (time.perf_counter() - t0)
        return self.plan

    def _coverage_changed(self, kind: str, change: dict) -> None:
        if kind == "preset":
            try:
                self.coverage_panel.reset_ops(self.precision.value)
            except Exception as exc:
                # e.g. the parser preset without TensorRT installed: say so, keep the old preset.
                self.show_error(exc)
                self.coverage_panel.set_preset_quietly(change["old"])
                return
        self.update()

    def _precision_changed(self, change: dict) -> None:
        try:
            self.coverage_panel.reset_ops(change["new"])
        except Exception as exc:
            self.show_error(exc)
            return
        self.update()

    def _show_result(self, result) -> None:
        """After a check: the graphs' precision and per-node error overlays show what it found."""
        if result.plan is not self.plan or result.cancelled:
            return  # the controls moved on while the check ran, or it was stopped
        self.graph.show_plan(result.plan, **check_values(result))

    # ------------------------------------------------------------ lifecycle
    def close(self) -> None:
        """Stop the Lab's background work (a running check, a coverage being computed), then close
        its widgets."""
        for part in ("build_panel", "graph", "session"):  # absent where __init__ stopped early
            if hasattr(self, part):
                getattr(self, part).stop()
        super().close()

    # ------------------------------------------------------------ errors
    def show_error(self, exc: BaseException) -> None:
        """Show a failure inside the widget; the kernel gets no exception and the Lab stays usable."""
        if isinstance(exc, TrtlabError):
            text = str(exc)
        else:
            last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
            where = f" (at {last[0].name}, line {last[0].lineno})" if last else ""
            text = f"Unexpected {type(exc).__name__}: {exc}{where}"
        self.errors.value = (
            "<div style='color:#b71c1c;background:#fdecea;border:1px solid #f5c2c0;padding:4px 8px;"
            f"border-radius:4px'>{html.escape(text)}</div>")

    # ------------------------------------------------------------ text
    def _header_html(self) -> str:
        m = self.model
        ins = ", ".join(value_text(n, i) for n, i in m.inputs.items())
        return (f"<b>{html.escape(m.name)}</b> &nbsp; {counted(len(m.nodes), 'node')}, "
                f"{counted(len(m.op_counts), 'op type')}, opset {m.opset} &nbsp; "
                f"<span style='color:#666'>{html.escape(ins)}</span>")

    def __repr__(self) -> str:
        plan = self.plan
        tail = f", {counted(plan.engine_count, 'engine')}, {plan.coverage_pct:.1f}% in TensorRT" if plan else ""
        return f"<trtlab.Lab {self.model.name!r}{tail}>"

