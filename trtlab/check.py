"""`trtlab.check`: everything about one model, end to end, with plain words for what could not be done.

    load -> partition -> for each precision: convert and cut each subgraph -> build engines
    (cached) -> hybrid run, compared with the fp32 whole model in ONNX Runtime -> timing

Engines run only where a TensorRT and a GPU it supports exist; elsewhere each TensorRT subgraph
runs through ONNX Runtime in the engine's precision, as a stand-in, and every figure says so.
A subgraph whose engine fails to build (parser error, out of memory) falls back to ONNX Runtime
with the builder's reason, and the rest of the run goes on.
"""

from __future__ import annotations

import json
import os
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import onnx

from .accuracy import AccuracyReport, NodeErrorReport, compare, per_node_error
from .cut import cut_subgraph
from .errors import TrtlabError, one_line
from .loaders import load
from .model import Model
from .plan import Fallback, Plan
from .hybrid import HybridRunner
from .feeds import random_feeds
from .ort import run_onnxruntime
from .timing import TimingResult, time_hybrid, time_mxnet, time_onnxruntime, time_torch

STAGES = ("load", "partition", "reference", "precision", "build", "accuracy", "timing", "done")


@dataclass(frozen=True)
class CheckEvent:
    """Progress of a check: `stage` (one of STAGES), `done` of `total` steps, a message, and
    the precision and engine it concerns, where it concerns one."""

    stage: str
    done: int
    total: int
    message: str
    precision: str | None = None
    engine: str | None = None

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0


@dataclass
class CheckResult:
    plan: Plan
    precisions: list[str]
    engines: list[dict] = field(default_factory=list)
    accuracy: list[AccuracyReport] = field(default_factory=list)
    timing: list[TimingResult] = field(default_factory=list)
    hybrid_max_abs: float | None = None
    segments: list[dict] = field(default_factory=list)  # the fp32 hybrid run, segment by segment
    node_errors: dict[str, NodeErrorReport] = field(default_factory=dict)
    done: list[str] = field(default_factory=list)
    not_done: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # done, but read the figures with care
    builder: str | None = None
    engines_runnable: bool = False
    cancelled: bool = False
    elapsed_s: dict[str, float] = field(default_factory=dict)  # stage -> seconds

    @property
    def model(self) -> Model:
        return self.plan.model

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.accuracy)

    def to_dict(self) -> dict:
        d = self.plan.to_dict()
        d["engines"] = list(self.engines)
        d["accuracy"] = [{"precision": r.precision, "output": o.output, "max_abs": o.max_abs,
                          "max_rel": o.max_rel, "mean_abs": o.mean_abs, "cosine": o.cosine,
                          "top1_agree": o.top1_agree, "min_atol": o.min_atol, "atol": o.atol,
                          "rtol": o.rtol, "passed": o.passed, "compared": r.label}
                         for r in self.accuracy for o in r.outputs]
        d["timing"] = [{"backend": t.backend, "precision": t.precision, "device": t.device,
                        "batch": t.batch, "mean_ms": t.mean_ms, "p50_ms": t.p50_ms, "p90_ms": t.p90_ms,
                        "p95_ms": t.p95_ms, "p99_ms": t.p99_ms, "min_ms": t.min_ms, "max_ms": t.max_ms,
                        "throughput": t.throughput, "cv": t.cv, "iterations": t.iterations,
                        "unstable": t.unstable}
                       for t in self.timing]
        d["hybrid"] = {"max_abs_vs_reference": self.hybrid_max_abs, "segments": list(self.segments)}
        if self.node_errors:
            d["node_errors"] = {p: r.to_dict() for p, r in self.node_errors.items()}
        d["done"] = list(self.done)
        d["not_done"] = list(self.not_done)
        d["warnings"] = list(self.warnings)
        d["cancelled"] = self.cancelled
        return d

    def to_json(self, **kw) -> str:
        return json.dumps(self.to_dict(), **kw)

    def summary(self) -> str:
        p = self.plan
        lines = [f"trtlab check of '{p.model.name}': {p.engine_count} TensorRT subgraphs, "
                 f"{p.coverage_pct:.1f}% of {p.total_nodes} nodes in TensorRT, "
                 f"{len(p.fallback_nodes)} fallback nodes"]
        for e in self.engines:
            state = (f"{e['bytes'] / 1e6:.1f} MB, " + ("from cache" if e["cache_hit"] else f"built in {e['build_s']:.2f} s")
                     if e["built"] else f"not built: {e['error']}")
            lines.append(f"  engine {e['subgraph']} {e['precision']}: {state}")
        for r in self.accuracy:
            for o in r.outputs:
                top1 = "" if o.top1_agree is None else f", top-1 {o.top1_agree:.0%}"
                lines.append(f"  accuracy {r.precision} {o.output}: max abs {o.max_abs:.3g}, max rel {o.max_rel:.3g}, "
                             f"cosine {o.cosine:.6f}{top1}: {'pass' if o.passed else 'FAIL'} ({r.label})")
        if self.hybrid_max_abs is not None:
            lines.append(f"  hybrid fp32 vs whole model: max abs difference {self.hybrid_max_abs:.3g}")
        for t in self.timing:
            lines.append(f"  time {t.summary()}")
        lines += [f"  done: {s}" for s in self.done]
        lines += [f"  not done: {s}" for s in self.not_done]
        lines += [f"  warning: {s}" for s in self.warnings]
        return "\n".join(lines)

    def save_html(self, path: str | os.PathLike) -> str:
        from .report.html import write_report

        return str(write_report(self, path))

    def __repr__(self) -> str:
        return (f"<trtlab.CheckResult {self.model.name!r}: {len(self.precisions)} precisions, "
                f"{sum(e['built'] for e in self.engines)} engines built, {len(self.not_done)} things not done>")

    def _repr_mimebundle_(self, include=None, exclude=None):
        from .report.html import summary_html

        return {"text/plain": self.summary(), "text/html": summary_html(self)}


