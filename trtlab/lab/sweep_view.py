"""A sweep in a notebook: a progress bar, Cancel, and the summary (verdict grid, every row),
brought up to date as each result arrives. A `Sweep` shows itself as this widget."""

from __future__ import annotations

import ipywidgets as W

from .. import display
from ..report.sweep import headline, summary_html
from ..sweeps.run import Sweep


class SweepView(W.VBox):
    """Children: `bar` (tasks done), `label` (the headline), `cancel`, `summary` (HTML)."""

    def __init__(self, sweep):
        self.sweep = sweep
        self.bar = W.IntProgress(value=0, min=0, max=max(sweep.total, 1), description="tasks")
        self.label = W.Label()
        self.cancel = W.Button(description="Cancel", tooltip="cancel the tasks that have not finished")
        self.cancel.on_click(lambda _: sweep.cancel())
        self.summary = W.HTML()
        super().__init__([W.HBox([self.bar, self.cancel]), self.label, self.summary])
        self.refresh(sweep)
        sweep.observe(self.refresh)

    def refresh(self, sweep) -> None:
        """Called by the sweep (from its collecting thread) after each row and at the end."""
        self.bar.value = len(sweep.rows)
        self.label.value = headline(sweep)
        self.summary.value = summary_html(sweep)
        if sweep.done:
            self.cancel.disabled = True
            self.bar.bar_style = "success" if sweep.passed else "warning"


@display.renders("mimebundle", Sweep)
def sweep_view_bundle(sweep) -> dict:
    """A sweep in a notebook, once trtlab.lab is imported: this view, live."""
    return SweepView(sweep)._repr_mimebundle_()
