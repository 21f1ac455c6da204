"""The timing step of a check: the whole model in ONNX Runtime, the model in its own framework
where it is at hand (on the GPU where one is visible: PyTorch eager in each requested precision,
also replayed as a CUDA graph, or MXNet), and the hybrid model with TensorRT engines (each
engine also alone) where engines run. Without engines the stand-in hybrid run is timed as an
ONNX Runtime latency, and one sentence says what measuring TensorRT's speed-up would need."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..errors import TrtlabError, one_line
from ..hybrid import HybridRunner
from ..loaders import framework_of
from ..memory import release_memory
from ..precision_registry import REFERENCE
from ..timing import (TORCH_PRECISIONS, TimingResult, cuda_available, mxnet_gpu_available, time_engine,
                      time_hybrid, time_mxnet, time_mxnet_gpu, time_onnxruntime, time_torch, time_torch_gpu)
from .measure import Context

# The start of the one sentence that says a check has no TensorRT speed-up, and why.
SPEEDUP_NOT_MEASURED = "TensorRT's speed-up was not measured"


def time_all(ctx: Context, original: Any) -> None:
    """Time at the check's own shapes and, with ``time_shapes="all"``, at every other point of the
    optimisation profiles (the same engines; stand-ins cut at that point's shapes): each row
    carries the shapes it ran at."""
    result, settings = ctx.result, ctx.result.settings
    ctx.progress.step("timing", "timing the whole model in ONNX Runtime, the baselines and the hybrid runs")
    _time_here(ctx, original)
    if settings.time_shapes == "all" and not settings.profiles:
        result.not_done.append("timing at every shape was asked for, but there is no optimisation profile: "
                               "timed at the loaded shapes only")
    several = len(settings.profiles) > 1
    for point in ctx.points if settings.time_shapes == "all" else ():
        if point.repeat or point.reference is None or ctx.progress.cancelled:
            continue
        ctx.progress.event("timing", f"timing at {point.words(several)}")
        _time_here(_at_point(ctx, point), original)
    sentence = _speedup_sentence(ctx)
    if sentence:
        result.not_done.insert(0, sentence)
    for t in result.timing:
        if t.unstable:
            result.warnings.append(f"timing of {t.backend} ({t.precision}) is {t.warning}")


def _at_point(ctx: Context, point) -> Context:
    """`ctx` at another point of the profiles: its plan, feeds and reference, a hybrid runner per
    precision whose engines run (built for the whole range)."""
    settings = ctx.result.settings
    hybrids = {p: HybridRunner(point.plan, engines=runtimes, provider=settings.provider)
               for p, runtimes in ctx.runtimes.items() if runtimes}
    return replace(ctx, plan=point.plan, feeds=point.feeds, reference=point.reference, store=None,
                   shapes=point.shapes, at=(point.profile, point.which), hybrids=hybrids)


def _time_here(ctx: Context, original: Any) -> None:
    """The baselines and the hybrid runs at `ctx`'s shapes, each row tagged with them."""
    result, settings = ctx.result, ctx.result.settings
    opts = dict(settings.timing_options.to_dict(), cancel=ctx.progress.cancel)
    first = len(result.timing)
    try:
        # A large model's baseline maps the weights from the check's store (no second file of them).
        whole = ctx.store.referring(ctx.plan.model.proto) if ctx.store is not None else None
        result.timing.append(time_onnxruntime(ctx.plan.model, ctx.feeds, provider=settings.provider, proto=whole,
                                              **opts))
    except TrtlabError as exc:
        result.not_done.append(f"ONNX Runtime baseline not timed{_at(ctx)}: {one_line(exc)}")
    on_gpu = cuda_available()
    result.timing.extend(_framework_baselines(original, result, ctx.feeds, opts, on_gpu))
    with_engines = {p: r for p, r in ctx.hybrids.items() if len(r.stand_ins) < r.plan.engine_count}
    if with_engines:
        _time_engines(ctx, with_engines, opts)
    elif REFERENCE.name in ctx.ran and result.plan.subgraphs:
        ctx.progress.event("timing", "timing the hybrid run (ONNX Runtime stand-ins, not TensorRT)")
        if ctx.store is not None:
            release_memory()  # the baseline's packed weights go back before the runner packs its own
        runner = ctx.hybrids.pop(REFERENCE.name, None) or HybridRunner(ctx.plan, provider=settings.provider,
                                                               store=ctx.store, timed=True)
        result.timing.append(time_hybrid(runner, ctx.feeds, **opts))
    where = {"profile": ctx.at[0], "point": ctx.at[1]} if ctx.at else {}
    result.timing[first:] = [replace(t, shapes=ctx.shapes, **where) for t in result.timing[first:]]


def _at(ctx: Context) -> str:
    return f" at {ctx.at[1]} of profile {ctx.at[0] + 1}" if ctx.at and ctx.at != (0, "opt") else ""


def speedup_not_measured(result) -> str:
    """The check's sentence on why TensorRT's speed-up was not measured ("" where it was)."""
    return next((s for s in result.not_done if s.startswith(SPEEDUP_NOT_MEASURED)), "")


def _speedup_sentence(ctx: Context) -> str:
    result = ctx.result
    if not result.plan.subgraphs or any(is_tensorrt(t) for t in result.timing):
        return ""
    if not result.settings.build:
        why = "building engines was turned off"
    elif ctx.engines is None:
        why = "no TensorRT is installed"
    elif not ctx.engines.runnable:
        from ..engines import can_run_engines

        why = can_run_engines()[1] or "the engines cannot run here"
    else:
        why = "no engine was built and run"
    # "ONNX Runtime CPU on AMD EPYC", not "... CPU on CPU: AMD EPYC (2 cores)"
    instead = "; ".join(dict.fromkeys(f"{t.backend} on {t.device.split(' (')[0].split(': ', 1)[-1]}"
                                      for t in result.timing))
    return (f"{SPEEDUP_NOT_MEASURED}: it needs a GPU that the installed TensorRT supports. Here: {why}. "
            f"Measured instead: {instead or 'nothing'}.")


def is_tensorrt(t: TimingResult) -> bool:
    """A figure of TensorRT engines really running (not of ONNX Runtime standing in)."""
    return not t.stand_in and (t.backend.startswith("TensorRT") or t.backend.startswith("hybrid (TensorRT"))


def _time_engines(ctx: Context, hybrids: dict, opts: dict) -> None:
    """Each precision's hybrid run end to end, then each engine alone with CUDA events, on the
    subgraph inputs the fp32 reference run kept."""
    values = ctx.reference.values
    for precision, runner in hybrids.items():
        ctx.progress.event("timing", f"timing the {precision} hybrid run with TensorRT engines")
        ctx.result.timing.append(time_hybrid(runner, ctx.feeds, precision=precision, **opts))
        for seg in runner.segments:
            engine = runner.engines.get(seg.subgraph) if seg.kind == "tensorrt" else None
            if engine is None:
                continue
            try:
                ctx.result.timing.append(time_engine(engine, {t: values[t] for t in seg.inputs},
                                                     precision=precision,
                                                     label=f"TensorRT engine {seg.subgraph}", **opts))
            except TrtlabError as exc:
                ctx.result.not_done.append(f"engine {seg.subgraph} ({precision}) not timed alone{_at(ctx)}: "
                                           f"{one_line(exc)}")


def _framework_baselines(original: Any, result, feeds, opts, on_gpu: bool) -> list[TimingResult]:
    """The model in its own framework, where the original is at hand: a torch module (the one
    given, or the one a Model was loaded from), an MXNet symbol file or Gluon block. On a GPU,
    torch runs there in each requested precision it has, eager and as a CUDA graph."""
    source = original if framework_of(original) else result.model.origin
    kind = framework_of(source)
    out: list[TimingResult] = []
    try:
        if kind == "torch" and on_gpu:
            for precision in [p for p in result.precisions if p in TORCH_PRECISIONS] or [REFERENCE.name]:
                for graph in (False, True):
                    try:
                        out.append(time_torch_gpu(source, feeds, precision=precision, graph=graph, **opts))
                    except (TrtlabError, RuntimeError) as exc:  # e.g. a module CUDA graphs can't capture
                        what = "as a CUDA graph" if graph else "eager"
                        result.not_done.append(f"PyTorch {precision} {what} on the GPU not timed: {one_line(exc)}")
        elif kind == "torch":
            out.append(time_torch(source, feeds, **opts))
        else:
            params = result.settings.params
            if kind != "mxnet":
                from ..timing import mxnet_symbol_path

                source = mxnet_symbol_path(result.model, params)
            if source is not None:
                gpu = on_gpu and mxnet_gpu_available()
                timer = time_mxnet_gpu if gpu else time_mxnet
                out.append(timer(source, feeds, params=params, **opts) if kind != "mxnet"
                           else timer(source, feeds, **opts))
    except TrtlabError as exc:
        result.not_done.append(f"framework baseline not timed: {one_line(exc)}")
    return out