def check(
    model: Any,
    precisions: Sequence[str] = ("fp32",),
    *,
    plan: Plan | None = None,
    coverage: str = "tensorrt",
    min_block_size: int = 1,
    exclude_ops: Iterable[str] = (),
    exclude_nodes: Iterable[str] = (),
    include_ops: Iterable[str] = (),
    include_nodes: Iterable[str] = (),
    inputs: Mapping[str, Sequence[int]] | None = None,
    params: str | os.PathLike | None = None,
    feeds: Mapping[str, np.ndarray] | None = None,
    calibration: Any = None,
    cache_dir: str | os.PathLike | None | bool = True,
    build: bool = True,
    timing: bool = True,
    timing_options: Mapping[str, float] | None = None,
    per_node: bool = False,
    tolerances: Mapping | None = None,
    provider: str = "auto",
    progress: Callable[[CheckEvent], object] | None = None,
    cancel: Any = None,
) -> CheckResult:
    """Check `model` (anything `trtlab.load` takes, a loaded Model, or give `plan=`) in each of
    `precisions`.

    - ``cache_dir``: engine cache directory; True for the default one, None/False for none.
    - ``calibration``: int8 samples of the model inputs (a directory of .npy/.npz files or a list
      of {input: array}); they are run through the fp32 model to calibrate each subgraph.
    - ``timing_options``: ``warmup_ms``, ``iterations``, ``seconds`` (defaults 200 ms, 10, 1 s).
    - ``progress(event)`` gets a `CheckEvent` at every step; ``cancel`` (a threading.Event or a
      callable) stops the check at the next step and returns what was done so far.
    """
    precisions = _precisions(precisions)
    run = _Check(progress, cancel)
    original = model
    if plan is None:
        run.step("load", "loading the model")
        loaded = load(model, inputs=inputs, params=params)
        run.step("partition", "partitioning")
        from .partition import partition

        plan = partition(loaded, coverage, precisions[0], min_block_size=min_block_size, exclude_ops=exclude_ops,
                         exclude_nodes=exclude_nodes, include_ops=include_ops, include_nodes=include_nodes)
    result = CheckResult(plan=plan, precisions=list(precisions))
    m = plan.model
    feeds = dict(feeds) if feeds is not None else random_feeds(m, seed=0)

    run.step("reference", "running the whole model in ONNX Runtime (fp32 reference)")
    reference = run_onnxruntime(m, feeds, provider)

    flavour, runnable = _tensorrt(result, build)
    cache = _cache(cache_dir) if flavour is not None else None
    cal_samples = None
    if "int8" in precisions and plan.subgraphs:
        cal_samples = _calibration(plan, calibration, result)

    cuts = {s.id: cut_subgraph(plan, s.id) for s in plan.subgraphs}
    prints: dict[str, str] = {}  # engine name -> fingerprint of its fp32 cut, hashed once for all precisions
    hybrids: dict[str, HybridRunner] = {}  # precision -> its hybrid runner
    for precision in precisions:
        if run.cancelled(result, f"{precision} conversion"):
            break
        run.step("precision", f"{precision}: converting {plan.engine_count} subgraphs", precision=precision)
        if precision == "int8" and cal_samples is None and plan.subgraphs:
            continue  # _calibration said why
        converted = _convert(plan, cuts, precision, cal_samples, result)
        p_plan, engines = plan, {}
        if flavour is not None and plan.subgraphs:
            run.step("build", f"{precision}: building {len(cuts)} engines with {flavour.label}",
                     precision=precision)
            built = _build(plan, cuts, precision, flavour, cache, cal_samples, run, result, prints, runnable)
            failed = {sid: _first_line(r.error) for sid, r in built.items() if not r.built}
            if failed and not run.cancelled(result, f"{precision} engine builds"):
                p_plan = without_subgraphs(plan, {sid: f"engine build failed ({precision}): {err}"
                                                  for sid, err in failed.items()})
            if runnable:
                engines = _engine_runners(built, p_plan, result)
        if run.cancelled(result, f"{precision} accuracy"):
            break
        run.step("accuracy", f"{precision}: hybrid run against the fp32 reference", precision=precision)
        runner = _hybrid(p_plan, engines, cuts, converted, provider, precision, result)
        if runner is None:
            continue
        hybrids[precision] = runner
        outputs = runner.run(feeds)
        if engines:
            label = "TensorRT engines" + (f", ONNX Runtime stand-ins for subgraphs {runner.stand_ins}"
                                          if runner.stand_ins else "")
        elif p_plan.subgraphs:
            label = f"ONNX Runtime stand-ins for the TensorRT subgraphs, in {precision}"
        else:
            label = "ONNX Runtime only (no TensorRT subgraph)"
        report = compare(reference, outputs, precision, tolerances=tolerances,
                         label=f"hybrid: {label}, vs whole fp32 model in ONNX Runtime")
        result.accuracy.append(report)
        if precision == "fp32":
            result.hybrid_max_abs = max((o.max_abs for o in report.outputs), default=0.0)
            result.segments = [s.to_dict() for s in runner.segments]
        if per_node and precision != "fp32":
            _per_node(m, precision, cal_samples, feeds, tolerances, result)

    if timing and not result.cancelled:
        _timing(result, original, params, feeds, provider, hybrids, runnable, flavour,
                dict(timing_options or {}), run)
    run.step("done", "finished")
    result.elapsed_s = dict(run.elapsed)
    return result


