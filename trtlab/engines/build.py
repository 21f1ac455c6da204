"""Engine builds: `build_engines` (one engine per subgraph) and `run_jobs`, the one entry point
both it and the check go through, one `BuildJob` at a time.

    from trtlab.engines import BuildOptions, build_engines
    results = build_engines([("sg0", proto)], "fp16", cache=True, options=BuildOptions(workspace=1 << 30))

Each build runs in a `worker.BuildWorker`, so a crash inside TensorRT ends that build, not the
caller. A failed parse, a crash, a time limit, a cancelled build or a refused build give a
`BuildResult` with built=False and the reason, never an exception (KeyboardInterrupt aside), so
the caller can fall back. A job's model is transformed to its precision here, only on a cache
miss: the cache keys on the model before the transform and on the job's settings (`BuildJob`).
"""

from __future__ import annotations

import os
import time
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from .._io import atomic_write_bytes
from ..cancel import Cancel, is_cancelled
from ..errors import TrtlabError
from ..installed_tensorrt import TensorRT, require_tensorrt
from ..precision_registry import check_precision, get as get_precision
from ..profiles import as_profiles
from .cache import EngineCache
from .job import DEFAULT_TIMEOUT_S, BuildJob, BuildSettings, Target, Transform
from .result import BuildEvent, BuildResult
from .safe_files import read_regular_file
from .worker import BuildWorker

Progress = Callable[[BuildEvent], object]

_PLAIN = ("INTERNAL_ERROR", "ERROR", "WARNING", "INFO")


@dataclass(frozen=True)
class BuildOptions:
    """How `build_engines` builds: the builder's `workspace` limit, a time limit per build
    (`timeout_s`, None: none), a `timing_cache` file (full TensorRT only), whether engines are
    read back into memory (`read_engines`), the precision `policy` (fp16/bf16), int8
    `calibration` (one source, or engine name -> source) and optimisation `profiles` (a
    `trtlab.profiles.Profile`, its dict form, or a list of them)."""

    workspace: int | None = None
    timeout_s: float | None = DEFAULT_TIMEOUT_S
    timing_cache: str | os.PathLike | None = None
    read_engines: bool = True
    policy: Any = None
    calibration: Any = None
    profiles: Any = None

    def settings(self) -> BuildSettings:
        return BuildSettings(self.workspace, self.timeout_s,
                             None if self.timing_cache is None else str(self.timing_cache), self.read_engines)


def build_engines(plan_or_models, precision: str = "fp32", *,
                  cache: EngineCache | str | os.PathLike | bool | None = None,
                  progress: Progress | None = None, cancel: Cancel = None,
                  worker: BuildWorker | None = None, options: BuildOptions | None = None) -> list[BuildResult]:
    """Build an engine for each fp32 model, in `precision`.

    `plan_or_models`: a `trtlab.Plan` (one engine per subgraph) or a list of (name, model) pairs,
    a model being an onnx.ModelProto, a trtlab Model or serialized ONNX bytes. The precision
    transform runs here (see `trtlab.precision`), except with TensorRT 10, where fp16/bf16 use
    the builder flags on the fp32 model. `cache`: an EngineCache, a directory, True for the
    default directory, or None. A failure in one engine is reported in its result and the others
    still build; after `cancel`, the remaining engines report "cancelled". A caller with several
    calls to make (one per precision) may pass its own `worker`, which is then left running.
    """
    check_precision(precision)
    options = options or BuildOptions()
    tensorrt = worker.tensorrt if worker is not None else require_tensorrt()
    calibration = _materialized(options.calibration) if get_precision(precision).calibrated else None
    jobs = [new_job(name, model, precision, tensorrt, options, calibration=_calibration_for(calibration, name))
            for name, model in _items(plan_or_models)]
    return run_jobs(jobs, cache=cache, progress=progress, cancel=cancel, worker=worker)


def build_engine(onnx_bytes, *, precision: str = "fp32", name: str = "engine", progress: Progress | None = None,
                 cancel: Cancel = None, cache=None, options: BuildOptions | None = None) -> BuildResult:
    """Build one engine from a model (ONNX bytes or a ModelProto) already in `precision`: with
    a strongly typed builder (TensorRT 11, TensorRT-RTX) the model's types decide; with
    TensorRT 10, `precision` also sets the matching builder flag."""
    check_precision(precision)
    job = new_job(name, onnx_bytes, precision, require_tensorrt(), options or BuildOptions(), prepared=True)
    return run_jobs([job], cache=cache, progress=progress, cancel=cancel)[0]


