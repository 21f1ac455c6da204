"""Build and time: one button, a progress bar per engine, cancel, then charts and an accuracy table.

The work is `trtlab.check` on the Lab's current plan, in a background thread so the kernel stays
responsive; ipywidgets 8 sends trait changes made from that thread to the browser. Where engines
can't run here, check says so and measures what it can (ONNX Runtime stand-ins); the panel shows
those words next to the figures.
"""

from __future__ import annotations

import html
import threading
from typing import TYPE_CHECKING, Any

import ipywidgets as W

from ..plan import Plan
from .figures import set_figures

if TYPE_CHECKING:
    from ..check import CheckEvent, CheckResult
    from .app import Lab


class BuildPanel(W.VBox):
    """`build`, `cancel`, `overall` and `bars` (one per engine), `status`, `charts`, `accuracy`.

    `options` go to `trtlab.check` (e.g. ``{"cache_dir": False, "timing_options": {...}}``);
    `result` is the last `CheckResult`.
    """

    def __init__(self, lab: "Lab", options: dict[str, Any] | None = None):
        self.lab = lab
        self.options: dict[str, Any] = dict(options or {})
        self.build = W.Button(description="Build and time", icon="play", button_style="primary",
                              tooltip="build a TensorRT engine per subgraph, check accuracy, time")
        self.cancel = W.Button(description="Cancel", icon="stop", disabled=True)
        self.build.on_click(lambda _: self.start())
        self.cancel.on_click(lambda _: self._cancel.set())
        self.compare_fp32 = W.Checkbox(value=True, indent=False, description="also fp32, to compare")
        self.compare_fp32.observe(self._compare_changed, "value")
        self.status = W.HTML()
        self.status.add_class("trtlab-build-status")
        self.overall = W.FloatProgress(value=0, min=0, max=1, description="check",
                                       layout=W.Layout(visibility="hidden"))
        self.stage = W.HTML()
        self.progress = W.VBox(layout=W.Layout(max_height="220px", overflow="auto"))
        self.bars: dict[str, W.FloatProgress] = {}
        self.charts = W.Output()
        self.charts.add_class("trtlab-build-charts")
        self.accuracy = W.HTML()
        self.accuracy.add_class("trtlab-accuracy")
        self.notes = W.HTML()
        self.result: "CheckResult | None" = None
        self.error: BaseException | None = None
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._precisions: list[str] = []
        super().__init__([W.HBox([self.build, self.cancel, self.compare_fp32]), self.status,
                          W.HBox([self.overall, self.stage]), self.progress, self.notes,
                          self.charts, self.accuracy])
        self.add_class("trtlab-build-panel")

    # ------------------------------------------------------------ plan
    def plan_changed(self, plan: Plan) -> None:
        if self.running:
            return
        n = plan.engine_count
        self.status.value = (f"Will build {n} engine{'s' if n != 1 else ''} at "
                             f"{html.escape(', '.join(self.precisions()))}, compare with the fp32 "
                             "model and time it.")

    def _compare_changed(self, _change) -> None:
        if self.lab.plan is not None:
            self.plan_changed(self.lab.plan)

    def precisions(self) -> list[str]:
        p = self.lab.precision.value
        return ["fp32", p] if self.compare_fp32.value and p != "fp32" else [p]

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # ------------------------------------------------------------ work
    def start(self) -> None:
        if self.running or self.lab.plan is None:
            return
        plan, precisions = self.lab.plan, self.precisions()
        self._cancel.clear()
        self.error, self.result, self._precisions = None, None, precisions
        self.bars = {}
        for s in plan.subgraphs:
            bar = W.FloatProgress(value=0, min=0, max=len(precisions),
                                  description=f"{s.name} ({len(s.nodes)} nodes)",
                                  style={"description_width": "14em"})
            bar.add_class("trtlab-engine-progress")
            self.bars[s.name] = bar
        self.progress.children = tuple(self.bars.values())
        self.overall.value, self.overall.layout.visibility = 0, "visible"
        self.build.disabled, self.cancel.disabled = True, False
        self.status.value = f"Checking {html.escape(plan.model.name)} at {', '.join(precisions)}…"
        self.notes.value = self.accuracy.value = ""
        set_figures(self.charts)
        self._thread = threading.Thread(target=self._work, args=(plan, precisions),
                                        name="trtlab-lab-build", daemon=True)
        self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the current check finishes (for scripts and tests); True when it did."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    def _work(self, plan: Plan, precisions: list[str]) -> None:
        from ..check import check

        try:
            result = check(plan.model, precisions, plan=plan, progress=self._on_progress,
                           cancel=self._cancel, **self.options)
            self.result = result
            self._show(result)
        except Exception as exc:  # shown in the Lab; the panel stays usable
            self.error = exc
            self.status.value = "The check stopped with an error (see above)."
            self.lab.show_error(exc)
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
    def _show(self, result: "CheckResult") -> None:
        built = sum(e["built"] for e in result.engines)
        done = "Cancelled: showing what was done." if result.cancelled else "Done."
        secs = sum(result.elapsed_s.values()) if result.elapsed_s else 0.0
        self.status.value = (f"{done} {built} of {len(result.engines)} engine builds succeeded"
                             f"{f' ({result.builder})' if result.builder else ''}; {secs:.1f} s.")
        for e in result.engines:
            bar = self.bars.get(f"trt_engine_{e['subgraph']}")
            if bar is not None and not e["built"]:
                bar.bar_style = "danger"
                bar.tooltip = e["error"] or "not built"
            elif bar is not None:
                bar.bar_style = "success"
        self.notes.value = notes_html(result)
        self.accuracy.value = accuracy_html(result)
        set_figures(self.charts, *check_figures(result))


