from __future__ import annotations

import pytest

import trtlab.installed_tensorrt as trtapi_module
from trtlab.engines import EngineRuntime, build_engine, build_engines, can_run_engines
from trtlab.installed_tensorrt import require_tensorrt
from trtlab.engines.runtime import _reason
from trtlab.errors import MissingDependency

from ..precision.models import tiny_cnn


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
