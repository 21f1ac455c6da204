"""Build and time: one button, a progress bar per engine, cancel, then charts and an accuracy table.

The work is `trtlab.check` on the Lab's current plan, in a background thread so the kernel stays
responsive; ipywidgets 8 sends trait changes made from that thread to the browser. Where engines
can't run here, check says so and measures what it can (ONNX Runtime stand-ins); the panel shows
those words next to the figures.
"""

from __future__ import annotations

import html
import threading
from typing import TYPE_CHECKING, Any, Callable

import ipywidgets as W

from ..plan import Plan
from ..precision_registry import REFERENCE
from ..report import engine_build, tables
from ..words import counted
from ..report.charts import check_figures
from . import background
from .accuracy_options import AccuracyOptions
from .figures import prepare_drawing, set_figures
from .profile_control import ProfileControl

# What a check imports as it goes, imported before its thread starts (see `background`).
CHECK_IMPORTS = ("trtlab.check.pipeline", "trtlab.cut", "trtlab.engines.build", "trtlab.engines.runtime",
                 "trtlab.hybrid", "trtlab.feeds", "trtlab.profiles", "trtlab.precision", "trtlab.accuracy",
                 "onnxruntime", "onnxruntime.quantization", "onnx_graphsurgeon", "plotly.graph_objects",
                 "concurrent.futures.thread")

if TYPE_CHECKING:
    from ..check import CheckEvent, CheckResult

# Per-node error (an overlay of the graphs after a build) is measured by default up to this many
# nodes: it runs each node once more in ONNX Runtime, which a large model feels.
PER_NODE_UP_TO = 500


