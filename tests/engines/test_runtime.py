from __future__ import annotations

import numpy as np
import pytest

import trtlab

import trtlab.installed_tensorrt as trtapi_module
from trtlab.engines import EngineRuntime, build_engine, build_engines, can_run_engines
from trtlab.installed_tensorrt import require_tensorrt
from trtlab.engines.runtime import _reason
from trtlab.errors import MissingDependency

from tests.models import tiny_cnn
from ..timing.gpu import NEEDS_CUDA_PYTHON, NEEDS_GPU


def test_missing_tensorrt_names_the_extra(monkeypatch):
    monkeypatch.setattr(trtapi_module, "find_tensorrt", lambda: None)
    with pytest.raises(MissingDependency) as info:
        require_tensorrt()
    assert info.value.extra == "rtx"
    assert "pip install 'trtlab[rtx]'" in str(info.value) and "trtlab[tensorrt]" in str(info.value)
    with pytest.raises(MissingDependency):
        build_engines([("m", tiny_cnn())])
    ok, why = can_run_engines.__wrapped__()
    assert not ok and why.startswith("no TensorRT installed")


def test_runtime_reasons_are_plain_words():
    msg = ("IRuntime::deserializeCudaEngine: Error Code 1: Cuda Runtime (In ScopedCudaStream at "
           "/src/cudaResources.cpp:25 (cudaError 35: CUDA driver version is insufficient for CUDA runtime version))")
    assert _reason([("ERROR", msg)]) == "CUDA driver version is insufficient for CUDA runtime version"
    assert _reason([]) == "TensorRT could not deserialize the engine"


def test_engine_cannot_run_without_a_usable_gpu_and_says_why():
    pytest.importorskip("tensorrt_rtx", reason="needs TensorRT-RTX (pip install 'trtlab[rtx]')")
    ok, why = can_run_engines()
    if ok:
        pytest.skip("this machine can run engines")
    assert why  # a plain reason, e.g. "no NVIDIA GPU visible (...)"
    result = build_engine(tiny_cnn().SerializeToString(), name="cnn")
    assert result.built
    with pytest.raises(Exception) as info:
        EngineRuntime(result.engine)
    assert "engine built but cannot run here: " in str(info.value)
    reason = str(info.value).split("cannot run here: ", 1)[1]
    assert reason and "Error Code" not in reason


def test_a_bad_tensorrt_choice_is_not_reported_as_no_tensorrt(monkeypatch):
    monkeypatch.setenv("TRTLAB_TENSORRT", "tensorrt-llm")
    trtapi_module.forget()
    try:
        ok, why = can_run_engines.__wrapped__()
    finally:
        trtapi_module.forget()
    assert not ok and "TRTLAB_TENSORRT='tensorrt-llm'" in why and not why.startswith("no TensorRT installed")


class CopyContext:
    """Stands in for a TensorRT IExecutionContext, which no GPU here can run: the four calls
    EngineRuntime makes, with execute_async_v3 copying input "x" to output "y" on the given
    stream. Everything around those calls (buffers, addresses, copies, events, graphs) is real."""

    def __init__(self, rt):
        self.rt, self.shapes, self.addresses = rt, {}, {}

    def set_input_shape(self, name, shape):
        self.shapes[name] = tuple(shape)
        return True

    def get_tensor_shape(self, name):
        return self.shapes["x"]

    def set_tensor_address(self, name, address):
        self.addresses[name] = address
        return True

    def execute_async_v3(self, stream_handle):
        n = int(np.prod(self.shapes["x"])) * 4
        err, = self.rt.cudaMemcpyAsync(self.addresses["y"], self.addresses["x"], n,
                                       self.rt.cudaMemcpyKind.cudaMemcpyDeviceToDevice, stream_handle)
        return int(err) == 0


@pytest.mark.gpu
@NEEDS_GPU
@NEEDS_CUDA_PYTHON  # CopyContext copies through cuda-python
@pytest.mark.parametrize("backend", ["torch", "cuda-python"])
def test_engine_binding_runs_and_times_on_a_gpu(backend):
    from trtlab.engines.runtime import bind_context
    from trtlab.timing import open_cuda, time_steps
    from trtlab.timing.cuda import _cudart

    cuda = open_cuda("test", prefer=backend)
    x = np.random.default_rng(0).standard_normal((64, 3, 64, 64)).astype(np.float32)
    steps = bind_context(CopyContext(_cudart()), ["x"], ["y"], {"x": np.dtype("float32"), "y": np.dtype("float32")},
                         {"x": x.astype(np.float64)}, cuda=cuda)  # cast to the engine's input type
    steps.once()
    np.testing.assert_array_equal(steps.results()["y"], x)
    r = time_steps(steps, backend="TensorRT engine 0", precision="fp32", batch=64, graph=True,
                   warmup_ms=20, iterations=20, seconds=0.05)
    assert r.backend == "TensorRT engine 0 + CUDA graph" and r.h2d_ms > 0 and r.d2h_ms > 0
    assert abs(r.h2d_ms + r.compute_ms + r.d2h_ms - r.mean_ms) <= 0.05 * r.mean_ms
    np.testing.assert_array_equal(steps.results()["y"], x)  # the replayed graph moved the data too
    with pytest.raises(trtlab.TrtlabError, match="No value for engine input 'x'"):
        bind_context(CopyContext(_cudart()), ["x"], ["y"], {}, {}, cuda=cuda)


def test_an_engine_of_several_profiles_runs_in_the_first_whose_range_holds_the_inputs():
    """The test an EngineRuntime makes of each profile (shapes, or a shape tensor's values)
    before set_optimization_profile_async; the engine itself runs only on a supported GPU."""
    from trtlab.engines.runtime import _within

    bounds = ([1, 3, 8], [2, 3, 16], [4, 3, 32])
    assert _within(bounds, (1, 3, 8)) and _within(bounds, (4, 3, 32)) and _within(bounds, np.array([2, 3, 9]))
    assert not _within(bounds, (8, 3, 16)) and not _within(bounds, (2, 3)) and not _within(bounds, (2, 4, 16))
