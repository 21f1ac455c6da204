"""Coverage controls: preset, one checkbox per op type, min_block_size, and the live figures."""

from __future__ import annotations

import html
from typing import Callable

import ipywidgets as W

from ..plan import Plan
from ..words import clip, counted
from .session import PRESETS, Session


class CoveragePanel(W.VBox):
    """`preset`, `op_checks[op]` (ticked = TensorRT may take it) in `op_table`, `min_block_size`,
    `figures`. The panel shows the controls and figures; `op_table` is shown where its owner puts it."""

    def __init__(self, session: Session, *, source: str, precision: str, min_block_size: int,
                 on_change: Callable[[str, dict], None], lead: W.Widget | None = None):
        self.session = session
        self._on_change = on_change
        self._quiet = False  # set while the preset rewrites the checkboxes: one update, not N
        # The user's own ticks, kept across precision and preset changes (op type -> ticked).
        self.user_choices: dict[str, bool] = {}
        model = session.model
        self.preset = W.Dropdown(options=list(PRESETS), value=source, description="Coverage",
                                 style={"description_width": "initial"})
        biggest = max(2, min(64, len(model.nodes)))
        self.min_block_size = W.IntSlider(value=min(max(1, min_block_size), biggest), min=1,
                                          max=biggest, description="min_block_size",
                                          continuous_update=False,
                                          style={"description_width": "initial"})
        self.op_checks: dict[str, W.Checkbox] = {}
        self._notes: dict[str, W.HTML] = {}
        rows = []
        for op, count in sorted(model.op_counts.items(), key=lambda kv: (-kv[1], kv[0])):
            box = W.Checkbox(value=True, description=op, indent=False,
                             layout=W.Layout(width="auto"))
            box.add_class("trtlab-op-check")
            box.observe(self._changed, "value")
            note = W.HTML()
            self.op_checks[op] = box
            self._notes[op] = note
            rows += [box, W.HTML(f"<span style='font-variant-numeric:tabular-nums'>{count}</span>"),
                     note]
        header = [W.HTML("<b>op type (ticked: TensorRT may take it)</b>"), W.HTML("<b>nodes</b>"),
                  W.HTML("<b>source says</b>")]
        self.op_table = W.GridBox(
            header + rows,
            layout=W.Layout(grid_template_columns="minmax(12em, max-content) 4em auto",
                            grid_gap="0 12px", padding="4px", border="1px solid #ddd"))
        self.op_table.add_class("trtlab-op-table")
        self.figures = W.HTML()
        self.figures.add_class("trtlab-figures")
        self.preset.observe(self._preset_changed, "value")
        self.min_block_size.observe(self._changed, "value")
        self.reset_ops(precision)
        # One row of controls (`lead` first: the Lab's precision), the figures under it. The op
        # table, every row shown, is the Lab's to place: under the graphs, so they open in view.
        row = [lead, self.preset, self.min_block_size] if lead is not None else [self.preset, self.min_block_size]
        super().__init__([W.HBox(row, layout=W.Layout(flex_flow="row wrap", align_items="center",
                                                      grid_gap="2px 16px")), self.figures])
        self.add_class("trtlab-coverage-panel")

    # ------------------------------------------------------------ state
    @property
    def allowed(self) -> dict[str, bool]:
        return {op: box.value for op, box in self.op_checks.items()}

    def reset_ops(self, precision: str) -> None:
        """Tick the ops the current preset accepts at `precision`, except where the user ticked
        or unticked one: that choice stays."""
        source = self.preset.value
        defaults = self.session.op_defaults(source, precision)
        reasons = self.session.op_reasons(source, precision)
        self._quiet = True
        try:
            for op, box in self.op_checks.items():
                box.value = self.user_choices.get(op, defaults.get(op, False))
                why = reasons.get(op, "")
                self._notes[op].value = (
                    "<span style='color:#2e7d32'>accepted</span>" if not why else
                    f"<span style='color:#b71c1c' title='{html.escape(why, quote=True)}'>"
                    f"{html.escape(clip(why, 60))}</span>")
        finally:
            self._quiet = False

    def _preset_changed(self, change) -> None:
        if not self._quiet:
            self._on_change("preset", change)

    def _changed(self, change) -> None:
        if self._quiet:
            return
        box = change.get("owner")
        if isinstance(box, W.Checkbox):
            self.user_choices[box.description] = change["new"]
        self._on_change("ops", change)

    def forget_choices(self) -> None:
        """Back to what the preset says for every op type."""
        self.user_choices.clear()

    def set_preset_quietly(self, value: str) -> None:
        self._quiet = True
        try:
            self.preset.value = value
        finally:
            self._quiet = False

    # ------------------------------------------------------------ view
    def show_plan(self, plan: Plan) -> None:
        fallback = len(plan.fallback_nodes)
        cards = [
            ("coverage", f"{plan.coverage_pct:.1f}%",
             f"{plan.nodes_in_engines} of {counted(plan.total_nodes, 'node')} in TensorRT"),
            ("engines", str(plan.engine_count), "TensorRT subgraph" + ("" if plan.engine_count == 1 else "s")),
            ("ops / engine", f"{plan.ops_per_engine:.1f}", "mean nodes per engine"),
            ("fallback", str(fallback), ("node" if fallback == 1 else "nodes") + " left to the framework"),
        ]
        self.figures.value = "<div style='display:flex;gap:10px;flex-wrap:wrap'>" + "".join(
            f"<div class='trtlab-figure' data-name='{html.escape(k)}' style='border:1px solid #ccc;"
            f"border-radius:6px;padding:2px 10px;min-width:8em;line-height:1.25'><div style='font-size:11px;color:#666'>"
            f"{html.escape(k)}</div><div style='font-size:17px;font-weight:600'>{html.escape(v)}</div>"
            f"<div style='font-size:11px;color:#666'>{html.escape(sub)}</div></div>"
            for k, v, sub in cards) + "</div>"