def new_job(name: str, model, precision: str, tensorrt: TensorRT, options: BuildOptions, *,
            prepared: bool = False, calibration=None, digest: str | None = None) -> BuildJob:
    """The job that builds `model` in `precision`: as it is (`prepared`), or after the precision
    transform of the fp32 model. `digest`: the model's `fingerprint` where the caller has it."""
    from .digests import fingerprint

    to = get_precision(transformed_precision(tensorrt, precision))
    policy = options.policy if to.reduced and not to.calibrated else None
    transform = None if prepared else Transform(to.name, policy, calibration if to.calibrated else None)
    flags = get_precision(precision).weak_flags if tensorrt.weakly_typed_flags else ()
    return BuildJob(name, precision, model, digest or fingerprint(model), transform, Target.of(tensorrt),
                    options.settings(), as_profiles(options.profiles), tuple(flags))


def transformed_precision(tensorrt: TensorRT, precision: str) -> str:
    """The precision the model is transformed into before the build: with TensorRT 10 a
    precision whose builder flags pick its layers from the fp32 model builds that model."""
    spec = get_precision(precision)
    if tensorrt.weakly_typed_flags and spec.flags_on_fp32:
        return "fp32"
    return spec.name


def run_jobs(jobs: Sequence[BuildJob], *, cache=None, progress: Progress | None = None, cancel: Cancel = None,
             worker: BuildWorker | None = None) -> list[BuildResult]:
    """Build each job, one after another, in `worker` (default: one started at the first job not
    in the cache, ended after the last). A crash inside TensorRT fails that job and the next
    starts a new worker; cancel stops the worker at once; KeyboardInterrupt stops it and is
    raised again."""
    cache = _as_cache(cache)
    if not jobs:
        return []
    own = worker is None
    with (BuildWorker(jobs[0].target.tensorrt()) if own else nullcontext(worker)) as worker:
        return [_one(job, worker, cache, progress, cancel) for job in jobs]


def _one(job: BuildJob, worker: BuildWorker, cache: EngineCache | None, progress, cancel) -> BuildResult:
    label = worker.tensorrt.label
    result = BuildResult(job.name, job.precision, built=False, builder=label, job=job)
    if is_cancelled(cancel):
        result.error = "cancelled"
        return result
    if cache is not None:
        result = from_cache(cache, job, label)
        if result.built:
            return result
    worker.start()  # it imports TensorRT while the precision transform runs here
    model = job.model
    if job.transform is not None:
        try:
            model = _transformed(job)
        except TrtlabError as exc:
            result.error = f"precision transform failed: {exc}"
            return result
    return _build_into(result, job, model, worker, (cache, progress, cancel))


def from_cache(cache: EngineCache, job: BuildJob, label: str) -> BuildResult:
    """The engine cached for `job` as a built result (cache_hit=True), or, on a miss, an unbuilt
    result that carries the key and any note about a bad entry thrown away. A hit is served only
    after the engine's bytes match the checksum in its sidecar; without the job's `keep_engine`
    they are checked but not kept (`engine` is None; `cache.get(key)` reads them again)."""
    key = cache.key(job.digest, job.key_fields(), job.target, target=job.target.where)
    result = BuildResult(job.name, job.precision, built=False, builder=label, key=key, job=job)
    start = time.perf_counter()
    meta, engine, note = cache.fetch(key, keep=job.settings.keep_engine)
    if note:
        result.messages.append(note)
    if meta is not None:
        result.built, result.cache_hit, result.bytes = True, True, int(meta["bytes"])
        result.engine = engine
        result.log = _layer_lines(meta.get("layers"))
        result.build_s = time.perf_counter() - start
    return result


def _build_into(result: BuildResult, job: BuildJob, model, worker: BuildWorker, where) -> BuildResult:
    """Build `job` from `model` (its model, transformed) in `worker` and, with a cache, store it
    under `result.key` (this process alone writes the cache). `where`: (cache, progress, cancel)."""
    cache, progress, cancel = where
    tensorrt = worker.tensorrt
    timing_cache = job.settings.timing_cache
    own_timing = cache is not None and timing_cache is None and tensorrt.timing_cache
    if own_timing:
        timing_cache = cache.timing_cache_path(tensorrt)
    if is_cancelled(cancel):
        result.error = "cancelled"
        return result
    timing = None
    if tensorrt.timing_cache and timing_cache:
        timing = _read_timing_cache(timing_cache, result, follow_symlinks=not own_timing)
    if not isinstance(model, (bytes, bytearray)):
        from ..memory import release_memory
        from ..weight_store import has_references

        # What the transform made and dropped (ONNX Runtime's checking sessions; for a large
        # model copies of its weights) goes back before the build, not held while it runs.
        release_memory(collect=has_references(model))
    # With a cache the engine goes into it from its file, read back only where it is kept.
    out = worker.build(job, model, timing_cache=timing, progress=progress, cancel=cancel,
                       keep_engine="file" if cache is not None else job.settings.keep_engine)
    del model
    result.build_s, result.error, result.failure, result.log = out.build_s, out.error, out.failure, out.log
    result.messages.extend(out.notes)
    result.messages.extend(f"{sev}: {msg}" for sev, msg in out.log if sev in _PLAIN)
    if out.built:
        result.built, result.engine, result.bytes = True, out.engine, out.engine_bytes
        if out.timing_cache is not None:
            _save_timing_cache(timing_cache, out.timing_cache, result, cache)
        if cache is not None:
            _cache_engine_file(result, cache, Path(out.engine), job.settings.keep_engine)
    return result


