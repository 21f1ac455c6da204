"""The CPU baselines: ONNX Runtime, the hybrid runner, PyTorch eager and MXNet, each saying where it ran."""

from __future__ import annotations

import numpy as np
import pytest

import trtlab
from trtlab.hybrid import HybridRunner
from trtlab.timing import cpu_name, time_hybrid, time_mxnet, time_onnxruntime, time_torch

from tests.models import chain_model, dense_block


def test_onnxruntime_and_hybrid_timings_record_where_they_ran():
    m = chain_model()
    r = time_onnxruntime(m, warmup_ms=5, iterations=5, seconds=0.01)
    assert r.backend == "ONNX Runtime CPU" and r.precision == "fp32" and r.batch == 2
    assert r.device == cpu_name() and r.device.startswith("CPU: ")
    assert r.iterations >= 5 and r.mean_ms > 0
    runner = HybridRunner(trtlab.partition(m, exclude_nodes=["relu3"]), provider="cpu")
    h = time_hybrid(runner, warmup_ms=5, iterations=5, seconds=0.01)
    assert "stand-ins" in h.backend and "3 segments" in h.note



def test_torch_eager_baseline():
    torch = pytest.importorskip("torch", reason="needs torch (pip install 'trtlab[torch]')")
    net = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.ReLU())
    r = time_torch(net, {"x": np.ones((4, 8), np.float32)}, warmup_ms=5, iterations=5, seconds=0.01)
    assert r.backend.startswith("PyTorch") and r.batch == 4 and r.iterations >= 5



def test_mxnet_baselines_executor_and_gluon(tmp_path):
    _, net = dense_block()
    x = np.ones((2, 8), np.float32)
    r = time_mxnet(net, {"data": x}, warmup_ms=5, iterations=5, seconds=0.01)
    assert "Gluon" in r.backend and r.batch == 2
    net.export(str(tmp_path / "net"), epoch=0)
    r = time_mxnet(tmp_path / "net-symbol.json", {"data": x}, warmup_ms=5, iterations=5, seconds=0.01)
    assert "executor" in r.backend and r.iterations >= 5
