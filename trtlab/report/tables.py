"""HTML tables and lists of a check's results: the one place they are written. The HTML report,
a result's notebook view and the Lab's build panel all show these."""

from __future__ import annotations

import html

from ..precision.policy import KEPT_BY_SEARCH
from ..accuracy.tolerances import tolerances_text
from ..words import clip
from .text import accuracy_cells, engine_state

STATUS_CLASS = {"pass": "pass", "fail": "fail", "not measured": "notmeasured"}
# Inline colours too, so the tables read the same inside a notebook, which has no report CSS.
STATUS_STYLE = {"pass": "color:#2e7d32", "fail": "color:#c62828;font-weight:bold",
                "not measured": "color:#8a4b00;font-weight:bold"}
MAX_REL_HELP = "max abs error divided by the largest absolute value of the fp32 output"


class Raw(str):
    """Table cell HTML that is already escaped."""


def table(head, rows, cls: str = "") -> str:
    def cell(v):
        return str(v) if isinstance(v, Raw) else html.escape(str(v))

    def th(h):
        return f"<th title='{html.escape(h[1])}'>{html.escape(h[0])}</th>" if isinstance(h, tuple) \
            else f"<th>{html.escape(h)}</th>"

    return (f"<table class='{cls}'><tr>" + "".join(th(h) for h in head) + "</tr>"
            + "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in r) + "</tr>" for r in rows) + "</table>")


def clipped(text: str, limit: int) -> "str | Raw":
    """`text` cut at `limit` characters with an ellipsis, the whole of it in a tooltip."""
    if len(text) <= limit:
        return text
    return Raw(f"<span title='{html.escape(text, quote=True)}'>{html.escape(clip(text, limit))}</span>")


def status_cell(status: str) -> Raw:
    return Raw(f"<span class='{STATUS_CLASS[status]}' style='{STATUS_STYLE[status]}'>"
               f"{html.escape(status)}</span>")


def verdicts_table(result) -> str:
    """The verdicts, then the tolerances they were judged by."""
    rows = [[v.precision, status_cell(v.status), v.ran if v.measured else "", v.reason]
            for v in (result.verdict(p) for p in result.precisions)]
    return table(["precision", "status", "what ran", "reason"], rows, "trtlab-verdicts") + tolerances_list(result)


def notes_list(result, extra_not_done=()) -> str:
    """Done, not done and warnings, in words."""
    e = html.escape
    items = [f"<li>{e(s)}</li>" for s in result.done]
    items += [f"<li class='notdone' style='color:#8a4b00'>not done: {e(s)}</li>"
              for s in list(result.not_done) + list(extra_not_done)]
    items += [f"<li class='warning' style='color:#8a4b00'>warning: {e(s)}</li>" for s in result.warnings]
    return f"<ul class='trtlab-check-notes'>{''.join(items)}</ul>" if items else ""


def engines_table(result) -> str:
    rows = [[r.subgraph, r.precision, "yes" if r.built else "NO", engine_state(r),
             r.builder, f"{r.bytes / 1e6:.1f} MB" if r.built else ""] for r in result.engines]
    return table(["subgraph", "precision", "built", "state", "builder", "size"], rows, "trtlab-engines")


def accuracy_table(result) -> str:
    """A check's accuracy: each output of each precision, with the precision's verdict."""
    return comparisons_table(result.accuracy, lambda r: result.verdict(r.precision).status)


def comparisons_table(reports, status_of=lambda r: "pass" if r.passed else "fail") -> str:
    """Accuracy reports, one row per output, each saying what was compared with what."""
    rows = []
    profiled = any(r.profile is not None for r in reports)  # over profiles: each row says where it ran
    for r in reports:
        status = status_of(r)
        for o in r.outputs:
            c = accuracy_cells(o)
            rows.append([r.precision] + [r.at_text().removeprefix("with inputs ")] * profiled
                        + [o.output, status_cell(status if status == "not measured" else "pass" if o.passed else "fail"),
                           c["max abs"], c["p50"], c["p99"], c["p99.9"], c["outside"], c["cosine"], c["top-1"],
                           c["tolerance"], o.reason])
    labels = "; ".join(dict.fromkeys(f"{r.precision}: {r.label}" for r in reports if r.label))
    head = ["precision"] + [("shapes", "the input shapes it ran at, and the point of the profile")] * profiled + [
            "output", "status", "max abs error", ("p50", "median absolute error"),
            ("p99", "99th percentile of the absolute error"), ("p99.9", "99.9th percentile of the absolute error"),
            ("outside", "elements outside atol + rtol·|ref|"), "cosine", "top-1 agree", "tolerance", "reason"]
    return ((f"<p class='trtlab-compared'>Compared: {html.escape(labels)}.</p>" if labels else "")
            + table(head, rows, "trtlab-accuracy-table"))


def tolerances_list(result) -> str:
    """What each precision is judged by."""
    items = "".join(f"<li>{html.escape(t)}</li>"
                    for t in tolerances_text(result.precisions, result.settings.tolerances))
    return f"<ul class='trtlab-tolerances'>{items}</ul>" if items else ""


def search_tables(result) -> str:
    """Each keep_fp32="auto" search: the nodes it kept and the error each removed, its time."""
    out = []
    for s in result.searches.values():
        out.append(f"<h3>Nodes kept in fp32 at {html.escape(s.precision)} by the search</h3>"
                   f"<p>{html.escape(s.text())}</p>")
        if s.kept:
            num = lambda v, f: "-" if v is None else format(v, f)  # noqa: E731
            out.append(table(["node", "op", ("removes (max abs)", "the error the node adds on its own, on exact "
                                             "inputs, which keeping it in fp32 removes"), "removes (cosine)", "why"],
                             [[k.node, k.op, num(k.adds_max_abs, ".3g"), num(k.adds_cosine, ".6f"),
                               KEPT_BY_SEARCH] for k in s.kept], "trtlab-keep-search"))
    return "".join(out)


def build_table(build) -> str:
    """One engine build: name, precision, builder, state, size."""
    return table(["engine", "precision", "builder", "state", "size"],
                 [[build.name, build.precision, build.builder, engine_state(build), f"{build.bytes:,} bytes"]],
                 "trtlab-build")


def timing_table(result) -> str:
    profiled = any(t.point for t in result.timing)  # over profiles: each row says where it ran
    rows = [[t.backend, t.precision, t.device, t.batch] + [t.at_text().removeprefix("at ")] * profiled
            + [f"{t.mean_ms:.3f}", f"{t.p50_ms:.3f}", f"{t.p90_ms:.3f}",
               f"{t.p95_ms:.3f}", f"{t.p99_ms:.3f}", f"{t.throughput:.1f}",
               Raw(f'<span class="fail">{t.cv:.1%}</span>' if t.unstable else f"{t.cv:.1%}"), t.iterations]
            for t in result.timing]
    return table(["backend", "precision", "device", "batch"] + ["shapes"] * profiled
                 + ["mean ms", "p50", "p90", "p95", "p99", "throughput/s", "cv", "runs"], rows, "trtlab-timing")


def partition_tables(result) -> str:
    plan = result.plan
    out = table(["subgraph", "nodes", "inputs", "outputs", "ops"],
                [[s.id, len(s.nodes), ", ".join(s.inputs), ", ".join(s.outputs),
                  ", ".join(f"{k}×{v}" for k, v in sorted(s.op_counts.items()))] for s in plan.subgraphs])
    if plan.fallback_nodes:
        out += "<h3>Fallback nodes</h3>" + table(["node", "op", "reason"],
                                                 [[f.name, f.op, f.reason] for f in plan.fallback_nodes])
    if result.segments:
        out += "<h3>Hybrid run (fp32)</h3>" + table(
            ["segment", "runs", "nodes", "inputs", "outputs"],
            [[s["index"], s["backend"], len(s["nodes"]), ", ".join(s["inputs"]), ", ".join(s["outputs"])]
             for s in result.segments])
    return out


def node_error_tables(result) -> str:
    """Where reduced-precision error enters: nodes ranked by the error each adds given exact
    inputs (run alone on the fp32 reference's inputs), with the error carried to its output."""
    out = []
    for precision, report in result.node_errors.items():
        entries = report.entry_points
        num = lambda v, f: "-" if v is None else format(v, f)  # noqa: E731
        out.append(f"<h3>Where {html.escape(precision)} error enters</h3>" + (table(
            ["node", "op", "tensor", ("adds (max abs, exact inputs)", "the node run alone in reduced "
                                      "precision on the fp32 reference's inputs"),
             ("adds (cosine)", "cosine of that run against the fp32 reference"),
             "max abs error at its output", ("max rel error", MAX_REL_HELP), "computed by"],
            [[n.node, n.op, n.tensor, num(n.local_max_abs, ".3g"), num(n.local_cosine, ".4f"),
              f"{n.max_abs:.3g}", f"{n.max_rel:.3g}", n.computed_by] for n in entries])
            if entries else "<p>Every compared tensor is within tolerance.</p>"))
    return "".join(out)


def kept_fp32_table(result) -> str:
    """The nodes each reduced precision kept in fp32, and why."""
    rows = [[p, k["subgraph"], k["node"], k["op"], k["reason"]] for p, ks in result.kept_fp32.items() for k in ks]
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in result.precision_notes)
    return ((table(["precision", "subgraph", "node", "op", "why it stayed fp32"], rows, "trtlab-kept-fp32")
             if rows else "<p>No node was kept in fp32.</p>")
            + (f"<ul class='trtlab-precision-notes'>{notes}</ul>" if notes else ""))
