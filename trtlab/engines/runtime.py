"""Running a built engine, and saying plainly whether engines can run on this machine.

The TensorRT calls follow the documented runtime API and are all in this file: deserialize_cuda_engine,
create_execution_context, then per run set_optimization_profile_async (an engine of several
profiles runs in the first whose range holds the inputs' shapes), set_input_shape,
get_tensor_shape, set_tensor_address (a shape tensor's values in host memory, as TensorRT reads
them) and execute_async_v3 on a CUDA stream. Memory, copies, the stream and the clocks come from
`trtlab.timing.cuda` (torch, else cuda-python), the code the GPU baselines run through too.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Mapping

import numpy as np

from ..errors import MissingDependency, TrtlabError
from ..installed_tensorrt import TensorRT, capturing_logger, require_tensorrt
from .target import visible_gpu


class EngineRuntime:
    """A deserialized engine ready to run: `outputs = EngineRuntime(engine_bytes).run({"x": array})`."""

    def __init__(self, engine_bytes: bytes, *, tensorrt: TensorRT | None = None):
        self.tensorrt = tensorrt or require_tensorrt("Running a TensorRT engine")
        trt = self.tensorrt.module
        self._logger = capturing_logger(self.tensorrt, "ERROR")
        self._runtime = trt.Runtime(self._logger)
        try:
            engine = self._runtime.deserialize_cuda_engine(bytes(engine_bytes))
        except Exception as exc:
            engine, self._logger.messages[:0] = None, [("ERROR", str(exc))]
        if engine is None:
            raise TrtlabError(f"engine built but cannot run here: {_reason(self._logger.messages)}",
                              hint="Engines run on an NVIDIA GPU that this TensorRT supports.")
        self.engine = engine
        self.context = engine.create_execution_context()
        names = [engine.get_tensor_name(i) for i in range(engine.num_io_tensors)]
        self.inputs = [n for n in names if engine.get_tensor_mode(n) == trt.TensorIOMode.INPUT]
        self.outputs = [n for n in names if n not in self.inputs]
        self.dtypes = {n: np.dtype(trt.nptype(engine.get_tensor_dtype(n))) for n in names}
        # Shape tensors: TensorRT reads their values on the host while it works out the shapes.
        self.on_host = [n for n in self.inputs if engine.is_shape_inference_io(n)]
        self.profile = 0  # the optimisation profile the context runs in

    def bind(self, feed: Mapping[str, np.ndarray], cuda=None):
        """The engine's three GPU steps (`trtlab.timing.gpu.GpuSteps`) for these input values."""
        from ..timing.cuda import open_cuda

        cuda = cuda or open_cuda("Running a TensorRT engine")
        wanted = self.profile_for(feed)
        if wanted != self.profile:
            if not self.context.set_optimization_profile_async(wanted, cuda.stream_handle):
                raise TrtlabError(f"TensorRT could not switch the engine to profile {wanted}: "
                                  f"{_reason(self._logger.messages)}")
            self.profile = wanted
        return bind_context(self.context, self.inputs, self.outputs, self.dtypes, feed, cuda=cuda,
                            why=lambda: _reason(self._logger.messages), on_host=self.on_host)

    def profile_for(self, feed: Mapping[str, np.ndarray]) -> int:
        """The first optimisation profile whose range holds every input's shape (and every shape
        tensor's values); the current one where none does (set_input_shape then says why)."""
        engine = self.engine
        for index in range(engine.num_optimization_profiles):
            if all(_within(engine.get_tensor_profile_values(index, n) if n in self.on_host
                           else engine.get_tensor_profile_shape(n, index),
                           np.asarray(feed[n]).ravel() if n in self.on_host else np.shape(feed[n]))
                   for n in self.inputs if n in feed):
                return index
        return self.profile

    def run(self, feed: Mapping[str, np.ndarray], cuda=None) -> dict[str, np.ndarray]:
        steps = self.bind(feed, cuda=cuda)
        steps.once()
        return steps.results()


