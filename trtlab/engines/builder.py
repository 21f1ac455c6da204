"""One engine build with the TensorRT API: parse, configure, build, serialize.

This is the part that runs inside the build worker (see `worker`), so it imports only TensorRT's
description and the result types. Every builder message is kept, at VERBOSE and with
ProfilingVerbosity.DETAILED, so the layer list (the kernels and their precisions) can be read
from the log afterwards; progress goes out through `emit(BuildEvent)`. Stopping a build is the
caller's business: it ends the worker process.
"""

from __future__ import annotations

import time
from typing import Callable

from ..installed_tensorrt import TensorRT, capturing_logger
from ..precision_registry import get as get_precision
from .result import BuildEvent


def build_serialized(flavour: TensorRT, onnx_bytes: bytes, *, name: str, precision: str, path: str | None = None,
                     workspace: int | None = None, timing_cache: bytes | None = None,
                     emit: Callable[[BuildEvent], object] | None = None) -> dict:
    """Build one engine; never raises for a failure of the model or the builder.

    Returns {"built", "engine" (bytes or None), "error", "build_s", "log" [(severity, message)],
    "notes" [str], "timing_cache" (bytes or None: full TensorRT's cache after the build)}.
    """
    trt = flavour.module
    logger = capturing_logger(flavour, "VERBOSE")
    out = {"built": False, "engine": None, "error": None, "build_s": 0.0, "log": logger.messages,
           "notes": [], "timing_cache": None}
    try:
        builder = trt.Builder(logger)
        network = flavour.create_network(builder)
        parser = trt.OnnxParser(network, logger)
        # `path`: where the model file lies, from which its external weights are found.
        if not (parser.parse(onnx_bytes, path) if path else parser.parse(onnx_bytes)):
            errors = [parser_error(parser.get_error(i)) for i in range(parser.num_errors)]
            out["error"] = "ONNX parser: " + ("; ".join(errors) or "the model could not be parsed")
            return out
        config = builder.create_builder_config()
        config.profiling_verbosity = trt.ProfilingVerbosity.DETAILED
        if workspace:
            config.set_memory_pool_limit(trt.MemoryPoolType.WORKSPACE, int(workspace))
        if flavour.weakly_typed_flags:
            for flag in get_precision(precision).weak_flags:
                config.set_flag(getattr(trt.BuilderFlag, flag))
        monitor = _monitor_class(trt)(name, emit)
        config.progress_monitor = monitor
        timing = _set_timing_cache(config, timing_cache, out) if flavour.timing_cache else None
        start = time.perf_counter()
        serialized = builder.build_serialized_network(network, config)
        out["build_s"] = time.perf_counter() - start
        if monitor.failure is not None:
            out["error"] = f"progress could not be reported: {monitor.failure!r}"
        elif serialized is None:
            errors = [m for sev, m in logger.messages if sev in ("ERROR", "INTERNAL_ERROR")]
            out["error"] = ("TensorRT built no engine (out of memory, or a layer it could not "
                            "implement)" + (f": {errors[-1]}" if errors else "."))
        else:
            out["engine"] = bytes(serialized)
            out["built"] = True
            if timing is not None:
                out["timing_cache"] = bytes(config.get_timing_cache().serialize())
    except MemoryError:
        out["error"] = "out of memory while building the engine"
    except Exception as exc:  # a builder failure belongs to this engine, not to the caller
        out["error"] = f"{type(exc).__name__}: {exc}"
    return out


def parser_error(err) -> str:
    """One ONNX parser error as "node (op): what went wrong"."""
    where = err.node_name() or (f"node {err.node()}" if err.node() >= 0 else "")
    op = err.node_operator()
    prefix = f"{where} ({op}): " if where and op else (f"{where}: " if where else "")
    return prefix + err.desc()


def _set_timing_cache(config, data: bytes | None, out: dict):
    timing = config.create_timing_cache(data or b"")
    if not config.set_timing_cache(timing, False) and data:
        # A cache from another TensorRT or GPU: start a fresh one rather than fail the build.
        out["notes"].append("the timing cache does not match this builder; starting empty")
        timing = config.create_timing_cache(b"")
        config.set_timing_cache(timing, False)
    return timing


_MONITORS: dict = {}


def _monitor_class(trt):
    """An IProgressMonitor subclass for this TensorRT module, turning callbacks into BuildEvents."""
    if trt in _MONITORS:
        return _MONITORS[trt]

    class Monitor(trt.IProgressMonitor):
        def __init__(self, engine, emit):
            trt.IProgressMonitor.__init__(self)
            self.engine, self.emit = engine, emit
            self.totals: dict[str, int] = {}
            self.parents: dict[str, str | None] = {}
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
            # Exceptions must not cross back into TensorRT: keep the first and stop the build.
            if self.failure is not None or self.emit is None:
                return self.failure is None
            try:
                self.emit(BuildEvent(self.engine, kind, phase, step, self.totals.get(phase, 0),
                                     self.parents.get(phase)))
            except Exception as exc:
                self.failure = exc
            return self.failure is None

    _MONITORS[trt] = Monitor
    return Monitor
