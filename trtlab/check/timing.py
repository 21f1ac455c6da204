"""The timing step of a check: the whole model in ONNX Runtime, the model in its own framework
where it is at hand, and the hybrid model with TensorRT engines (each engine also alone) where
engines run; without engines, the stand-in hybrid run is timed and labelled as such."""

from __future__ import annotations

from typing import Any

from ..errors import TrtlabError, one_line
from ..loaders import framework_of
from ..timing import TimingResult, time_engine, time_hybrid, time_mxnet, time_onnxruntime, time_torch
from .measure import Context


def time_all(ctx: Context, original: Any) -> None:
    result, settings = ctx.result, ctx.result.settings
    opts = dict(settings.timing_options.to_dict(), cancel=ctx.progress.cancel)
    ctx.progress.step("timing", "timing the whole model in ONNX Runtime, the baselines and the hybrid runs")
    result.timing.append(time_onnxruntime(result.model, ctx.feeds, provider=settings.provider, **opts))
    framework = _framework_baseline(original, result, ctx.feeds, opts)
    if framework is not None:
        result.timing.append(framework)
    with_engines = {p: r for p, r in ctx.hybrids.items() if len(r.stand_ins) < r.plan.engine_count}
    if with_engines:
        _time_engines(ctx, with_engines, opts)
    elif "fp32" in ctx.hybrids and result.plan.subgraphs:
        ctx.progress.event("timing", "timing the hybrid run (ONNX Runtime stand-ins, not TensorRT)")
        result.timing.append(time_hybrid(ctx.hybrids["fp32"], ctx.feeds, **opts))
    if ctx.engines is not None and not ctx.engines.runnable and result.engines:
        result.not_done.append("no TensorRT timing: no GPU that this TensorRT can run on")
    for t in result.timing:
        if t.unstable:
            result.warnings.append(f"timing of {t.backend} ({t.precision}) is {t.warning}")


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
                ctx.result.not_done.append(f"engine {seg.subgraph} ({precision}) not timed alone: "
                                           f"{one_line(exc)}")


def _framework_baseline(original: Any, result, feeds, opts) -> TimingResult | None:
    """The model in its own framework, where the original is at hand: a torch module (the one
    given, or the one a Model was loaded from), an MXNet symbol file or Gluon block."""
    origin = getattr(result.model, "origin", None)
    source = original if framework_of(original) else origin
    kind = framework_of(source)
    try:
        if kind == "torch":
            return time_torch(source, feeds, **opts)
        if kind == "mxnet":
            return time_mxnet(source, feeds, **opts)
        from ..timing import mxnet_symbol_path

        params = result.settings.params
        path = mxnet_symbol_path(result.model, params)
        if path is not None:
            return time_mxnet(path, feeds, params=params, **opts)
    except TrtlabError as exc:
        result.not_done.append(f"framework baseline not timed: {one_line(exc)}")
    return None
