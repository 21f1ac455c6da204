"""The engine side of a check: which TensorRT builds (and whether its engines run here), the
builds of each precision with their progress and cache, and a runtime per engine that can run."""

from __future__ import annotations

import warnings
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import onnx

from ..cut import cut_subgraph
from ..engines import BuildResult, EngineCache, EngineRuntime, can_run_engines, fingerprint
from ..engines.build import BuildOptions, new_job, run_jobs, transformed_precision
from ..errors import TrtlabError, one_line
from ..installed_tensorrt import TensorRT, require_tensorrt
from ..plan import Plan
from ..precision_registry import get as get_precision
from ..words import counted
from .constant_inputs import fold_constant_inputs, unfold
from .progress import Progress
from .result import CheckResult, EnginePrecisionRow, EngineRow, FusionRow

if TYPE_CHECKING:
    from ..weight_store import WeightStore


class EngineStep:
    """Builds the engines of one plan in each precision, for one check."""

    def __init__(self, plan: Plan, tensorrt: TensorRT, runnable: bool, result: CheckResult, progress: Progress,
                 store: "WeightStore | None" = None):
        self.plan, self.tensorrt, self.runnable = plan, tensorrt, runnable
        self.store = store  # the check's WeightStore of a large model, which cuts refer to
        self.result, self.progress = result, progress
        with warnings.catch_warnings(record=True) as caught:  # the cache's warnings become statements
            warnings.simplefilter("always")
            self.cache = _cache(result.settings.cache_dir)
            if self.cache is not None:
                self.cache.open()
        result.warnings.extend(one_line(str(w.message)) for w in caught)
        self._prints: dict[str, str] = {}  # engine name -> fingerprint of its fp32 cut, hashed once
        self.points: list = []  # the model at the profile's min and max (see check.profiles)
        self.profiles: dict = {}  # subgraph id -> its engine's optimisation profiles, one per given profile
        self.values: dict | None = None  # the fp32 reference run's tensors (see constant_inputs)
        from ..engines.worker import BuildWorker

        # One worker process builds every engine of the check; a crash in it ends one build.
        self.worker = BuildWorker(tensorrt)

    def with_profiles(self, points: list, values: dict) -> None:
        """Build each engine with one profile per given profile: the range of shapes its inputs
        take between `points`, and the values of the shape computations handed in that vary
        (`values`: the reference run's tensors at opt); those that do not vary become constants."""
        from .profiles import fixed_values, subgraph_profiles

        self.points, self.profiles = points, subgraph_profiles(self.plan, points, values)
        self.values = fixed_values(self.plan, points, values)

    def _fold(self, cut: onnx.ModelProto) -> list:
        """Shape computations handed into the cut become constants (see `constant_inputs`);
        over profiles only those whose values are the same at every point."""
        if self.values is None:
            return []
        return fold_constant_inputs(cut, self.plan.model, self.values)

    def close(self) -> None:
        self.worker.close()

    @classmethod
    def find(cls, plan: Plan, result: CheckResult, progress: Progress,
             store: "WeightStore | None" = None) -> "EngineStep | None":
        """The step, or None with the reason written down (building off, no TensorRT)."""
        if not result.settings.build:
            result.not_done.append("engines not built: building was turned off; the TensorRT subgraphs ran "
                                   "in ONNX Runtime as stand-ins (not TensorRT)")
            return None
        try:
            tensorrt = require_tensorrt()
        except TrtlabError as exc:
            result.not_done.append(f"engines not built: {one_line(exc)}")
            result.not_done.append("the TensorRT subgraphs ran in ONNX Runtime as stand-ins (not TensorRT); "
                                   "no TensorRT timing")
            return None
        result.builder = tensorrt.label
        ok, why = can_run_engines()
        result.engines_runnable = ok
        if not ok:
            result.not_done.append(f"engines not run or timed: {why}; the TensorRT subgraphs ran in ONNX "
                                   "Runtime as stand-ins (not TensorRT) for accuracy")
        return cls(plan, tensorrt, ok, result, progress, store)

    def build(self, precision: str, calibration: dict | None,
              models: dict[int, onnx.ModelProto]) -> dict[int, BuildResult]:
        """Subgraph id -> its build result in `precision`; Done / Not done written down.
        `models`: each subgraph as the check runs it in `precision` (fp32: its cut; otherwise
        converted and validated), built as it is wherever this TensorRT builds that precision
        from a converted model; otherwise the fp32 cut is transformed for the build."""
        plan, result = self.plan, self.result
        self.progress.step("build", f"{precision}: building {counted(len(plan.subgraphs), 'engine')} with "
                           f"{self.tensorrt.label}", precision=precision)

        def on_event(event):
            if event.kind == "phase_start" and event.parent is None:
                self.progress.event("build", f"{event.engine} {precision}: {event.phase}",
                                    precision=precision, engine=event.engine)

        # The model the check validated is built as it is where the build takes the same
        # transform: not where TensorRT 10's flags build from fp32, nor where the check's model
        # computes in fp32 for ONNX Runtime (bf16).
        spec = get_precision(precision)
        as_converted = (spec.reduced and spec.runs_in_onnxruntime and not self.profiles
                        and transformed_precision(self.tensorrt, precision) == precision)
        # Engines are kept in memory (read back from the cache, or from a fresh build) only
        # where they will run; a hit is served only once its bytes match the checksum either way.
        options = BuildOptions(timeout_s=result.settings.build_timeout_s, read_engines=self.runnable)
        jobs, folded = [], {}
        for s in plan.subgraphs:
            if as_converted:
                folded[s.id] = self._fold(models[s.id])
                jobs.append(new_job(s.name, models[s.id], precision, self.tensorrt, options, prepared=True))
                continue
            cut = models[s.id] if not spec.reduced else cut_subgraph(plan, s.id, store=self.store)
            if not spec.reduced:
                folded[s.id] = self._fold(cut)
            else:
                self._fold(cut)
            if s.id in self.profiles:  # its dimensions that vary over the profile made dynamic
                from .profiles import relax

                relax(cut, plan, self.points)
            if s.name not in self._prints:
                self._prints[s.name] = fingerprint(cut)
            jobs.append(new_job(s.name, cut, precision, self.tensorrt, replace(options, profiles=self.profiles.get(s.id)),
                                digest=self._prints[s.name],
                                calibration=(calibration or {}).get(s.name) if spec.calibrated else None))
            del cut
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the cache's own warning becomes a statement below
            builds = run_jobs(jobs, cache=self.cache, progress=on_event, cancel=self.progress.cancel,
                              worker=self.worker)
        del jobs
        for sid, inputs in folded.items():  # ONNX Runtime runs the check's own models as they were
            unfold(models[sid], inputs)
        ids = {s.name: s.id for s in plan.subgraphs}
        out = {ids[r.name]: r for r in builds}
        result.engines.extend(EngineRow.of(sid, r) for sid, r in out.items())
        ok = [r for r in builds if r.built]
        if ok:
            result.done.append(engines_done(precision, ok, len(builds), self.tensorrt))
        for sid, r in out.items():
            if not r.built and r.error != "cancelled":
                result.not_done.append(f"engine for subgraph {sid} ({precision}) not "
                                       f"built: {one_line(r.error)}")
        if self.cache is not None and not self.cache.writable and not self.cache.refused:
            result.not_done.append(f"engine cache '{self.cache.dir}' is not writable: engines were built "
                                   "but not cached")
        return out

    def read_builds(self, precision: str, built: dict[int, BuildResult], models: dict[int, onnx.ModelProto]) -> None:
        """From each build's log: the precision its kernels really run in, and what fusion saved
        (counted from the build, not timed). A requested precision the engine mostly ignores is
        a warning."""
        from ..fusion import engine_precision, fusion_savings
        from ..model import Model
        from ..weights import shapes_only

        for sid, r in built.items():
            log = getattr(r, "log", None)
            if not r.built or not log:
                continue
            # A cut is typed throughout already: read as it is, once for both readings, without its
            # weights' data (only their sizes count): holding it keeps no copy of them alive.
            model = Model(shapes_only(models[sid]), name=r.name, source="onnx")
            try:
                ep = engine_precision(log, model, precision)
                saved = fusion_savings(model, log, precision, by=f"{self.tensorrt.label} build")
            except TrtlabError as exc:
                self.result.not_done.append(f"engine {sid} ({precision}): its layers could not be read: "
                                            f"{one_line(exc)}")
                continue
            self.result.engine_precision.append(EnginePrecisionRow(sid, ep))
            self.result.fusion.append(FusionRow(sid, saved))
            if ep.warning:
                self.result.warnings.append(f"engine {sid} ({precision}): {ep.warning}")

    def runtimes(self, built: dict[int, BuildResult]) -> dict[int, Any]:
        """Subgraph id -> a runtime for each engine, where engines run here."""
        if not self.runnable:
            return {}
        out = {}
        for sid, r in built.items():
            try:
                out[sid] = EngineRuntime(r.engine)
            except TrtlabError as exc:
                self.result.not_done.append(f"engine for subgraph {sid} ({r.precision}) cannot run: {exc}")
        return out


def engines_done(precision: str, ok: list[BuildResult], asked: int, tensorrt: TensorRT) -> str:
    """"fp16 engines: 1 built, 2 from the cache; all ready, by TensorRT-RTX 1.7.1, portable":
    what was built now and what was read back from the cache, said apart."""
    hits = sum(r.cache_hit for r in ok)
    how = [f"{len(ok) - hits} built"] if len(ok) > hits else []
    how += [f"{hits} from the cache"] if hits else []
    ready = "all" if len(ok) == asked else f"{len(ok)} of {asked}"
    return (f"{precision} engines: {', '.join(how)}; {ready} ready, by {tensorrt.label}"
            f"{', portable' if tensorrt.portable else ''}")


def _cache(cache_dir) -> EngineCache | None:
    if cache_dir is None or cache_dir is False:
        return None
    return EngineCache() if cache_dir is True else EngineCache(cache_dir)
