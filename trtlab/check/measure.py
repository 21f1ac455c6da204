"""One precision, measured: convert each TensorRT subgraph, build its engine, run the hybrid
model and compare it with the fp32 reference. Every way this can stop ends in a verdict that
says so; `pass`/`fail` only where the converted subgraphs really ran."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import onnx

from ..accuracy import AccuracyReport, compare
from ..cut import cut_subgraph
from ..errors import TrtlabError, one_line
from ..hybrid import HybridRunner
from ..plan import Plan
from ..precision_registry import REFERENCE, get as get_precision
from ..profiles import shapes_text
from ..weight_store import WeightStore
from ..words import counted
from .engines import EngineStep
from .progress import Progress
from .reference import Reference
from .result import FAIL, NOT_MEASURED, PASS, CheckResult

if TYPE_CHECKING:
    from ..precision import PrecisionPolicy

STAND_IN = "ONNX Runtime stand-ins (not TensorRT)"
CALIBRATE_HINT = ("calibrate on real samples with --calibration DIR (one .npz per sample holding every input by "
                  "name, or .npy files for a one-input model; calibration= in Python) before judging it")


@dataclass
class Context:
    """What every precision of one check shares."""

    plan: Plan
    result: CheckResult
    progress: Progress
    feeds: dict
    reference: Reference
    engines: EngineStep | None  # None: no TensorRT, or building turned off
    store: WeightStore | None = None  # a large model's weights, which its cuts refer to
    calibration: dict | None = None  # calibration samples per engine name (the Q/DQ precisions)
    calibration_problem: str = ""  # why there are none
    hybrids: dict[str, HybridRunner] = field(default_factory=dict)  # precision -> its runner, kept to time
    ran: set[str] = field(default_factory=set)  # precisions whose hybrid model ran
    runtimes: dict[str, dict] = field(default_factory=dict)  # precision -> its engines' runtimes, by subgraph
    shapes: dict = field(default_factory=dict)  # the input shapes of this run (each accuracy row says them)
    points: list = field(default_factory=list)  # the other points of the optimisation profiles (`profiles.Point`)
    at: tuple = ()  # over profiles: (profile number, "min"/"opt"/"max") of this run, which its rows say


def measure(ctx: Context, precision: str, policy: "PrecisionPolicy | None" = None) -> None:
    """Measure `precision` to one verdict; `policy` (the nodes to keep in fp32) else the
    settings' own `keep_fp32` list."""
    result, plan = ctx.result, ctx.plan
    policy = policy or user_policy(result.settings)
    no = lambda reason: result.set_verdict(precision, NOT_MEASURED, reason)  # noqa: E731
    if not plan.subgraphs:
        return no("no TensorRT subgraph: nothing would run in TensorRT")
    spec = get_precision(precision)
    if spec.calibrated and ctx.calibration is None:
        return no(ctx.calibration_problem or f"no {precision} calibration data")
    ctx.progress.step("precision", f"{precision}: converting {counted(plan.engine_count, 'subgraph')}",
                      precision=precision)
    models = _models(ctx, precision, policy)
    if models is None:
        return
    kept = policy is not None and bool(policy.keep_fp32_nodes)  # then the nodes kept fp32 say what was left out
    if spec.calibrated and not kept and not any(n.op_type == "QuantizeLinear" for m in models.values()
                                                for n in m.graph.node):
        # Its engines would be the fp32 ones under another name: a pass there would be fp32's.
        from ..precision.qdq import unquantized_reason

        return no(unquantized_reason(models.values(), precision))
    runtimes: dict[int, Any] = {}
    if ctx.engines is not None:
        built = ctx.engines.build(precision, ctx.calibration if spec.calibrated else None, models)
        failed = {sid: r for sid, r in built.items() if not r.built}
        if failed:
            sid, r = next(iter(failed.items()))
            extra = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
            return no(f"the {precision} engine of subgraph {sid} was not built{extra}: {one_line(r.error)}")
        ctx.engines.read_builds(precision, built, models)
        runtimes = ctx.engines.runtimes(built)
        ctx.runtimes[precision] = runtimes
    if ctx.progress.cancelled:
        return no("cancelled")
    ctx.progress.step("accuracy", f"{precision}: running the hybrid model against the fp32 reference",
                      precision=precision)
    ran = _what_ran(ctx, precision, runtimes)
    try:
        runner = HybridRunner(plan, engines=runtimes, provider=ctx.result.settings.provider,
                              subgraph_models=models, store=ctx.store)
        models.clear()  # the runner's sessions hold what they need
        outputs = runner.run(ctx.feeds)
    except TrtlabError as exc:
        return no(f"the {precision} model could not run on {ran}: {one_line(exc)}")
    ctx.ran.add(precision)
    # Kept where the timing step will time it (with engines, every precision's; with stand-ins
    # only fp32's, and for a large model not even that: its sessions would sit beside the
    # baseline's, and the timing step makes them again); otherwise its sessions go now.
    if result.settings.timing and (runtimes or (spec is REFERENCE and ctx.store is None)):
        ctx.hybrids[precision] = runner
    report = _judge(ctx, precision, outputs, ran)
    if spec is REFERENCE:
        result.hybrid_max_abs = max((o.max_abs for o in report.outputs), default=0.0)
        result.segments = [s.to_dict() for s in runner.segments]


