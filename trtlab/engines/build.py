"""`build_engine`: one ONNX model to one serialized engine, through the ONNX parser.

Parser and builder messages are captured per engine; progress reaches the caller as plain
`BuildEvent`s; a failed parse, a cancelled build or a builder that returns nothing give a
`BuildResult` with built=False and the reason, never an exception, so the caller can fall back.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable

from .._io import atomic_write_bytes
from ..precisions import check_precision
from .cache import EngineCache
from ..installed_tensorrt import TensorRT, capturing_logger, require_tensorrt
from .result import BuildEvent, BuildResult

Progress = Callable[[BuildEvent], object]
Cancel = threading.Event | Callable[[], bool] | None

_WEAK_FLAGS = {"fp16": ("FP16",), "bf16": ("BF16",), "int8": ("INT8", "FP16")}


def is_cancelled(cancel: Cancel) -> bool:
    """Whether `cancel` (None, an Event-like object with is_set(), or a callable) says stop."""
    if cancel is None:
        return False
    is_set = getattr(cancel, "is_set", None)  # threading, multiprocessing and asyncio events
    return bool(is_set() if is_set is not None else cancel())


def build_settings(flavour: TensorRT, precision: str, workspace: int | None) -> dict:
    """Everything besides the ONNX bytes that changes what the builder makes."""
    weak = flavour.weakly_typed_flags
    return {
        "precision": precision,
        "workspace": workspace,
        "network": "weakly-typed" if weak else "strongly-typed",
        "builder_flags": list(_WEAK_FLAGS.get(precision, ())) if weak else [],
    }


def build_engine(onnx_bytes: bytes, *, precision: str = "fp32", name: str = "engine",
                 progress: Progress | None = None, cancel: Cancel = None,
                 timing_cache: str | Path | None = None, workspace: int | None = None,
                 cache: EngineCache | None = None, flavour: TensorRT | None = None) -> BuildResult:
    """Build one engine from ONNX bytes that are already in `precision`.

    With a strongly typed builder (TensorRT 11, TensorRT-RTX) the types in the model decide the
    precision (see `trtlab.precision`); with TensorRT 10, `precision` also sets the matching
    builder flag. `progress(event)` returning False, or `cancel` (an Event or a callable) becoming
    true, cancels the build: built=False, error="cancelled". `timing_cache` is a file loaded into
    the builder and saved after the build (full TensorRT only; TensorRT-RTX has none).
    """
    check_precision(precision)
    flavour = flavour or require_tensorrt()
    if cache is None:
        result = BuildResult(name=name, precision=precision, built=False, builder=flavour.label)
    else:
        key = cache.key(onnx_bytes, build_settings(flavour, precision, workspace), flavour)
        result = from_cache(cache, key, name, precision, flavour)
        if result.built:
            return result
    return build_into(result, onnx_bytes, progress=progress, cancel=cancel, timing_cache=timing_cache,
                      workspace=workspace, cache=cache, flavour=flavour)


def from_cache(cache: EngineCache, key: str, name: str, precision: str, flavour: TensorRT, *,
               read: bool = True) -> BuildResult:
    """The engine cached under `key` as a built result (cache_hit=True), or, on a miss, an unbuilt
    result that carries the key and any note about a bad entry thrown away, for `build_into`.

    read=False trusts an entry on its sidecar and its engine file's size, and leaves the engine on
    disk (`engine` is None; `cache.get(key)` reads it and verifies its checksum): for callers that
    will not run the engine.
    """
    result = BuildResult(name=name, precision=precision, built=False, builder=flavour.label, key=key)
    start = time.perf_counter()
    if read:
        engine, note = cache.get(key)
        size = len(engine) if engine is not None else None
    else:
        meta, note = cache.lookup(key)
        engine, size = None, (meta["bytes"] if meta is not None else None)
    if note:
        result.messages.append(note)
    if size is not None:
        result.built, result.cache_hit, result.engine, result.bytes = True, True, engine, size
        result.build_s = time.perf_counter() - start
    return result


def build_into(result: BuildResult, onnx_bytes: bytes, *, progress: Progress | None = None,
               cancel: Cancel = None, timing_cache: str | Path | None = None, workspace: int | None = None,
               cache: EngineCache | None = None, flavour: TensorRT) -> BuildResult:
    """Build `result`'s engine from `onnx_bytes` and, with a cache, store it under `result.key`."""
    if cache is not None and timing_cache is None and flavour.timing_cache:
        timing_cache = cache.timing_cache_path(flavour)
    if is_cancelled(cancel):
        result.error = "cancelled"
        return result
    _build(result, onnx_bytes, flavour, progress, cancel, timing_cache, workspace, cache)
    if result.built and cache is not None:
        note = cache.put(result.key, result.engine, {"name": result.name, "precision": result.precision,
                                                     "builder": result.builder, "build_s": result.build_s})
        if note:
            result.messages.append(note)
    return result


