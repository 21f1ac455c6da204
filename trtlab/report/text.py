"""Plain text: the dry-run report of a plan and the summary of a check (what `trtlab inspect`
and `trtlab check` print, and every result's `text/plain`)."""

from __future__ import annotations

from ..precision.policy import KEPT_BY_SEARCH
from ..accuracy.reasons import num, percent
from ..accuracy.tolerances import tolerances_text
from ..errors import one_line
from ..model import value_text
from ..words import counted, printable


def _ops(counts: dict[str, int], limit: int = 6) -> str:
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    text = ", ".join(f"{op} x{n}" for op, n in items[:limit])
    return text + (f", +{len(items) - limit} more" if len(items) > limit else "")


def _names(names: list[str], limit: int = 4) -> str:
    return ", ".join(names[:limit]) + (f", ... ({len(names)} in all)" if len(names) > limit else "")


def plan_report(plan, *, max_fallback: int = 20) -> str:
    m, c = plan.model, plan.coverage
    total = plan.total_nodes
    lines = [
        f"Model: {m.name} ({m.source}), {counted(total, 'node')}, opset {m.opset}",
        f"  inputs:  {_names([value_text(n, i) for n, i in m.inputs.items()], 8)}",
        f"  outputs: {_names([value_text(n, o) for n, o in m.outputs.items()], 8)}",
        f"Coverage from the {c.detail or c.source}:",
        f"  supported nodes: {c.supported_count}/{total} ({100 * c.supported_count / max(total, 1):.1f}%)",
    ]
    if c.unsupported_ops:
        lines.append(f"  unsupported ops: {_ops(dict(c.unsupported_ops), 10)}")
    if any(c.overrides.values()) if c.overrides else False:
        lines.append("  user overrides: " + "; ".join(f"{k}={','.join(v)}" for k, v in c.overrides.items() if v))
    lines += [
        f"Partition (min_block_size={plan.min_block_size}):",
        f"  TensorRT engines: {plan.engine_count}, holding {plan.nodes_in_engines}/{total} nodes "
        f"({plan.coverage_pct:.1f}%), {plan.ops_per_engine:.1f} ops per engine",
    ]
    for s in plan.subgraphs:
        lines.append(f"  engine {s.id}: {counted(len(s.nodes), 'node')}: {_ops(s.op_counts)}")
        lines.append(f"    in: {_names(s.inputs)}  out: {_names(s.outputs)}")
    lines.append(f"  fallback nodes: {len(plan.fallback_nodes)}")
    for f in plan.fallback_nodes[:max_fallback]:
        lines.append(f"    {f.name} [{f.op}]: {f.reason}")
    if len(plan.fallback_nodes) > max_fallback:
        lines.append(f"    ... {len(plan.fallback_nodes) - max_fallback} more (see --json)")
    return "\n".join(map(printable, lines))  # a name holding a newline or ESC stays on its line


def check_text(result) -> str:
    """The plain-text summary of a `CheckResult`: one verdict per precision first."""
    p = result.plan
    n = p.engine_count
    lines = [f"trtlab check of '{p.model.name}': {counted(n, 'TensorRT subgraph')}, "
             f"{p.coverage_pct:.1f}% of {counted(p.total_nodes, 'node')} in TensorRT, "
             f"{counted(len(p.fallback_nodes), 'fallback node')}"]
    where = ran_on_line(getattr(result, "ran_on", None))
    lines += [f"  checked {where}"] if where else []
    lines += [f"  verdict {result.verdict(x).text()}" for x in result.precisions]
    for e in result.engines:
        lines.append(f"  engine {e.subgraph} {e.precision}: {engine_state(e)}")
    lines += [f"  tolerance {t}" for t in tolerances_text(result.precisions, result.settings.tolerances)]
    for r in result.accuracy:
        for o in r.outputs:
            if o.decided_by == "nonfinite":  # no figure means anything: the sentence says why
                lines.append(f"  accuracy {r.precision} {o.output}: {o.reason} ({r.label})"
                         + (f" {r.at_text()}" if r.profile is not None else ""))
                continue
            c = accuracy_cells(o)
            at = f" {r.at_text()}" if r.profile is not None else ""
            lines.append(f"  accuracy {r.precision} {o.output}: max abs error {c['max abs']}, p50 {c['p50']}, "
                         f"p99 {c['p99']}, p99.9 {c['p99.9']}, outside {c['outside']}, cosine {c['cosine']}"
                         f"{'' if o.top1_agree is None else ', top-1 ' + c['top-1']}; {r.label}{at}")
    for search in result.searches.values():
        lines.append(f"  keep fp32 search {search.precision}: {search.text()}")
        lines += [f"    {KEPT_BY_SEARCH}: {k.text()}" for k in search.kept]
    for p, kept in result.kept_fp32.items():
        if kept:
            shown = "; ".join(f"{k['node']}: {k['reason']}" for k in kept[:5])
            lines.append(f"  kept in fp32 at {p}: {counted(len(kept), 'node')}: {shown}"
                         + ("; ..." if len(kept) > 5 else ""))
    lines += [f"  precision note: {n}" for n in result.precision_notes]
    if result.hybrid_max_abs is not None:
        lines.append(f"  hybrid fp32 vs whole model: max abs difference {result.hybrid_max_abs:.3g}")
    from ..check.timing import speedup_not_measured

    speedup = speedup_not_measured(result)
    if speedup:  # said once, before the figures measured instead
        lines.append(f"  speed-up: {speedup}")
    for t in result.timing:
        lines.append(f"  time {t.summary()}")
    lines += [f"  done: {s}" for s in result.done]
    lines += [f"  not done: {s}" for s in result.not_done if s != speedup]
    lines += [f"  warning: {s}" for s in result.warnings]
    return "\n".join(map(printable, lines))  # a name holding a newline or ESC stays on its line


def ran_on_line(ran: dict | None) -> str:
    """Where a check ran, from its record: "on CPU: ... with TensorRT-RTX 1.7.1, 2026-12-07 15:50 UTC"."""
    if not ran:
        return ""
    trt = (ran.get("tensorrt") or {}).get("name") or "no TensorRT"
    return f"on {ran.get('device') or 'an unknown device'} with {trt}, {ran.get('date') or 'date unknown'}"


def engine_state(e) -> str:
    """An engine build in a few words: size and where it came from, or why it failed."""
    if not e.built:
        return f"not built: {one_line(e.error)}"
    return f"{e.bytes / 1e6:.1f} MB, " + ("from the cache" if e.cache_hit else f"built in {e.build_s:.2f} s")


def accuracy_cells(o) -> dict[str, str]:
    """One compared output's figures as every rendering shows them; "n/a: NaN in output" where
    the output holds NaN or infinity."""
    if o.decided_by == "nonfinite":
        na = f"n/a: {o.note}"
        return {k: na for k in ("max abs", "p50", "p99", "p99.9", "outside", "cosine", "top-1")} | {
            "tolerance": o.tolerance.text()}
    return {"max abs": num(o.max_abs), "p50": num(o.p50_abs), "p99": num(o.p99_abs), "p99.9": num(o.p999_abs),
            "outside": f"{o.mismatched:,} of {o.size:,} ({percent(o.fraction_outside)})",
            "cosine": "undefined" if o.cosine != o.cosine else f"{o.cosine:.6f}",
            "top-1": "-" if o.top1_agree is None else f"{o.top1_agree:.1%}", "tolerance": o.tolerance.text()}
