"""One engine build with the TensorRT API: parse, configure (profiles included), build, serialize.

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
from .job import BuildJob, BuildOutcome
from .mapped_weights import MappedWeights
from .result import BuildEvent

# Words in TensorRT's own error messages, and the kind of refusal they mean (first match wins).
_REFUSALS = (
    ("shape tensor", ("shape tensor", "shape input", "optimization profile", "setshapevalues",
                      "isshapetensor", "dynamic or shape inputs", "shape values")),
    ("memory", ("out of memory", "outofmemory", "insufficient memory", "cudaerrormemoryallocation",
                "allocation failed", "memory pool")),
    ("unsupported layer", ("could not find any implementation", "no implementation", "unsupported",
                           "not supported", "no importer registered")),
)


def build_serialized(tensorrt: TensorRT, job: BuildJob, path: str, *, timing_cache: bytes | None = None,
                     emit: Callable[[BuildEvent], object] | None = None, engine_path: str | None = None,
                     weight_files: MappedWeights | None = None) -> BuildOutcome:
    """Build `job`'s engine from the model file at `path` (the parser reads it itself, and its
    external weights from beside it: no copy of it in Python); never raises for a failure of the
    model or the builder. A refused build gives TensorRT's own last error, and its kind (see
    `refusal`). With `engine_path` the engine is written there (the outcome's `engine` names the
    file) from TensorRT's own buffer, once the network and its weights are freed; else it is the
    bytes. `weight_files`: the model's files, whose pages the parser maps, given back as the
    build goes (see `mapped_weights`)."""
    trt = tensorrt.module
    logger = capturing_logger(tensorrt, "VERBOSE")
    out = BuildOutcome(log=logger.messages)
    try:
        builder = trt.Builder(logger)
        network = tensorrt.create_network(builder)
        parser = trt.OnnxParser(network, logger)
        if not parser.parse_from_file(path):
            errors = [parser_error(parser.get_error(i)) for i in range(parser.num_errors)]
            out.error = "ONNX parser: " + ("; ".join(errors) or "the model could not be parsed")
            out.failure = "parser"
            return out
        config = builder.create_builder_config()
        config.profiling_verbosity = trt.ProfilingVerbosity.DETAILED
        if job.settings.workspace:
            config.set_memory_pool_limit(trt.MemoryPoolType.WORKSPACE, int(job.settings.workspace))
        for flag in job.builder_flags:
            config.set_flag(getattr(trt.BuilderFlag, flag))
        problem = add_profiles(builder, network, config, job)
        if problem:
            out.error, out.failure = problem, "shape tensor" if "shape tensor" in problem else "profile"
            return out
        monitor = _monitor_class(trt)(job.name, emit, weight_files)
        config.progress_monitor = monitor
        timing = _set_timing_cache(config, timing_cache, out) if tensorrt.timing_cache else None
        start = time.perf_counter()
        serialized = builder.build_serialized_network(network, config)
        out.build_s = time.perf_counter() - start
        if weight_files is not None:
            weight_files.give_back()
        del parser, network  # the parser holds the weights: gone before the engine is copied out
        if monitor.failure is not None:
            out.error = f"progress could not be reported: {monitor.failure!r}"
        elif serialized is None:
            out.failure, out.error = refusal(logger.messages)
        else:
            if engine_path is None:
                out.engine = bytes(serialized)
            else:
                with open(engine_path, "wb") as f:
                    f.write(memoryview(serialized))
                out.engine = engine_path
            del serialized
            out.built = True
            if timing is not None:
                out.timing_cache = bytes(config.get_timing_cache().serialize())
    except MemoryError:
        out.error, out.failure = "out of memory while building the engine", "memory"
    except Exception as exc:  # a builder failure belongs to this engine, not to the caller
        out.error = f"{type(exc).__name__}: {exc}"
        out.failure = refusal([("ERROR", str(exc))])[0]
    return out


def add_profiles(builder, network, config, job: BuildJob) -> str | None:
    """Add `job`'s optimisation profiles to `config`; the problem, in words, where the network's
    inputs and the profiles disagree (an input the network lacks, a dynamic input or a shape
    tensor no profile covers). None when all is well."""
    inputs = {}
    for i in range(network.num_inputs):
        tensor = network.get_input(i)
        inputs[tensor.name] = tensor
    for number, p in enumerate(job.profiles):
        unknown = [n for n, _ in p.shapes + p.values if n not in inputs]
        if unknown:
            return (f"profile {number}: {', '.join(unknown)} {'is not an input' if len(unknown) == 1 else 'are not inputs'}"
                    f" of engine {job.name} (its inputs: {', '.join(inputs) or 'none'})")
        profile = builder.create_optimization_profile()
        for name, r in p.shapes:
            profile.set_shape(name, r.min, r.opt, r.max)
        for name, r in p.values:
            profile.set_shape_input(name, r.min, r.opt, r.max)
        config.add_optimization_profile(profile)
    covered = {n for p in job.profiles for n, _ in p.shapes}
    valued = {n for p in job.profiles for n, _ in p.values}
    for name, tensor in inputs.items():
        if tensor.is_shape_tensor and name not in valued:
            return (f"input {name} of engine {job.name} is a shape tensor (its values set a shape) and no "
                    "profile gives its values: give them in the profile, or keep the node that reads it "
                    "outside TensorRT")
        if any(d < 0 for d in tuple(tensor.shape)) and name not in covered:
            return (f"input {name} of engine {job.name} has a dynamic shape {tuple(tensor.shape)} and no "
                    "profile gives its range (--min-shapes/--opt-shapes/--max-shapes)")
    return None


def refusal(log: list[tuple[str, str]]) -> tuple[str, str]:
    """(kind, reason) of a build TensorRT refused, from its own error messages: the kind is
    "shape tensor", "memory", "unsupported layer", or "builder" when its words say none of these."""
    errors = [m for sev, m in log if sev in ("ERROR", "INTERNAL_ERROR")]
    if not errors:
        return "builder", "TensorRT built no engine and gave no error message"
    for kind, words in _REFUSALS:
        for message in reversed(errors):
            if any(w in message.lower() for w in words):
                return kind, f"TensorRT refused the build ({kind}): {message}"
    return "builder", f"TensorRT refused the build: {errors[-1]}"


def parser_error(err) -> str:
    """One ONNX parser error as "node (op): what went wrong"."""
    where = err.node_name() or (f"node {err.node()}" if err.node() >= 0 else "")
    op = err.node_operator()
    prefix = f"{where} ({op}): " if where and op else (f"{where}: " if where else "")
    return prefix + err.desc()


def _set_timing_cache(config, data: bytes | None, out: BuildOutcome):
    timing = config.create_timing_cache(data or b"")
    if not config.set_timing_cache(timing, False) and data:
        # A cache from another TensorRT or GPU: start a fresh one rather than fail the build.
        out.notes.append("the timing cache does not match this builder; starting empty")
        timing = config.create_timing_cache(b"")
        config.set_timing_cache(timing, False)
    return timing


_MONITORS: dict = {}


def _monitor_class(trt):
    """An IProgressMonitor subclass for this TensorRT module, turning callbacks into BuildEvents."""
    if trt in _MONITORS:
        return _MONITORS[trt]

    class Monitor(trt.IProgressMonitor):
        def __init__(self, engine, emit, weight_files=None):
            trt.IProgressMonitor.__init__(self)
            self.engine, self.emit, self.weight_files = engine, emit, weight_files
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
            # What a finished phase read of the weights goes back (read again from the file if
            # a later phase needs it).
            if self.weight_files is not None:
                self.weight_files.give_back(every_s=0.1)
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
