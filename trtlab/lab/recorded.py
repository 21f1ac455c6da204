"""A recorded check in the Lab: `Lab.from_result(path)` shows what a check found on another
machine (verdicts, the graphs with their precision and error overlays, timing, fusion) with no
TensorRT, no GPU and no model weights here.

The Lab's session is seeded with the record's coverage and plan, so nothing is parsed or
partitioned again to show them; the controls still move (other plans are partitioned from the
recorded coverage). Building is off: the record holds the graph, not the weights.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from ..report.text import ran_on_line
from .session import Session, Settings

if TYPE_CHECKING:
    from ..check import CheckResult

NO_BUILD = ("A recorded check: its model's weights are not in the record, so nothing is built here. "
            "Run `trtlab check` on the model to measure it again.")


def recorded_session(result: "CheckResult") -> tuple[Session, Settings]:
    """A session whose coverage and plan for the record's settings are the recorded ones."""
    plan = result.plan
    precision = plan.coverage.precision
    settings = Settings(precision, plan.settings or result.settings.partition)
    session = Session(result.model)
    session._base[(settings.source, precision)] = plan.coverage
    session._plans[settings] = plan
    return session, settings


def show_recorded(lab, result: "CheckResult") -> None:
    """The record's figures in `lab`: the graphs' overlays, the build panel's tables and charts."""
    from ..views.overlays import check_values

    lab.plan = result.plan  # the recorded plan, whatever the op checkboxes can say of its overrides
    lab.coverage_panel.show_plan(result.plan)
    lab.graph.show_plan(result.plan, **check_values(result))
    panel = lab.build_panel
    panel.show_result(result)
    panel.build.disabled = True
    panel.build.tooltip = NO_BUILD
    where = ran_on_line(result.ran_on)
    lab.header.value += (f"<div class='trtlab-recorded' style='color:#555'>Recorded check"
                         f"{', run ' + html.escape(where) if where else ''}. Its model's weights are not in "
                         "the record: nothing is built here.</div>")