def measure_at(ctx: Context, precision: str, point, policy: "PrecisionPolicy | None" = None) -> None:
    """`precision`, measured again with the model at another point of the optimisation profile
    (a `profiles.Point`): the same engines (built for the whole range) where they run, the
    subgraphs converted at that point's shapes otherwise. A failure there fails the precision."""
    if precision not in ctx.ran:
        return
    values = point.reference.values  # a calibrated stand-in is calibrated on this point's own values
    calibration = {s.name: [{t: values[t] for t in s.inputs if t in values}] for s in point.plan.subgraphs}
    at = replace(ctx, plan=point.plan, feeds=point.feeds, reference=point.reference, store=None,
                 hybrids={}, ran=set(), shapes=point.shapes, calibration=calibration, at=(point.profile, point.which))
    where = f"at {point.words(len(ctx.result.settings.profiles) > 1)} ({shapes_text(point.shapes)})"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        models = _models(at, precision, policy or user_policy(ctx.result.settings), where)
    if models is None:
        return
    runtimes = ctx.runtimes.get(precision, {})
    ran = _what_ran(at, precision, runtimes)
    try:
        outputs = HybridRunner(point.plan, engines=runtimes, provider=ctx.result.settings.provider,
                               subgraph_models=models).run(point.feeds)
    except TrtlabError as exc:
        return ctx.result.set_verdict(precision, NOT_MEASURED, f"{where}: the {precision} model could not "
                                      f"run on {ran}: {one_line(exc)}")
    _judge(at, precision, outputs, ran, where)


def _judge(ctx: Context, precision: str, outputs: dict, ran: str, where: str = "") -> AccuracyReport:
    """Compare `outputs` with the reference, keep the report (with the shapes it ran at), set the
    verdict (`where`: the point of the profile, in words, that the verdict's reason names)."""
    result = ctx.result
    report = compare(ctx.reference.outputs, outputs, precision, tolerances=result.settings.tolerances,
                     label=f"{ran}, against the whole fp32 model in ONNX Runtime")
    if ctx.shapes:
        report = replace(report, shapes={k: tuple(v) for k, v in ctx.shapes.items()})
    if ctx.at:
        report = replace(report, profile=ctx.at[0], point=ctx.at[1])
    result.accuracy.append(report)
    prefix = f"{where}: " if where else ""
    if ctx.reference.nonfinite():
        result.set_verdict(precision, FAIL, f"{prefix}the fp32 reference output has NaN or infinite values "
                           f"({', '.join(ctx.reference.nonfinite())})", ran)
    elif ctx.engines is None:  # the transform alone ran: no engine was built, so nothing is verified
        result.set_verdict(precision, NOT_MEASURED, f"{prefix}engines not built ({_why_no_engines(result)}); "
                           f"the transform alone, on {ran}: {'would pass' if report.passed else 'would fail'}: "
                           f"{accuracy_reason(report)}")
    elif not (where and report.passed):  # a pass at the profile's ends keeps the verdict said at opt
        advice = "" if report.passed else _advice(result.settings, precision)
        result.set_verdict(precision, PASS if report.passed else FAIL, prefix + accuracy_reason(report) + advice,
                           ran)
    return report