def check_figures(result: "CheckResult") -> list:
    """Latency, speed-up over the framework's whole-model run, accuracy: each titled with what
    was measured and where (the backend names say when ONNX Runtime stood in for TensorRT)."""
    from ..views import charts

    figs = []
    if result.timing:
        figs.append(charts.latency_figure(result.timing))
    if len(result.timing) > 1:
        figs.append(charts.speedup_figure(result.timing))
    if result.accuracy:
        figs.append(charts.accuracy_figure(result.accuracy))
    return figs


def notes_html(result: "CheckResult") -> str:
    """What was done and, plainly, what could not be done here and why."""
    items = [f"<li>{html.escape(s)}</li>" for s in result.done]
    items += [f"<li style='color:#8a4b00'>{html.escape(s)}</li>" for s in result.not_done]
    items += [f"<li style='color:#8a4b00'>warning: {html.escape(s)}</li>" for s in result.warnings]
    return f"<ul class='trtlab-check-notes' style='margin:4px 0'>{''.join(items)}</ul>" if items else ""


def accuracy_html(result: "CheckResult") -> str:
    if not result.accuracy:
        return ""
    rows = []
    for r in result.accuracy:
        for o in r.outputs:
            top1 = "" if o.top1_agree is None else f"{o.top1_agree:.0%}"
            verdict = ("<span style='color:#2e7d32'>pass</span>" if o.passed else
                       "<span style='color:#b71c1c'>FAIL</span>")
            rows.append(
                f"<tr><td>{html.escape(r.precision)}</td><td><code>{html.escape(o.output)}</code></td>"
                f"<td>{o.max_abs:.3g}</td><td>{o.max_rel:.3g}</td><td>{o.cosine:.6f}</td>"
                f"<td>{top1}</td><td>atol {o.atol:g}, rtol {o.rtol:g}</td><td>{verdict}</td></tr>")
    labels = sorted({r.label for r in result.accuracy})
    caption = "; ".join(html.escape(lbl) for lbl in labels)
    head = "".join(f"<th style='text-align:left;padding-right:10px'>{h}</th>" for h in (
        "precision", "output", "max abs err", "max rel err", "cosine", "top-1 agrees",
        "tolerance", ""))
    return (f"<div><b>Accuracy</b> <span style='color:#666;font-size:12px'>(measured: {caption})</span>"
            f"<table class='trtlab-accuracy-table'><tr>{head}</tr>{''.join(rows)}</table></div>")