class BuildPanel(W.VBox):
    """`build`, `cancel`, `overall` and `bars` (one per engine), `status`, `charts`, `accuracy`.

    `plan()` and `precision()` give the plan and precision to check now, `on_error` shows a
    failure; `options` go to `trtlab.check` (e.g. ``{"cache_dir": False, "timing_options": {...}}``);
    `result` is the last `CheckResult`.
    """

    def __init__(self, plan: Callable[[], Plan | None], precision: Callable[[], str],
                 on_error: Callable[[BaseException], None], options: dict[str, Any] | None = None,
                 on_result: Callable[["CheckResult"], None] | None = None):
        self._plan, self._precision, self._on_error = plan, precision, on_error
        self._on_result = on_result
        self.options: dict[str, Any] = dict(options or {})
        self.build = W.Button(description="Build and time", icon="play", button_style="primary",
                              tooltip="build a TensorRT engine per subgraph, check accuracy, time")
        self.cancel = W.Button(description="Cancel", icon="stop", disabled=True)
        self.build.on_click(lambda _: self.start())
        self.cancel.on_click(lambda _: self._cancel.set())
        self.compare_fp32 = W.Checkbox(value=True, indent=False, description="also fp32, to compare")
        self.compare_fp32.observe(self._compare_changed, "value")
        self.per_node = W.Checkbox(value=True, indent=False, description="per-node error",
                                   tooltip="also measure the error each node adds: an overlay of the graphs "
                                           "after the build (one more ONNX Runtime run of each node)")
        self._per_node_follows_size, self._sizing = True, False  # until the user ticks it
        self.per_node.observe(self._per_node_ticked, "value")
        self.accuracy_options = AccuracyOptions()
        self.shape_range = ProfileControl()
        self.status = W.HTML()
        self.status.add_class("trtlab-build-status")
        self.overall = W.FloatProgress(value=0, min=0, max=1, description="check",
                                       layout=W.Layout(visibility="hidden"))
        self.stage = W.HTML()
        self.progress = W.VBox()  # one bar per engine, every one shown
        self.bars: dict[str, W.FloatProgress] = {}
        self.charts = W.Output()
        self.charts.add_class("trtlab-build-charts")
        self.accuracy = W.HTML()
        self.accuracy.add_class("trtlab-accuracy")
        self.notes = W.HTML()
        self.engine_build = W.HTML()  # what the engines run in and what fusion saved
        self.engine_build.add_class("trtlab-engine-build")
        self.result: "CheckResult | None" = None
        self.error: BaseException | None = None
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._precisions: list[str] = []
        super().__init__([W.HBox([self.build, self.cancel, self.compare_fp32, self.per_node]), self.accuracy_options, self.shape_range, self.status,
                          W.HBox([self.overall, self.stage]), self.progress, self.notes,
                          self.charts, self.accuracy, self.engine_build])
        self.add_class("trtlab-build-panel")

    # ------------------------------------------------------------ plan
    def plan_changed(self, plan: Plan) -> None:
        if self.running:
            return
        if self._per_node_follows_size:
            self._sizing = True
            try:
                self.per_node.value = len(plan.model.nodes) <= PER_NODE_UP_TO
            finally:
                self._sizing = False
        n = plan.engine_count
        self.shape_range.model_changed(plan.model)
        self.status.value = (f"Will build {counted(n, 'engine')} at "
                             f"{html.escape(', '.join(self.precisions()))}, compare with the fp32 "
                             f"model and time it ({html.escape(self.accuracy_options.describe(self._precision()))})"
                             f"{' ' + html.escape(self.shape_range.describe()) if self.shape_range.describe() else ''}.")

    def _per_node_ticked(self, _change) -> None:
        if not self._sizing:
            self._per_node_follows_size = False

    def _compare_changed(self, _change) -> None:
        plan = self._plan()
        if plan is not None:
            self.plan_changed(plan)

    def precisions(self) -> list[str]:
        p = self._precision()
        fp32 = REFERENCE.name
        return [fp32, p] if self.compare_fp32.value and p != fp32 else [p]

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # ------------------------------------------------------------ work
    def start(self) -> None:
        plan = self._plan()
        if self.running or plan is None:
            return
        precisions = self.precisions()
        try:
            options = {"per_node": self.per_node.value, **self.options, **self.accuracy_options.options(precisions)}
            if self.shape_range.profiles():
                options["profiles"] = self.shape_range.profiles()
                options["time_shapes"] = self.shape_range.time_shapes()
        except Exception as exc:  # a tolerance that is not a number: said in the Lab
            self._on_error(exc)
            return
        self._cancel.clear()
        self.error, self.result, self._precisions = None, None, precisions
        self.bars = {}
        for s in plan.subgraphs:
            bar = W.FloatProgress(value=0, min=0, max=len(precisions),
                                  description=f"{s.name} ({counted(len(s.nodes), 'node')})",
                                  style={"description_width": "14em"})
            bar.add_class("trtlab-engine-progress")
            self.bars[s.name] = bar
        self.progress.children = tuple(self.bars.values())
        self.overall.value, self.overall.layout.visibility = 0, "visible"
        self.build.disabled, self.cancel.disabled = True, False
        self.status.value = f"Checking {html.escape(plan.model.name)} at {', '.join(precisions)}…"
        self.notes.value = self.accuracy.value = self.engine_build.value = ""
        set_figures(self.charts)
        prepare_drawing()  # plotly's first imports here, not in the check's thread
        self._thread = background.start(lambda: self._work(plan, precisions, options), name="trtlab-lab-build",
                                        cancel=self._cancel, imports=CHECK_IMPORTS)

    def stop(self, timeout: float | None = None) -> None:
        """Cancel a running check and wait for it to end."""
        if self._thread is not None:
            background.stop([self._thread], timeout)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the current check finishes (for scripts and tests); True when it did."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    def _work(self, plan: Plan, precisions: list[str], options: dict) -> None:
        from ..check import check

        try:
            result = check(plan.model, precisions, plan=plan, progress=self._on_progress,
                           cancel=self._cancel, **options)
            self.result = result
            if background.exiting():  # nobody will see it, and drawing it imports (see `background`)
                return
            self._show(result)
            if self._on_result is not None:
                self._on_result(result)
        except Exception as exc:  # shown in the Lab; the panel stays usable
            self.error = exc
            if background.exiting():
                return
            self.status.value = "The check stopped with an error (see above)."
            self._on_error(exc)
        finally:
            self.build.disabled, self.cancel.disabled = False, True
            self.overall.layout.visibility = "hidden"

    def _on_progress(self, event: "CheckEvent") -> None:
        self.overall.value = event.fraction
        self.stage.value = html.escape(event.message)
        if event.stage == "build" and event.engine in self.bars:
            self.bars[event.engine].value = self._index(event.precision) + 0.5  # building now
        elif event.stage == "accuracy":  # this precision's engines are all built (or cached)
            done = self._index(event.precision) + 1
            for bar in self.bars.values():
                bar.value = done

    def _index(self, precision: str | None) -> int:
        return self._precisions.index(precision) if precision in self._precisions else 0

    # ------------------------------------------------------------ results
    def show_result(self, result: "CheckResult") -> None:
        """Show a finished check (one run here, or one read back from its record)."""
        self.result = result
        self._show(result)

    def _show(self, result: "CheckResult") -> None:
        fresh = sum(e.built and not e.cache_hit for e in result.engines)
        cached = sum(e.built and e.cache_hit for e in result.engines)
        failed = len(result.engines) - fresh - cached
        done = "Cancelled: showing what was done." if result.cancelled else "Done."
        secs = sum(result.elapsed_s.values()) if result.elapsed_s else 0.0
        how = ", ".join([f"{fresh} built"] * bool(fresh) + [f"{cached} from the cache"] * bool(cached)
                        + [f"{failed} not built"] * bool(failed)) or "none built"
        by = f" with {html.escape(result.builder)}" if result.builder else ""
        self.status.value = (f"{done} {counted(len(result.engines), 'engine')}{by}: {how}; {secs:.1f} s."
                             + tables.verdicts_table(result))
        for e in result.engines:
            bar = self.bars.get(e.name)
            if bar is not None and not e.built:
                bar.bar_style = "danger"
                bar.tooltip = e.error or "not built"
            elif bar is not None:
                bar.bar_style = "success"
        self.notes.value = tables.notes_list(result) + _per_node_note(result)
        self.accuracy.value = (tables.accuracy_table(result) if result.accuracy else "") + tables.search_tables(result)
        self.engine_build.value = engine_build.sections(result)
        figures = check_figures(result) + ([engine_build.fusion_figure(result)] if result.fusion else [])
        set_figures(self.charts, *figures)


def _per_node_note(result: "CheckResult") -> str:
    reduced = [p for p in result.precisions if p != REFERENCE.name]
    if result.settings.per_node or not reduced:
        return ""
    return (f"<p>Per-node error not measured: the graphs' accuracy-error overlay needs it. Tick "
            f"'per-node error' (off by default above {PER_NODE_UP_TO} nodes) and build again.</p>")