# ---------------------------------------------------------------- steps
class _Check:
    def __init__(self, progress, cancel):
        self.progress, self.cancel = progress, cancel
        self.index = 0
        self.elapsed: dict[str, float] = {}
        self._stage, self._start = None, time.perf_counter()

    def step(self, stage: str, message: str, **about) -> None:
        now = time.perf_counter()
        if self._stage is not None:
            self.elapsed[self._stage] = self.elapsed.get(self._stage, 0.0) + now - self._start
        self._stage, self._start = stage, now
        self.index = max(self.index, STAGES.index(stage))
        self.event(stage, message, **about)

    def event(self, stage: str, message: str, *, precision: str | None = None,
              engine: str | None = None) -> None:
        if self.progress is not None:
            self.progress(CheckEvent(stage, self.index, len(STAGES) - 1, message, precision, engine))

    def is_cancelled(self) -> bool:
        from .engines.build import is_cancelled

        return is_cancelled(self.cancel)

    def cancelled(self, result: CheckResult, what: str) -> bool:
        if result.cancelled:
            return True
        if self.is_cancelled():
            result.cancelled = True
            result.not_done.append(f"cancelled by the user before {what}; later steps were not run")
            return True
        return False


def _precisions(precisions: Sequence[str]) -> list[str]:
    from .precisions import check_precision

    if isinstance(precisions, str):
        precisions = [precisions]
    out = list(dict.fromkeys(check_precision(p) for p in precisions))
    return out or ["fp32"]


