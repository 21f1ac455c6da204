"""Running a built engine, and saying plainly whether engines can run on this machine.

The runner follows the documented TensorRT runtime API: deserialize, create an execution context,
bind one CUDA buffer per I/O tensor with set_tensor_address, execute_async_v3 on a stream. Buffers
are torch CUDA tensors.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Mapping

import numpy as np

from .. import _optional
from ..errors import MissingDependency, TrtlabError
from ..installed_tensorrt import TensorRT, capturing_logger, require_tensorrt
from .target import visible_gpu


class EngineRuntime:
    """A deserialized engine ready to run: `outputs = EngineRuntime(engine_bytes).run({"x": array})`."""

    def __init__(self, engine_bytes: bytes, *, flavour: TensorRT | None = None):
        self.flavour = flavour or require_tensorrt("Running a TensorRT engine")
        trt = self.flavour.module
        self._logger = capturing_logger(self.flavour, "ERROR")
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

    def run(self, feed: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        torch = _optional.torch("Running a TensorRT engine")
        trt = self.flavour.module
        missing = [n for n in self.inputs if n not in feed]
        if missing:
            raise TrtlabError(f"No value for engine input '{missing[0]}'.",
                              hint=f"The engine takes: {', '.join(self.inputs)}.")
        buffers = {}
        for name in self.inputs:
            buffers[name] = torch.from_numpy(np.ascontiguousarray(feed[name])).cuda()
            self.context.set_input_shape(name, tuple(buffers[name].shape))
        for name in self.outputs:
            dtype = np.dtype(trt.nptype(self.engine.get_tensor_dtype(name)))
            shape = tuple(self.context.get_tensor_shape(name))
            buffers[name] = torch.from_numpy(np.empty(shape, dtype)).cuda()
        for name, buf in buffers.items():
            self.context.set_tensor_address(name, buf.data_ptr())
        stream = torch.cuda.Stream()
        if not self.context.execute_async_v3(stream.cuda_stream):
            raise TrtlabError(f"TensorRT failed to run the engine: {_reason(self._logger.messages)}")
        stream.synchronize()
        return {n: buffers[n].cpu().numpy() for n in self.outputs}


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
        flavour = require_tensorrt("Running TensorRT engines")
    except MissingDependency:
        return False, ("no TensorRT installed: pip install 'trtlab[rtx]' or pip install 'trtlab[tensorrt]'")
    except TrtlabError as exc:  # e.g. TRTLAB_TENSORRT names no TensorRT package
        return False, str(exc)
    gpu = visible_gpu()
    if gpu is None:
        return False, f"no NVIDIA GPU visible ({flavour.label} can build engines here but not run them)"
    from .build import build_engine

    result = build_engine(_probe_model(), name="probe", flavour=flavour)
    if not result.built:
        return False, f"{flavour.label} could not build a test engine: {result.error}"
    try:
        EngineRuntime(result.engine, flavour=flavour)
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
