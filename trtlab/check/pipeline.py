"""`check`: a model end to end, each precision ending in one verdict.

    load -> partition -> fp32 reference (one ONNX Runtime run) -> per precision: convert each
    subgraph, build its engine (cached), run the hybrid model, compare -> timing

Engines run only where a TensorRT and a GPU it supports exist; elsewhere each TensorRT subgraph
runs through ONNX Runtime in the engine's precision, as a stand-in, and every figure says so.
A large model's weights are written once to a `WeightStore` that every cut, converted copy,
ONNX Runtime session and engine build of the check refers to, so each step holds at most one
copy of them; the model lends its own weights to the store while the check runs (it holds
references to them meanwhile, and its weights again at the end).
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable

from ..errors import TrtlabError, one_line
from ..loaders import load
from ..memory import release_memory
from ..model import Model
from ..partition import partition
from ..plan import Plan
from ..plan_record import model_file
from ..precision_registry import get as get_precision
from ..weight_store import WeightStore
from ..weights import is_large
from .engines import EngineStep
from .keep import search_and_verify
from .measure import CALIBRATE_HINT, Context, measure, measure_at
from .profiles import Point, load_points, share_repeats, tensor_ranges
from .progress import CheckEvent, Progress
from .record import ran_on
from .reference import calibration_samples, run_reference, subgraph_inputs
from .result import NOT_MEASURED, CheckResult
from .settings import CheckSettings
from .timing import time_all


def check(model: Any, settings: CheckSettings | str | list | tuple | None = None, *, plan: Plan | None = None,
          progress: Callable[[CheckEvent], object] | None = None, cancel: Any = None,
          **options) -> CheckResult:
    """Check `model` (anything `trtlab.load` takes, or a loaded Model; or give `plan=`).

    `settings` is a `CheckSettings`, or just the precisions (``"fp16"``, ``["fp32", "int8"]``);
    keywords set single fields (``precisions=``, ``min_block_size=``, ``calibration=``, ...).
    ``progress(event)`` gets a `CheckEvent` at every step; ``cancel`` (a threading.Event or a
    callable) stops the check at the next step and returns what was done so far.

    A large Model lends its weights to the check while it runs (see `WeightStore.lend`): its
    `proto` then refers to the check's weight file. Where a check runs in the background (the
    Lab), save the model meanwhile with `Model.save` / `to_bytes`, which read the weights back,
    not `onnx.save(model.proto)`; a copy made of it meanwhile refers to that file and says so
    when read after the check has ended.
    """
    settings = CheckSettings.make(settings, **options)
    run = Progress(progress, cancel)
    precisions = settings.precisions
    run.plan_steps(2 + 3 * len(precisions) + settings.timing + (plan is None) * 2)
    if plan is None:
        run.step("load", "loading the model")
        loaded = load(model, inputs=settings.load_shapes(), params=settings.params)
        run.step("partition", "partitioning")
        plan = partition(loaded, settings.partition, precisions[0])
    _known_nodes(plan, settings)
    result = CheckResult(plan=plan, settings=settings, ran_on=ran_on(), model_file=model_file(model))
    # A large model's weights are written once to a file that every cut, converted copy and
    # ONNX Runtime session of this check refers to or maps, instead of each holding a copy.
    # The model itself holds references to that file while the check runs, and its weights
    # again when the check ends, however it ends (`WeightStore.lend`); so do the model's
    # copies at the profile's other points, made from it.
    store = _weight_store(plan, result)
    try:
        with store.lend(plan.model) if store is not None else contextlib.nullcontext():
            # A Model given is the check's own model (or its copy at other shapes): the points
            # are made from the lent one.
            given = plan.model if model is None or isinstance(model, Model) else model
            points = _points(given, plan, result)  # (points, problems)
            feeds = _feeds(plan, settings, result)
            run.step("reference", "running the whole model in ONNX Runtime (the fp32 reference)")
            _measure_all(plan, result, run, (feeds, points), store, model)
    finally:
        if store is not None:
            store.close()
    run.finish()
    result.elapsed_s = dict(run.elapsed)
    _agree(result)
    return result


def _measure_all(plan: Plan, result: CheckResult, run: Progress, inputs: tuple, store: WeightStore | None,
                 model: Any) -> None:
    """The reference, each precision and the timing: what `check` does once the model is loaded.
    `inputs`: the feeds, and the other points of the optimisation profile (see `profiles`)."""
    settings = result.settings
    feeds, (points, problems) = inputs
    precisions = settings.precisions
    try:
        reference = run_reference(plan, feeds, settings.provider,
                                  every_tensor=settings.per_node or settings.keep_fp32 == "auto",
                                  timeout_s=settings.reference_timeout_s, store=store)
    except TrtlabError as exc:
        raise TrtlabError(f"{exc}{_random_note(result, feeds)}") from None
    # What each step freed goes back to the system between steps (for a small model without a
    # collection of unreachable objects, not worth its time there).
    release = release_memory if store is not None else (lambda: release_memory(collect=False))
    release()
    # Each precision cuts the subgraphs it needs and lets them go: no fp32 copy of the weights
    # is kept beside the model for the whole check.
    ctx = Context(plan, result, run, feeds, reference, EngineStep.find(plan, result, run, store), store=store)
    points = _point_references(points, result, problems)
    share_repeats(points, feeds, reference)
    ctx.points = points
    ctx.shapes = {k: tuple(v.shape) for k, v in plan.model.inputs.items()}  # each accuracy row says them
    ctx.at = (0, "opt") if settings.profiles else ()
    if ctx.engines is not None:
        ctx.engines.values = reference.values
    if settings.profiles:
        if ctx.engines is not None:
            ctx.engines.with_profiles(points, reference.values)
    per_precision = (2 + (ctx.engines is not None)) if plan.subgraphs else 0
    run.plan_steps(run.done + per_precision * len(precisions) + settings.timing + 1)
    if any(get_precision(p).calibrated for p in precisions) and plan.subgraphs:
        _calibrate(ctx)
    try:
        for precision in precisions:
            if run.cancelled:
                result.cancelled = True
                result.not_done.append(f"cancelled by the user before {precision}; later steps were not run")
                break
            measure(ctx, precision)
            for point in points:
                if not point.repeat:
                    measure_at(ctx, precision, point)
            for why in problems if precision in ctx.ran else ():
                result.set_verdict(precision, NOT_MEASURED, why)
            if settings.keep_fp32 == "auto":
                search_and_verify(ctx, precision)
            release()  # a precision's sessions and models go before the next one's are made
            if settings.per_node and get_precision(precision).reduced and precision in ctx.ran:
                _per_node(ctx, precision)
    finally:
        if ctx.engines is not None:
            ctx.engines.close()
    for p in precisions:  # each precision ends in exactly one status
        if all(v.precision != p for v in result.verdicts):
            result.set_verdict(p, NOT_MEASURED, "cancelled" if result.cancelled else "not reached")
    if settings.timing and not result.cancelled and not run.cancelled:
        time_all(ctx, model)


def _known_nodes(plan: Plan, settings: CheckSettings) -> None:
    """Every node `keep_fp32` names is in the model: one clear error otherwise."""
    if settings.keep_fp32 in (None, "auto"):
        return
    names = {n.name for n in plan.model.nodes}
    unknown = [k for k in settings.keep_fp32 if k not in names]
    if unknown:
        raise TrtlabError(f"keep_fp32 names {unknown[0]!r}, which is not a node of the model"
                          + (f" ({len(unknown) - 1} more unknown)" if len(unknown) > 1 else "") + ".",
                          hint="Node names are those `trtlab inspect MODEL --json` lists, or use --keep-fp32 auto.")


def _points(model: Any, plan: Plan, result: CheckResult) -> tuple[list[Point], list[str]]:
    """The model at the profile's min and max shapes (none without a profile), and why a point
    cannot be measured (each such reason leaves every precision not measured, saying so)."""
    if not result.settings.profiles:
        return [], []
    points, why = load_points(model, result.settings, plan)
    plan.model.set_shape_ranges(tensor_ranges(plan, points))  # the graphs show each dimension's range
    return points, [f"not measured over the profile: {why}"] if why else []


def _point_references(points: list[Point], result: CheckResult, problems: list[str]) -> list[Point]:
    """Random feeds of each point's shapes and the fp32 reference on them; a point whose
    reference does not run is left out, its reason added to `problems`."""
    from ..feeds import random_feeds

    kept = []
    several = len(result.settings.profiles) > 1
    for p in points:
        if p.repeat:
            kept.append(p)
            continue
        p.feeds = random_feeds(p.plan.model, seed=0)
        try:
            p.reference = run_reference(p.plan, p.feeds, result.settings.provider,
                                        timeout_s=result.settings.reference_timeout_s)
        except TrtlabError as exc:
            problems.append(f"at {p.words(several)} the fp32 model does not run: {one_line(exc)}")
            continue
        kept.append(p)
    return kept


def _weight_store(plan: Plan, result: CheckResult) -> WeightStore | None:
    if not is_large(plan.model.proto):
        return None
    try:
        return WeightStore(plan.model.proto)
    except TrtlabError as exc:
        result.warnings.append(f"{one_line(exc)}: every step holds its own copy of the weights instead "
                               "(the check needs more memory)")
        return None


def _feeds(plan: Plan, settings: CheckSettings, result: CheckResult) -> dict:
    from ..feeds import load_feeds, random_feeds
    from ..limits import check_tensor_sizes

    # The reference run keeps the subgraphs' inputs (every tensor, per node) to the end.
    kept = [t for n in plan.model.nodes for t in n.output] if settings.per_node else subgraph_inputs(plan)
    check_tensor_sizes(plan.model, kept=kept)  # before the feeds are read or made
    result.random_feeds = settings.feeds is None
    return random_feeds(plan.model, seed=0) if result.random_feeds else load_feeds(settings.feeds, plan.model)


def _random_note(result: CheckResult, feeds: dict) -> str:
    from ..feeds import random_feeds_note

    return " " + random_feeds_note(feeds) if result.random_feeds else ""


def _calibrate(ctx: Context) -> None:
    try:
        ctx.calibration, random = calibration_samples(ctx.plan, ctx.result.settings.calibration, ctx.store)
    except TrtlabError as exc:
        ctx.calibration_problem = f"calibration data unusable: {one_line(exc)}"
        return
    if random:
        calibrated = ", ".join(p for p in ctx.result.settings.precisions if get_precision(p).calibrated)
        whose = "their" if "," in calibrated else "its"
        ctx.result.warnings.append(f"{calibrated} calibrated on random inputs (no calibration data given): "
                                   f"{whose} accuracy figures mean little; {CALIBRATE_HINT}")


def _per_node(ctx: Context, precision: str) -> None:
    from ..accuracy import per_node_error
    from ..precision import apply_precision

    result = ctx.result
    try:
        cal = None
        if get_precision(precision).calibrated:
            from ..precision.calibration import input_specs, synthetic

            cal = [dict(ctx.feeds)] + synthetic(input_specs(result.model.proto))
        converted = apply_precision(result.model.proto, precision, calibration=cal)
        # Every tensor of the fp32 model comes from the check's one reference run.
        values = {k: v for k, v in ctx.reference.values.items() if k not in result.model.inputs}
        result.node_errors[precision] = per_node_error(result.model, converted, ctx.feeds, precision,
                                                       tolerances=result.settings.tolerances,
                                                       reference_values=values)
    except TrtlabError as exc:
        result.not_done.append(f"{precision} per-node error not measured: {one_line(exc)}")


def _agree(result: CheckResult) -> None:
    """Done and Not done agree with the verdicts: every precision not measured is listed there."""
    for p in result.precisions:
        v = result.verdict(p)
        if v.status == NOT_MEASURED:
            line = f"{p} not measured: {v.reason}"
            if line not in result.not_done:
                result.not_done.append(line)
