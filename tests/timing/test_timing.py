import json
import time

import numpy as np
import pytest

import trtlab
from trtlab.timing import (TimingResult, cpu_name, harness_overhead_ms, time_calls, time_hybrid,
                           time_mxnet, time_onnxruntime, time_torch, to_dataframe)
from trtlab.hybrid import HybridRunner

from tests.models import chain_model, dense_block


def test_time_calls_warms_up_by_time_then_needs_iterations_and_seconds():
    calls = []
    samples, warm = time_calls(lambda: calls.append(time.perf_counter()), warmup_ms=30, iterations=7, seconds=0.0)
    assert warm >= 30 and len(samples) == 7
    assert len(calls) > 7  # warm-up calls came first
    slow, _ = time_calls(lambda: time.sleep(0.002), warmup_ms=0, iterations=3, seconds=0.05)
    assert len(slow) >= 3 and sum(slow) >= 45  # ran on until the time was spent
    assert all(s >= 1.9 for s in slow)


def test_time_calls_rejects_bad_settings_and_stops_on_cancel():
    with pytest.raises(trtlab.TrtlabError):
        time_calls(lambda: None, iterations=0)
    samples, _ = time_calls(lambda: None, warmup_ms=0, iterations=1, seconds=60, cancel=lambda: True)
    assert len(samples) == 1


def test_timing_result_statistics_match_numpy():
    s = [1.0, 2.0, 3.0, 4.0, 10.0]
    r = TimingResult.from_samples(s, backend="b", precision="fp16", device="CPU: x", batch=8)
    assert r.mean_ms == pytest.approx(4.0)
    assert r.p50_ms == pytest.approx(3.0)
    assert r.p90_ms == pytest.approx(np.percentile(s, 90))
    assert r.p99_ms == pytest.approx(np.percentile(s, 99))
    assert (r.min_ms, r.max_ms) == (1.0, 10.0)
    assert r.throughput == pytest.approx(8 * 1000 / 4.0)
    assert r.cv == pytest.approx(np.std(s) / 4.0)
    assert r.unstable and "unstable" in r.warning
    d = json.loads(r.to_json())
    assert d["backend"] == "b" and d["precision"] == "fp16" and d["device"] == "CPU: x" and d["batch"] == 8
    assert d["samples_ms"] == s and d["unstable"] is True
    steady = TimingResult.from_samples([5.0, 5.01, 4.99], backend="b", precision="fp32", device="d", batch=1)
    assert not steady.unstable and steady.warning == ""


def test_onnxruntime_and_hybrid_timings_record_where_they_ran():
    m = chain_model()
    r = time_onnxruntime(m, warmup_ms=5, iterations=5, seconds=0.01)
    assert r.backend == "ONNX Runtime CPU" and r.precision == "fp32" and r.batch == 2
    assert r.device == cpu_name() and r.device.startswith("CPU: ")
    assert r.iterations >= 5 and r.mean_ms > 0
    runner = HybridRunner(trtlab.partition(m, exclude_nodes=["relu3"]), provider="cpu")
    h = time_hybrid(runner, warmup_ms=5, iterations=5, seconds=0.01)
    assert "stand-ins" in h.backend and "3 segments" in h.note


def test_harness_overhead_is_small():
    assert 0 <= harness_overhead_ms() < 0.05


def test_dataframe_needs_pandas():
    r = TimingResult.from_samples([1.0, 2.0], backend="b", precision="fp32", device="d", batch=1)
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(trtlab.MissingDependency, match="pandas"):
            to_dataframe([r])
    else:
        df = to_dataframe([r])
        assert list(df["backend"]) == ["b"] and "samples_ms" not in df


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