def _build(result: BuildResult, onnx_bytes: bytes, flavour: TensorRT, progress, cancel,
           timing_cache, workspace, cache) -> None:
    trt = flavour.module
    logger = capturing_logger(flavour, "INFO")
    try:
        builder = trt.Builder(logger)
        network = flavour.create_network(builder)
        parser = trt.OnnxParser(network, logger)
        if not parser.parse(onnx_bytes):
            errors = [parser_error(parser.get_error(i)) for i in range(parser.num_errors)]
            result.error = "ONNX parser: " + ("; ".join(errors) or "the model could not be parsed")
            return
        config = builder.create_builder_config()
        if workspace:
            config.set_memory_pool_limit(trt.MemoryPoolType.WORKSPACE, int(workspace))
        if flavour.weakly_typed_flags:
            for flag in _WEAK_FLAGS.get(result.precision, ()):
                config.set_flag(getattr(trt.BuilderFlag, flag))
        monitor = _monitor_class(trt)(result.name, progress, cancel)
        config.progress_monitor = monitor
        timing = _load_timing_cache(config, timing_cache, result) if flavour.timing_cache else None
        start = time.perf_counter()
        serialized = builder.build_serialized_network(network, config)
        result.build_s = time.perf_counter() - start
        if monitor.failure is not None:
            result.error = f"the progress callback failed: {monitor.failure!r}"
        elif monitor.cancelled:
            result.error = "cancelled"
        elif serialized is None:
            errors = [m for sev, m in logger.messages if sev in ("ERROR", "INTERNAL_ERROR")]
            result.error = ("TensorRT built no engine (out of memory, or a layer it could not "
                            "implement)" + (f": {errors[-1]}" if errors else "."))
        else:
            result.engine = bytes(serialized)
            result.bytes = len(result.engine)
            result.built = True
            if timing is not None:
                _save_timing_cache(config, timing_cache, result, cache)
    except MemoryError:
        result.error = "out of memory while building the engine"
    except Exception as exc:  # a builder failure belongs to this engine, not to the caller
        result.error = f"{type(exc).__name__}: {exc}"
    finally:
        result.messages.extend(f"{sev}: {msg}" for sev, msg in logger.messages)


def parser_error(err) -> str:
    """One ONNX parser error as "node (op): what went wrong"."""
    where = err.node_name() or (f"node {err.node()}" if err.node() >= 0 else "")
    op = err.node_operator()
    prefix = f"{where} ({op}): " if where and op else (f"{where}: " if where else "")
    return prefix + err.desc()


def _load_timing_cache(config, path, result: BuildResult):
    if path is None:
        return None
    path = Path(path)
    data = b""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        pass
    except OSError as exc:
        result.messages.append(f"timing cache '{path}' unreadable ({exc.strerror}); starting empty")
    timing = config.create_timing_cache(data)
    if not config.set_timing_cache(timing, False) and data:
        # A cache from another TensorRT or GPU: start a fresh one rather than fail the build.
        result.messages.append(f"timing cache '{path}' does not match this builder; starting empty")
        timing = config.create_timing_cache(b"")
        config.set_timing_cache(timing, False)
    return timing


def _save_timing_cache(config, path, result: BuildResult, cache) -> None:
    data = bytes(config.get_timing_cache().serialize())
    if cache is not None:
        cache.save_timing_cache(Path(path), data)
        return
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        result.messages.append(f"timing cache not saved to '{path}': {exc.strerror}")


_MONITORS: dict = {}


def _monitor_class(trt):
    """An IProgressMonitor subclass for this TensorRT module, turning callbacks into BuildEvents."""
    if trt in _MONITORS:
        return _MONITORS[trt]

    class Monitor(trt.IProgressMonitor):
        def __init__(self, engine, progress, cancel):
            trt.IProgressMonitor.__init__(self)
            self.engine, self.progress, self.cancel = engine, progress, cancel
            self.totals: dict[str, int] = {}
            self.parents: dict[str, str | None] = {}
            self.cancelled = False
            self.failure: BaseException | None = None

        def phase_start(self, phase_name, parent_phase, num_steps):
            self.totals[phase_name] = num_steps
            self.parents[phase_name] = parent_phase
            self._emit("phase_start", phase_name, 0)

        def step_complete(self, phase_name, step):
            # TensorRT counts steps from 0; the event says how many are done.
            return self._emit("step_complete", phase_name, step + 1)

        def phase_finish(self, phase_name):
            self._emit("phase_finish", phase_name, self.totals.get(phase_name, 0))

        def _emit(self, kind, phase, step) -> bool:
            # Exceptions must not cross back into TensorRT: keep them and stop the build.
            try:
                event = BuildEvent(self.engine, kind, phase, step, self.totals.get(phase, 0),
                                   self.parents.get(phase))
                if self.progress is not None and self.progress(event) is False:
                    self.cancelled = True
                if is_cancelled(self.cancel):
                    self.cancelled = True
            except Exception as exc:
                self.failure = exc
                self.cancelled = True
            return not self.cancelled

    _MONITORS[trt] = Monitor
    return Monitor