def _advice(settings, precision: str) -> str:
    """What a user can do about a reduced precision's fail: calibrate on real inputs where the
    scales came from random ones (a fail then says little about the model on real data), and
    search for nodes to keep in fp32 where no nodes were given."""
    spec, said = get_precision(precision), []
    if not spec.reduced:
        return ""
    if spec.calibrated and not settings.calibration:
        said.append(f"its scales came from random inputs: {CALIBRATE_HINT}")
    if not settings.keep_fp32:
        said.append("--keep-fp32 auto searches for nodes to keep in fp32")
    return "".join(f"; {s}" for s in said)


def accuracy_reason(report: AccuracyReport) -> str:
    """The verdict's sentence from an accuracy report: the output it rests on (a failing one, or
    the closest to its bar), with its rule and how much; how many others failed too."""
    worst = report.worst()
    if worst is None:
        return "the model has no output to compare"
    failed = [o for o in report.outputs if not o.passed]
    more = f" (and {counted(len(failed) - 1, 'other output')} out)" if len(failed) > 1 else ""
    return f"{worst.output}: {worst.reason}{more}"


def user_policy(settings) -> "PrecisionPolicy | None":
    """The policy of `keep_fp32=[nodes]`; None for none (or "auto", which searches for its own)."""
    nodes = settings.keep_fp32
    if not nodes or nodes == "auto":
        return None
    from ..precision import PrecisionPolicy

    return PrecisionPolicy(keep_fp32_nodes=set(nodes))


def _why_no_engines(result: CheckResult) -> str:
    if not result.settings.build:
        return "--no-build"
    return "no TensorRT: " + next((n.split(": ", 1)[1] for n in result.not_done
                                   if n.startswith("engines not built: ")), "not installed")


def _models(ctx: Context, precision: str, policy: "PrecisionPolicy | None",
            where: str = "") -> dict[int, onnx.ModelProto] | None:
    """Each subgraph in `precision`: fp32, its cut as it is; otherwise the cut converted and
    validated (the onnx checker and a run in ONNX Runtime on the cut's real inputs from the fp32
    reference), with the nodes it kept in fp32 written down; or None with the verdict set.
    A cut lives only until it is converted."""
    if not get_precision(precision).reduced:
        return {s.id: cut_subgraph(ctx.plan, s.id, store=ctx.store) for s in ctx.plan.subgraphs}
    from ..precision import convert_precision

    out, values = {}, ctx.reference.values
    for s in ctx.plan.subgraphs:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                done = convert_precision(cut_subgraph(ctx.plan, s.id, store=ctx.store), precision,
                                         policy=policy, calibration=(ctx.calibration or {}).get(s.name),
                                         feeds={t: values[t] for t in s.inputs if t in values})
        except TrtlabError as exc:
            ctx.result.set_verdict(precision, NOT_MEASURED, f"{where + ': ' if where else ''}subgraph {s.id} "
                                   f"could not be converted to {precision}: {one_line(exc)}")
            return None
        out[s.id] = done.model
        if where:
            continue  # written down once, at opt
        ctx.result.kept_fp32.setdefault(precision, []).extend(
            {"subgraph": s.id, **k.to_dict()} for k in done.kept_fp32)
        ctx.result.precision_notes.extend(f"{precision}, subgraph {s.id}: {n}" for n in done.notes)
    return out


def _what_ran(ctx: Context, precision: str, runtimes: dict) -> str:
    n = ctx.plan.engine_count
    if runtimes and len(runtimes) == n:
        return f"TensorRT engines in {precision}"
    if runtimes:
        return f"TensorRT engines in {precision} for {len(runtimes)} of {n} subgraphs, {STAND_IN} for the rest"
    return f"{STAND_IN} for the TensorRT subgraphs, in {precision}"