def _tensorrt(result: CheckResult, build: bool):
    """(flavour or None, engines runnable here), with the reasons written down."""
    if not build:
        result.not_done.append("engines not built: building was turned off")
        return None, False
    from .engines import can_run_engines
    from .installed_tensorrt import require_tensorrt

    try:
        flavour = require_tensorrt()
    except TrtlabError as exc:
        result.not_done.append(f"engines not built: {one_line(exc)}")
        result.not_done.append("TensorRT subgraphs ran in ONNX Runtime as stand-ins; no TensorRT timing")
        return None, False
    result.builder = flavour.label
    ok, why = can_run_engines()
    result.engines_runnable = ok
    if not ok:
        result.not_done.append(f"engines not run or timed: {why}; TensorRT subgraphs ran in ONNX Runtime "
                               "as stand-ins for accuracy")
    return flavour, ok


def _cache(cache_dir):
    from .engines import EngineCache

    if cache_dir is None or cache_dir is False:
        return None
    return EngineCache() if cache_dir is True else EngineCache(cache_dir)


def _calibration(plan: Plan, calibration, result: CheckResult):
    """Whole-model calibration samples, run through the fp32 model to get each subgraph's inputs:
    {engine name: [ {input: array}, ... ]}, or None (int8 skipped, reason written down)."""
    from .precision.calibration import samples, synthetic, input_specs

    m = plan.model
    try:
        if calibration is None:
            data = synthetic(input_specs(m.proto))
            result.warnings.append("int8 calibrated on random inputs (no --calibration given): "
                                   "its accuracy figures mean little")
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                data = samples(m.proto, calibration)
    except TrtlabError as exc:
        result.not_done.append(f"int8 skipped: {one_line(exc)}")
        return None
    per_sample = _with_subgraph_inputs(plan, data)
    return {s.name: [{t: d[t] for t in s.inputs} for d in per_sample] for s in plan.subgraphs}


def _with_subgraph_inputs(plan: Plan, samples: Iterable[Mapping[str, np.ndarray]]) -> list[dict]:
    """Each sample of the model's inputs, with the value of every subgraph input added (from
    the fp32 model in ONNX Runtime)."""
    m = plan.model
    wanted = [t for t in dict.fromkeys(t for s in plan.subgraphs for t in s.inputs) if t not in m.inputs]
    out = [dict(sample) for sample in samples]
    if wanted:
        from .accuracy import expose_intermediates
        from .ort import make_session

        session = make_session(expose_intermediates(m.proto), "cpu")
        for d in out:
            d.update(zip(wanted, session.run(wanted, {k: d[k] for k in m.inputs})))
    return out


def _convert(plan: Plan, cuts: dict, precision: str, cal_samples, result: CheckResult) -> dict[int, onnx.ModelProto]:
    """Each cut in `precision`, for the ONNX Runtime stand-in; fp32 cuts stay as they are."""
    if precision == "fp32":
        return {}
    from .precision import apply_precision

    out = {}
    for s in plan.subgraphs:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out[s.id] = apply_precision(cuts[s.id], precision,
                                            calibration=(cal_samples or {}).get(s.name))
        except TrtlabError as exc:
            result.not_done.append(f"{precision}: subgraph {s.id} could not be converted "
                                   f"({one_line(exc)}); its stand-in ran in fp32")
    return out


