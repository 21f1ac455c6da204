"""How a `Plan` and a `CheckResult` show themselves: plain text everywhere, and in a notebook
the report with tables (and for a plan, its graphs)."""

from __future__ import annotations

import html

from .. import display
from ..accuracy.compare import AccuracyReport
from ..check.result import CheckResult
from ..engines.result import BuildResult
from ..errors import TrtlabError, one_line
from ..plan import Plan
from .html import summary_html
from .tables import build_table, comparisons_table
from .text import check_text, plan_report

# A plan's report in a notebook: the model, coverage and partition figures, the rest folded.
SHOWN_LINES = 7

display.renders("text", Plan)(plan_report)
display.renders("text", CheckResult)(check_text)


@display.renders("mimebundle", CheckResult)
def check_bundle(result) -> dict:
    # What ran: the after-graph alone (the plan shows both).
    graph = _compact_graph(result.plan, sides=("after",))
    return {"text/plain": check_text(result), "text/html": summary_html(result) + graph}


def _compact_graph(plan, **options) -> str:
    try:
        from ..views import compact_graph_html

        return compact_graph_html(plan, **options)
    except TrtlabError as exc:  # no graphviz: the tables alone, and why
        return f"<p><i>{html.escape(one_line(exc))}</i></p>"


@display.renders("mimebundle", Plan)
def plan_bundle(plan) -> dict:
    text = plan_report(plan)
    graphs = _compact_graph(plan)
    lines = text.splitlines()
    shown = lines if len(lines) <= SHOWN_LINES + 3 else lines[:SHOWN_LINES]
    rest = lines[len(shown):]
    head = "\n".join(shown)
    folded = (f"<details><summary>{len(rest)} more lines: every engine and fallback node</summary>"
              f"<pre>{html.escape(chr(10).join(rest))}</pre></details>") if rest else ""
    return {"text/plain": text, "text/html": f"<pre>{html.escape(head)}</pre>{folded}{graphs}"}


@display.renders("mimebundle", AccuracyReport)
def accuracy_bundle(report) -> dict:
    return {"text/plain": report.summary(), "text/html": comparisons_table([report])}


@display.renders("mimebundle", BuildResult)
def build_bundle(build) -> dict:
    return {"text/plain": repr(build), "text/html": build_table(build)}
