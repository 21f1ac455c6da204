"""The plain-text report of a plan, read like a dry-run report."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .plan import Plan


def _ops(counts: dict[str, int], limit: int = 6) -> str:
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    text = ", ".join(f"{op} x{n}" for op, n in items[:limit])
    return text + (f", +{len(items) - limit} more" if len(items) > limit else "")


def _names(names: list[str], limit: int = 4) -> str:
    return ", ".join(names[:limit]) + (f", ... ({len(names)} in all)" if len(names) > limit else "")


def plan_report(plan: "Plan", *, max_fallback: int = 20) -> str:
    m, c = plan.model, plan.coverage
    total = plan.total_nodes
    lines = [
        f"Model: {m.name} ({m.source}), {total} nodes, opset {m.opset}",
        f"  inputs:  {', '.join(f'{i.name} {i.dtype}[{i.shape_text()}]' for i in m.inputs.values())}",
        f"  outputs: {', '.join(f'{o.name} {o.dtype}[{o.shape_text()}]' for o in m.outputs.values())}",
        f"Coverage ({c.detail or c.source}):",
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
        lines.append(f"  engine {s.id}: {len(s.nodes)} nodes ({_ops(s.op_counts)})")
        lines.append(f"    in: {_names(s.inputs)}  out: {_names(s.outputs)}")
    lines.append(f"  fallback nodes: {len(plan.fallback_nodes)}")
    for f in plan.fallback_nodes[:max_fallback]:
        lines.append(f"    {f.name} [{f.op}]: {f.reason}")
    if len(plan.fallback_nodes) > max_fallback:
        lines.append(f"    ... {len(plan.fallback_nodes) - max_fallback} more (see --json)")
    return "\n".join(lines)