def _build(plan, cuts, precision, flavour, cache, cal_samples, run: _Check, result: CheckResult,
           prints: dict, runnable: bool) -> dict:
    from .engines import build_engines, fingerprint

    def on_event(event):
        if event.kind == "phase_start" and event.parent is None:
            run.event("build", f"{event.engine} {precision}: {event.phase}", precision=precision,
                      engine=event.engine)

    names = {s.name: s.id for s in plan.subgraphs}
    if cache is not None:
        for s in plan.subgraphs:
            if s.name not in prints:
                prints[s.name] = fingerprint(cuts[s.id])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the cache's own warning becomes a statement below
        # Engines are read back from the cache only where they will run; elsewhere a hit is
        # taken on its sidecar, and its checksum is verified whenever it is read.
        results = build_engines([(s.name, cuts[s.id]) for s in plan.subgraphs], precision, cache=cache,
                                progress=on_event, cancel=run.cancel, flavour=flavour, fingerprints=prints,
                                calibration=cal_samples if precision == "int8" else None,
                                read_engines=runnable)
    out = {}
    for r in results:
        sid = names[r.name]
        out[sid] = r
        result.engines.append({"subgraph": sid, "precision": precision, "built": r.built, "bytes": r.bytes,
                               "build_s": r.build_s, "cache_hit": r.cache_hit, "builder": r.builder,
                               "error": _first_line(r.error) if r.error else None})
    built = [r for r in results if r.built]
    if built:
        hits = sum(r.cache_hit for r in built)
        result.done.append(f"{len(built)} of {len(results)} {precision} engines built ({flavour.label}"
                           f"{', portable' if flavour.flavour == 'tensorrt-rtx' else ''})"
                           + (f", {hits} from the cache" if hits else ""))
    for r in results:
        if not r.built and r.error != "cancelled":
            result.not_done.append(f"engine for subgraph {names[r.name]} ({precision}) not built: "
                                   f"{_first_line(r.error)}; its nodes fall back to ONNX Runtime in fp32")
    if cache is not None and not cache.writable:
        result.not_done.append(f"engine cache '{cache.dir}' is not writable: engines were built but not cached")
    return out


def _first_line(text: str | None, limit: int = 400) -> str:
    """A builder's message on one line, without the runtime's bracketed source-location lines."""
    lines = [x.strip() for x in (text or "unknown error").strip().splitlines()]
    line = " ".join(x for x in lines if x and not x.startswith("[")) or lines[0]
    return line if len(line) <= limit else line[:limit - 3] + "..."


def without_subgraphs(plan: Plan, reasons: Mapping[int, str]) -> Plan:
    """`plan` with the subgraphs in `reasons` turned into fallback nodes, each given the reason.
    Removing whole subgraphs keeps the plan valid: the rest stay as they were."""
    fallback = list(plan.fallback_nodes)
    for s in plan.subgraphs:
        if s.id in reasons:
            fallback += [Fallback(n, plan.model.node_by_name[n].op_type, reasons[s.id]) for n in s.nodes]
    order = plan.model.index
    fallback.sort(key=lambda f: order[f.name])
    return Plan(model=plan.model, coverage=plan.coverage, min_block_size=plan.min_block_size,
                subgraphs=[s for s in plan.subgraphs if s.id not in reasons], fallback_nodes=fallback,
                small_block_nodes=list(plan.small_block_nodes))


def _engine_runners(built: dict, plan: Plan, result: CheckResult) -> dict:
    from .engines import EngineRuntime

    runners = {}
    for sid, r in built.items():
        if r.built and any(s.id == sid for s in plan.subgraphs):
            try:
                runners[sid] = EngineRuntime(r.engine)
            except TrtlabError as exc:
                result.not_done.append(f"engine for subgraph {sid} ({r.precision}) cannot run: {exc}")
    return runners