def _cache_engine_file(result: BuildResult, cache: EngineCache, engine_file: Path, keep: bool) -> None:
    """Store the engine built into file `engine_file` in `cache`, keep its bytes in `result` where
    `keep`, and delete the file."""
    try:
        note = cache.put_file(result.key, engine_file, {"name": result.name, "precision": result.precision,
                                                        "builder": result.builder, "build_s": result.build_s,
                                                        "layers": layer_list_log(result.log)})
        if note:
            result.messages.append(note)
        result.engine = engine_file.read_bytes() if keep else None
    except OSError as exc:
        result.built, result.engine = False, None
        result.error = f"the built engine could not be read back ({exc})"
    finally:
        engine_file.unlink(missing_ok=True)


def layer_list_log(log: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The log lines that hold the engine's layer list (what `trtlab.fusion.parse_layer_list`
    reads): small enough to keep in a cache sidecar, so a cache hit still has them."""
    return [(sev, msg) for sev, msg in log
            if "LayerType: " in msg or "Engine Layer Information" in msg or msg.startswith("Layer(")]


def _transformed(job: BuildJob):
    import onnx

    from ..precision.apply import apply_precision

    model = job.model
    if isinstance(model, (bytes, bytearray)):
        model = onnx.load_from_string(bytes(model))
    t = job.transform
    out = apply_precision(model, t.to, policy=t.policy, calibration=t.calibration, runnable_in_ort=False)
    from ..weight_store import stores_in

    stores = stores_in(model)
    if len(stores) == 1:  # weights the transform made (BatchNorm folded in) go to the check's store too,
        out = next(iter(stores)).keep(out)  # not held here while the worker builds
    return out


def _items(plan_or_models) -> Iterable[tuple[str, Any]]:
    from ..plan import Plan

    if isinstance(plan_or_models, Plan):
        from ..cut import cut_subgraph

        plan = plan_or_models
        return [(sg.name, cut_subgraph(plan, sg.id)) for sg in plan.subgraphs]
    items = list(plan_or_models)
    for item in items:
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)):
            raise TrtlabError("build_engines takes a Plan or a list of (name, model) pairs.",
                              hint=f"Got an item of type {type(item).__name__}.")
    names = [n for n, _ in items]
    if len(set(names)) != len(names):
        raise TrtlabError("Engine names must be unique.", hint=f"Got: {', '.join(names)}.")
    return items


def _materialized(calibration):
    """Calibration samples as lists, so that one iterator serves every model and its digest."""
    if isinstance(calibration, Mapping):
        return {name: _materialized(source) for name, source in calibration.items()}
    if calibration is None or isinstance(calibration, (str, os.PathLike)):
        return calibration
    return list(calibration)


def _calibration_for(calibration, name: str):
    if isinstance(calibration, Mapping):
        return calibration.get(name)
    return calibration


def _as_cache(cache) -> EngineCache | None:
    if cache is None or cache is False:
        return None
    if cache is True:
        return EngineCache()
    if isinstance(cache, EngineCache):
        return cache
    if isinstance(cache, (str, os.PathLike)):
        return EngineCache(Path(cache))
    raise TrtlabError(f"cache must be an EngineCache, a directory, True or None; got {type(cache).__name__}.")


def _layer_lines(stored) -> list[tuple[str, str]]:
    """The layer list kept in a sidecar; anything else there (a hand-edited file) is ignored."""
    if not isinstance(stored, list):
        return []
    return [(line[0], line[1]) for line in stored
            if isinstance(line, list) and len(line) == 2 and all(isinstance(p, str) for p in line)]


def _read_timing_cache(path, result: BuildResult, follow_symlinks: bool) -> bytes | None:
    """The timing cache's bytes; a symlink is followed only where the user named the file."""
    path = Path(path)
    try:
        return read_regular_file(path, follow_symlinks=follow_symlinks)
    except FileNotFoundError:
        return None
    except OSError as exc:
        result.messages.append(f"timing cache '{path}' unreadable ({exc.strerror or exc}); starting empty")
        return None


def _save_timing_cache(path, data: bytes, result: BuildResult, cache) -> None:
    if cache is not None:
        cache.save_timing_cache(Path(path), data)
        return
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        result.messages.append(f"timing cache not saved to '{path}': {exc.strerror}")
