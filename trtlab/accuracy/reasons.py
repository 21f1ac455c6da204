"""The sentence each compared output gets: the rule that decided it, how much is outside and
the smallest tolerance that would pass. Every rendering (text, JSON, report, Lab) shows this
sentence as it is. `o` below is an `OutputComparison` (compare.py)."""

from __future__ import annotations

import math

from .tolerances import stat_name


def num(value: float | None, spec: str = ".3g") -> str:
    """A figure, or "n/a" where there is none (NaN, None)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return format(value, spec)


def percent(fraction: float) -> str:
    pct = 100 * fraction
    return f"{pct:.1f}%" if pct >= 1 or pct == 0 else f"{pct:.2g}%"


def up(value: float) -> str:
    """`value` rounded up to two significant digits: a tolerance that really passes."""
    if value <= 0 or not math.isfinite(value):
        return f"{value:g}"
    digits = 1 - math.floor(math.log10(value))
    return f"{math.ceil(value * 10 ** digits) / 10 ** digits:g}"


def down(value: float) -> str:
    """A cosine rounded down to the digit that matters: a bar that really passes."""
    if not math.isfinite(value) or value <= 0:
        return f"{value:g}"
    nines = 0 if value >= 1 else max(0, -math.floor(math.log10(1 - value)) - 1)
    digits = nines + 2
    return f"{math.floor(value * 10 ** digits) / 10 ** digits:g}"


def cosine_text(o) -> str:
    if math.isnan(o.cosine):
        return "cosine undefined (the reference is essentially zero), so the verdict rests on atol"
    return f"cosine {o.cosine:.6f} {'≥' if o.cosine >= o.min_cosine else 'under'} {o.min_cosine:g}"


def output_reason(o) -> str:
    tol = o.tolerance
    n = f"{o.size:,}"
    if o.decided_by == "nonfinite":
        what = o.note or "NaN in output"
        return f"n/a: {what} ({o.mismatched:,} of {n} elements); NaN or infinity fails whatever the tolerance"
    if o.decided_by == "elements":
        return (f"{o.mismatched:,} of {n} elements ({percent(o.fraction_outside)}) outside {tol.rule()}; "
                f"the largest error {o.max_abs:.3g} at {_index(o)}; passes with atol {up(o.min_atol)} "
                f"(rtol {o.rtol:g}) or rtol {up(o.min_rtol)} (atol {o.atol:g}); {cosine_text(o)}")
    if o.decided_by == "statistic":
        stat = stat_name(o.error_stat)
        return (f"{stat} abs error {o.min_atol:.3g} over atol {o.atol:g} and {stat} rel error "
                f"{o.min_rtol:.3g} over rtol {o.rtol:g}; passes with atol {up(o.min_atol)} or rtol "
                f"{up(o.min_rtol)}; {o.mismatched:,} of {n} elements ({percent(o.fraction_outside)}) "
                f"outside {o.atol:g} + {o.rtol:g}·|ref|; {cosine_text(o)}")
    if o.decided_by == "cosine":
        return (f"cosine {o.cosine:.6g} under {o.min_cosine:g} though {_within(o, 'is ')}; passes with "
                f"min-cosine {down(o.cosine)}")
    return f"{_within(o)}; {cosine_text(o)}"


def _within(o, verb: str = "") -> str:
    tol = o.tolerance
    if o.error_stat == "elemwise":
        return f"every element {verb}within {tol.rule()}, max abs error {o.max_abs:.3g}"
    stat = stat_name(o.error_stat)
    return (f"{stat} abs error {o.min_atol:.3g} within atol {o.atol:g}, {stat} rel error "
            f"{o.min_rtol:.3g} within rtol {o.rtol:g}: {tol.rule()}")


def _index(o) -> str:
    return "[" + ", ".join(str(i) for i in (o.worst_index or [])) + "]"