def _hybrid(plan, engines, cuts, converted, provider, precision, result: CheckResult) -> HybridRunner | None:
    try:
        # The fp32 cuts are made once for all precisions; converted ones replace them.
        return HybridRunner(plan, engines=engines, provider=provider, subgraph_models={**cuts, **converted})
    except TrtlabError as exc:
        if not converted:
            raise
        reason = one_line(exc)
        result.not_done.append(f"{precision} accuracy not measured: ONNX Runtime cannot run the {precision} "
                               f"subgraphs here ({reason})")
        return None


def _per_node(m: Model, precision, cal_samples, feeds, tolerances, result: CheckResult) -> None:
    from .precision import apply_precision

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cal = None
            if precision == "int8":
                from .precision.calibration import synthetic, input_specs

                cal = [dict(feeds)] + synthetic(input_specs(m.proto))
            converted = apply_precision(m.proto, precision, calibration=cal)
        result.node_errors[precision] = per_node_error(m, converted, feeds, precision, tolerances=tolerances)
    except TrtlabError as exc:
        result.not_done.append(f"{precision} per-node error not measured: {one_line(exc)}")


def _timing(result: CheckResult, original, params, feeds, provider, hybrids, runnable, flavour, options,
            run) -> None:
    opts = {k: options[k] for k in ("warmup_ms", "iterations", "seconds") if k in options}
    opts["cancel"] = run.cancel
    m = result.model
    run.step("timing", "timing ONNX Runtime (whole model)")
    result.timing.append(time_onnxruntime(m, feeds, provider=provider, **opts))
    framework = _framework_baseline(original, params, m, feeds, opts, result)
    if framework is not None:
        result.timing.append(framework)
    with_engines = {p: r for p, r in hybrids.items() if len(r.stand_ins) < r.plan.engine_count}
    if with_engines:
        _time_engines(result, feeds, with_engines, opts, run)
    elif "fp32" in hybrids and result.plan.subgraphs:
        run.event("timing", "timing the hybrid run (ONNX Runtime stand-ins)")
        result.timing.append(time_hybrid(hybrids["fp32"], feeds, **opts))
    if flavour is not None and not runnable and result.engines:
        result.not_done.append("no TensorRT timing: no GPU that this TensorRT can run on")
    for t in result.timing:
        if t.unstable:
            result.warnings.append(f"timing of {t.backend} ({t.precision}) is {t.warning}")


def _time_engines(result: CheckResult, feeds, hybrids, opts, run) -> None:
    """Each precision's hybrid run end to end, then each engine alone with CUDA events."""
    from .timing import time_engine

    (values,) = _with_subgraph_inputs(result.plan, [feeds])
    for precision, runner in hybrids.items():
        run.event("timing", f"timing the {precision} hybrid run with TensorRT engines")
        result.timing.append(time_hybrid(runner, feeds, precision=precision, **opts))
        for seg in runner.segments:
            engine = runner.engines.get(seg.subgraph) if seg.kind == "tensorrt" else None
            if engine is None:
                continue
            try:
                result.timing.append(time_engine(engine, {t: values[t] for t in seg.inputs}, precision=precision,
                                                 label=f"TensorRT engine {seg.subgraph}", **opts))
            except TrtlabError as exc:
                result.not_done.append(f"engine {seg.subgraph} ({precision}) not timed alone: "
                                       f"{one_line(exc)}")


def _framework_baseline(original, params, m: Model, feeds, opts, result: CheckResult) -> TimingResult | None:
    """The model in its own framework, where the original is at hand: MXNet (symbol file or
    Gluon block) or a torch module."""
    kind = type(original).__module__.split(".")[0]
    try:
        if kind == "torch":
            return time_torch(original, feeds, **opts)
        if kind == "mxnet":
            return time_mxnet(original, feeds, **opts)
        from .timing import mxnet_symbol_path

        path = mxnet_symbol_path(m, params)
        if path is not None:
            return time_mxnet(path, feeds, params=params, **opts)
    except TrtlabError as exc:
        result.not_done.append(f"framework baseline not timed: {one_line(exc)}")
    return None