def bind_context(context: Any, inputs: list[str], outputs: list[str], dtypes: Mapping[str, np.dtype],
                 feed: Mapping[str, np.ndarray], *, cuda=None, why=lambda: "", on_host=()) -> Any:
    """Buffers for one run of a TensorRT execution context, and the steps that use them: input
    shapes set, one device buffer per I/O tensor bound with set_tensor_address, pinned host
    buffers for the copies, execute_async_v3 on the backend's stream. The inputs `on_host`
    (shape tensors) are bound at their values in host memory instead, and not copied."""
    from ..timing.cuda import open_cuda
    from ..timing.gpu import GpuSteps

    missing = [n for n in inputs if n not in feed]
    if missing:
        raise TrtlabError(f"No value for engine input '{missing[0]}'.", hint=f"The engine takes: {', '.join(inputs)}.")
    cuda = cuda or open_cuda("Running a TensorRT engine")
    host, device = {}, {}
    shape_values = {n: np.ascontiguousarray(feed[n], dtype=dtypes[n]) for n in inputs if n in on_host}
    for name, value in shape_values.items():
        if not context.set_input_shape(name, tuple(value.shape)):
            raise TrtlabError(f"The engine does not take shape input '{name}' of shape {list(value.shape)}.")
        context.set_tensor_address(name, value.ctypes.data)
    inputs = [n for n in inputs if n not in shape_values]
    for name in inputs:
        value = np.ascontiguousarray(feed[name], dtype=dtypes[name])
        host[name] = cuda.host_buffer(value.shape, value.dtype)
        cuda.fill(host[name], value)
        device[name] = cuda.device_buffer(value.shape, value.dtype)
        if not context.set_input_shape(name, tuple(value.shape)):
            raise TrtlabError(f"The engine does not take input '{name}' of shape {list(value.shape)}.")
    for name in outputs:
        shape = tuple(int(d) for d in context.get_tensor_shape(name))
        host[name] = cuda.host_buffer(shape, dtypes[name])
        device[name] = cuda.device_buffer(shape, dtypes[name])
    for name, buf in device.items():
        context.set_tensor_address(name, cuda.address(buf))

    def copy_in():
        for name in inputs:
            cuda.copy_in(device[name], host[name])

    def run():
        if not context.execute_async_v3(cuda.stream_handle):
            raise TrtlabError(f"TensorRT failed to run the engine: {why() or 'execute_async_v3 returned False'}")

    def copy_out():
        for name in outputs:
            cuda.copy_out(host[name], device[name])

    steps = GpuSteps(cuda, copy_in, run, copy_out, outputs={n: host[n] for n in outputs})
    steps.shape_values = shape_values  # held while the steps live: TensorRT reads them at every run
    return steps


def _within(bounds, got) -> bool:
    """Whether `got` (a shape, or a shape tensor's values) lies within a profile's (min, opt, max)."""
    lo, _, hi = (tuple(int(d) for d in b) for b in bounds)
    got = tuple(int(d) for d in got)
    return len(got) == len(lo) and all(a <= g <= b for a, g, b in zip(lo, got, hi))


def _reason(messages) -> str:
    """The runtime's own words, without source locations and error codes."""
    errors = [m for sev, m in messages if sev in ("ERROR", "INTERNAL_ERROR")]
    if not errors:
        return "TensorRT could not deserialize the engine"
    text = errors[0]
    cuda = re.search(r"cudaError \d+: ([^)]+)", text)
    if cuda:
        return cuda.group(1).strip()
    return re.sub(r"^.*?Error Code \d+: [^:(]*[:(]\s*", "", text).strip(" )") or text


@lru_cache(maxsize=1)
def can_run_engines() -> tuple[bool, str]:
    """(True, "") where an engine can run here, else (False, why not in plain words).

    Whether this TensorRT supports the GPU is asked of TensorRT itself: a tiny engine is built and
    deserialized, and the runtime's refusal is the reason given.
    """
    try:
        tensorrt = require_tensorrt("Running TensorRT engines")
    except MissingDependency:
        return False, ("no TensorRT installed: pip install 'trtlab[rtx]' or pip install 'trtlab[tensorrt]'")
    except TrtlabError as exc:  # e.g. TRTLAB_TENSORRT names no TensorRT package
        return False, str(exc)
    gpu = visible_gpu()
    if gpu is None:
        return False, f"no NVIDIA GPU visible ({tensorrt.label} can build engines here but not run them)"
    from .build import build_engine

    result = build_engine(_probe_model(), name="probe", tensorrt=tensorrt)
    if not result.built:
        return False, f"{tensorrt.label} could not build a test engine: {result.error}"
    try:
        EngineRuntime(result.engine, tensorrt=tensorrt)
    except TrtlabError as exc:
        return False, f"{gpu}: {exc}"
    return True, ""


def _probe_model() -> bytes:
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])
    graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"], name="relu")], "probe", [x], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model.SerializeToString()
