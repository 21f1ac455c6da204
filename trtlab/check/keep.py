"""`keep_fp32="auto"` in a check: where a reduced precision fails, search for nodes to keep in
fp32 (`keep_search`), then build the engines with them kept and measure the
precision again, so the pass is verified end to end; the verdict says both."""

from __future__ import annotations

from ..errors import TrtlabError, one_line
from ..precision.policy import KEPT_BY_SEARCH
from ..precision_registry import get as get_precision
from .keep_search import search_keep_fp32
from .measure import Context, measure, measure_at
from .result import FAIL, NOT_MEASURED, PASS


def search_and_verify(ctx: Context, precision: str) -> None:
    result = ctx.result
    before = result.verdict(precision)
    spec = get_precision(precision)
    if spec.reduced and before.status == NOT_MEASURED and ": would fail: " in before.reason:
        result.not_done.append(f"{precision}: no search for nodes to keep in fp32: it verifies its set with "
                               "engines, and none were built")
    if not spec.reduced or before.status != FAIL:
        return
    ctx.progress.event("accuracy", f"{precision}: searching for nodes to keep in fp32", precision=precision)
    calibration = None
    if spec.calibrated:
        from ..precision.calibration import input_specs, synthetic

        calibration = [dict(ctx.feeds)] + synthetic(input_specs(result.model.proto))
    try:
        search = search_keep_fp32(result.model, precision, ctx.feeds, ctx.reference.values,
                                  tolerances=result.settings.tolerances, calibration=calibration,
                                  fixed={f.name for f in ctx.plan.fallback_nodes},
                                  bound=result.settings.keep_fp32_bound)
    except TrtlabError as exc:
        result.not_done.append(f"{precision}: the search for nodes to keep in fp32 stopped: {one_line(exc)}")
        return
    search.check_before = before.reason
    result.searches[precision] = search
    if not (search.passed and search.kept):
        result.replace_verdict(precision, FAIL, f"{before.reason}; {search.text()}", before.ran)
        return
    from ..precision import PrecisionPolicy

    _forget(result, precision)
    policy = PrecisionPolicy(keep_fp32_nodes=set(search.names),
                             node_reasons={n: KEPT_BY_SEARCH for n in search.names})
    measure(ctx, precision, policy)
    for point in ctx.points:  # over profiles: verified at every point, as the first measurement was
        if not point.repeat:
            measure_at(ctx, precision, point, policy)
    after = result.verdict(precision)
    verified = {PASS: "verified", FAIL: "yet with engines built that way it fails"}.get(after.status, "not verified")
    result.replace_verdict(precision, after.status,
                           f"{search.text()}, {verified}: {after.reason}; without them: {before.reason}", after.ran)


def _forget(result, precision: str) -> None:
    """The first measurement of `precision`, which the verified one replaces."""
    result.verdicts[:] = [v for v in result.verdicts if v.precision != precision]
    result.accuracy[:] = [r for r in result.accuracy if r.precision != precision]
    result.kept_fp32.pop(precision, None)
    result.engines[:] = [e for e in result.engines if e.precision != precision]
    result.engine_precision[:] = [row for row in result.engine_precision if row.precision != precision]
    result.fusion[:] = [row for row in result.fusion if row.precision != precision]
    result.precision_notes[:] = [n for n in result.precision_notes if not n.startswith(f"{precision}, ")]
    result.done[:] = [d + ", before the search" if d.startswith(f"{precision} engines: ") else d for d in result.done]
