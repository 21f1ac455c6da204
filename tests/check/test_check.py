import json
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import trtlab
from trtlab.check import CheckEvent, check

from tests.models import chain_model, conv_model, dense_block, det_model

FAST = {"warmup_ms": 5, "iterations": 3, "seconds": 0.01}


def has_tensorrt() -> bool:
    from trtlab.installed_tensorrt import find_tensorrt

    return find_tensorrt() is not None


needs_trt = pytest.mark.skipif(not has_tensorrt(), reason="needs tensorrt-rtx (pip install 'trtlab[rtx]')")


@needs_trt
def test_check_end_to_end_json_shape(tmp_path):
    events: list[CheckEvent] = []
    r = check(conv_model(), ["fp32", "fp16"], cache_dir=tmp_path, timing_options=FAST, progress=events.append)
    d = json.loads(r.to_json())
    for key in ("model", "coverage", "partition", "engines", "accuracy", "timing", "hybrid", "not_done",
                "warnings"):
        assert key in d
    assert {e["precision"] for e in d["engines"]} == {"fp32", "fp16"}
    for e in d["engines"]:
        assert set(e) >= {"subgraph", "precision", "built", "bytes", "build_s", "cache_hit", "builder"}
        assert e["built"] and e["bytes"] > 0 and not e["cache_hit"]
    assert [(v["precision"], v["status"]) for v in d["verdicts"]] == [("fp32", "pass"), ("fp16", "pass")]
    assert all("stand-ins (not TensorRT)" in v["ran"] for v in d["verdicts"])
    acc = {a["precision"]: a for a in d["accuracy"]}
    assert acc["fp32"]["max_abs"] <= 1e-5 and acc["fp32"]["passed"]
    assert acc["fp16"]["top1_agree"] is not None and 0 < acc["fp16"]["max_abs"] < 1e-1
    assert d["hybrid"]["max_abs_vs_reference"] <= 1e-5
    t = d["timing"][0]
    assert set(t) >= {"backend", "precision", "device", "batch", "mean_ms", "p50_ms", "p90_ms", "p99_ms",
                      "throughput", "cv"}
    engine_events = {(e.engine, e.precision) for e in events if e.stage == "build" and e.engine}
    assert engine_events == {(s.name, p) for s in r.plan.subgraphs for p in ("fp32", "fp16")}
    assert t["batch"] == 2
    stages = [e.stage for e in events]
    assert stages[0] == "load" or stages[0] == "reference"
    assert stages[-1] == "done" and "build" in stages and "timing" in stages
    assert all(0 <= e.fraction <= 1 for e in events)
    # A second check finds every engine in the cache.
    again = check(conv_model(), ["fp32", "fp16"], cache_dir=tmp_path, timing=False)
    assert all(e.cache_hit for e in again.engines)


def test_no_gpu_is_said_plainly(tmp_path):
    from trtlab.engines import can_run_engines

    if not has_tensorrt() or can_run_engines()[0]:
        pytest.skip("needs a TensorRT that cannot run engines here (no GPU)")
    r = check(chain_model(), ["fp32"], cache_dir=tmp_path, timing_options=FAST)
    text = " ".join(r.not_done)
    assert "engines not run or timed" in text and can_run_engines()[1] in text
    assert "TensorRT's speed-up was not measured: it needs a GPU that the installed TensorRT supports" in text
    assert all(e.built for e in r.engines)  # built all the same
    assert r.accuracy and r.accuracy[0].passed  # stand-ins measured accuracy


@needs_trt
def test_parser_error_in_one_subgraph_leaves_the_precision_not_measured(tmp_path):
    m = det_model()
    plan = trtlab.partition(m, include_nodes=["det"], exclude_nodes=["abs"])
    assert [s.nodes for s in plan.subgraphs] == [["relu", "det"], ["neg"]]
    r = check(m, ["fp32"], plan=plan, cache_dir=tmp_path, timing=False)
    by_id = {e.subgraph: e for e in r.engines}
    assert not by_id[0].built and "parser" in by_id[0].error.lower() and "det" in by_id[0].error.lower()
    assert by_id[1].built
    # The other engine still built, but fp32 did not run as TensorRT would: no verdict of pass.
    v = r.verdict("fp32")
    assert v.status == "not measured" and "subgraph 0" in v.reason and "det" in v.reason
    assert r.accuracy == [] and r.exit_status == 1
    assert any(s.startswith("fp32 not measured: ") for s in r.not_done)


@needs_trt
def test_calibration_of_the_wrong_shape_skips_int8_only(tmp_path):
    cal = tmp_path / "cal"
    cal.mkdir()
    np.save(cal / "0.npy", np.zeros((1, 3, 4, 4), np.float32))
    r = check(conv_model(), ["fp32", "int8"], calibration=cal, cache_dir=tmp_path / "cache", timing=False)
    assert r.verdict("int8").status == "not measured" and "expected shape 2x3x8x8" in r.verdict("int8").reason
    assert any(s.startswith("int8 not measured") for s in r.not_done) and r.verdict("fp32").status == "pass"
    assert [a.precision for a in r.accuracy] == ["fp32"]
    assert {e.precision for e in r.engines} == {"fp32"}


@needs_trt
def test_int8_with_good_calibration(tmp_path):
    cal = tmp_path / "cal"
    cal.mkdir()
    rng = np.random.default_rng(1)
    for i in range(4):
        np.save(cal / f"{i}.npy", rng.standard_normal((2, 3, 8, 8)).astype(np.float32))
    r = check(conv_model(), ["int8"], calibration=cal, cache_dir=tmp_path / "cache", timing=False)
    assert [e.precision for e in r.engines] == ["int8"] and r.engines[0].built
    assert r.accuracy[0].precision == "int8" and r.accuracy[0].outputs[0].max_abs > 0


@needs_trt
def test_fp8_is_built_and_measured_like_int8(tmp_path):
    rng = np.random.default_rng(1)
    cal = [{"x": rng.standard_normal((2, 3, 8, 8)).astype(np.float32)} for _ in range(4)]
    r = check(conv_model(), ["fp8"], calibration=cal, cache_dir=tmp_path / "cache", timing=False)
    assert [e.precision for e in r.engines] == ["fp8"] and r.engines[0].built, r.engines[0].error
    v = r.verdict("fp8")
    assert v.status in ("pass", "fail") and "in fp8" in v.ran
    assert r.accuracy[0].precision == "fp8" and 0 < r.accuracy[0].outputs[0].max_abs < 1


@needs_trt
def test_cache_dir_that_cannot_be_written(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    r = check(chain_model(), ["fp32"], cache_dir=blocker / "cache", timing=False)
    assert all(e.built for e in r.engines)
    assert any("not writable" in s for s in r.not_done)


def test_no_tensorrt_installed(tmp_path):
    """In a fresh interpreter where neither TensorRT package can be imported."""
    code = (
        "import sys, json\n"
        "sys.modules['tensorrt'] = None; sys.modules['tensorrt_rtx'] = None\n"
        "from tests.models import chain_model\n"
        "from trtlab.check import check\n"
        f"r = check(chain_model(), ['fp32', 'fp16'], cache_dir={str(tmp_path)!r}, timing=False)\n"
        "print(json.dumps(r.to_dict()))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert d["engines"] == []
    assert any("engines not built" in s and "pip install" in s for s in d["not_done"])
    assert [a["precision"] for a in d["accuracy"]] == ["fp32", "fp16"]


def test_cancel_returns_what_was_done():
    stop = threading.Event()

    def progress(event):
        if event.stage == "precision":
            stop.set()

    r = check(chain_model(), ["fp32", "fp16"], build=False, progress=progress, cancel=stop)
    assert r.cancelled and any("cancelled" in s for s in r.not_done)
    assert r.accuracy == [] and r.timing == []


def test_check_without_build_still_measures_accuracy_and_time():
    r = check(chain_model(), ["fp32"], build=False, exclude_nodes=["relu3"], timing_options=FAST)
    assert r.engines == [] and any("building was turned off" in s for s in r.not_done)
    assert r.hybrid_max_abs is not None and r.hybrid_max_abs <= 1e-5
    backends = [t.backend for t in r.timing]
    assert backends[0] == "ONNX Runtime CPU" and "ONNX Runtime CPU, stand-ins (not TensorRT)" in backends
    assert [t.stand_in for t in r.timing] == [b.endswith("(not TensorRT)") for b in backends]
    assert "trtlab check of 'chain'" in r.summary()


def test_mxnet_symbol_file_gets_the_mxnet_executor_baseline(tmp_path):
    _, net = dense_block()
    net.export(str(tmp_path / "net"), epoch=0)
    r = check(str(tmp_path / "net-symbol.json"), ["fp32"], build=False, inputs={"data": (2, 8)},
              timing_options=FAST)
    assert any(t.backend.startswith("MXNet") and "executor" in t.backend for t in r.timing)
    # Params kept elsewhere: given explicitly, they reach the baseline too.
    elsewhere = tmp_path / "weights"
    elsewhere.mkdir()
    moved = (tmp_path / "net-0000.params").rename(elsewhere / "net-0000.params")
    r = check(str(tmp_path / "net-symbol.json"), ["fp32"], build=False, inputs={"data": (2, 8)},
              params=moved, timing_options=FAST)
    assert any(t.backend.startswith("MXNet") and "executor" in t.backend for t in r.timing)


@needs_trt
def test_a_second_check_in_a_new_process_takes_every_engine_from_the_cache(tmp_path):
    """As two `trtlab check` runs: string hashing differs between processes, the keys must not."""
    code = ("import json, sys\n"
            "from tests.models import conv_model\n"
            "from trtlab.check import check\n"
            "r = check(conv_model(), ['fp32', 'fp16'], cache_dir=sys.argv[1], timing=False)\n"
            "print(json.dumps([e.to_dict() for e in r.engines]))\n")
    runs = []
    for seed in ("1", "2"):
        out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True,
                             timeout=300, env=dict(os.environ, PYTHONHASHSEED=seed))
        assert out.returncode == 0, out.stderr
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    assert len(runs[1]) == 2 and not any(e["cache_hit"] for e in runs[0])
    assert all(e["cache_hit"] and e["built"] for e in runs[1])
    assert [e["bytes"] for e in runs[1]] == [e["bytes"] for e in runs[0]]


@needs_trt
def test_a_truncated_engine_is_rebuilt_by_the_next_check(tmp_path):
    first = check(conv_model(), ["fp32"], cache_dir=tmp_path, timing=False)
    (engine_path,) = (tmp_path / "engines").glob("*.engine")
    engine_path.write_bytes(engine_path.read_bytes()[:1000])
    again = check(conv_model(), ["fp32"], cache_dir=tmp_path, timing=False)
    assert [e.cache_hit for e in again.engines] == [False] and again.engines[0].built
    assert engine_path.stat().st_size == first.engines[0].bytes


def test_one_precision_may_be_given_as_a_string():
    r = check(chain_model(), "fp16", build=False, timing=False)
    assert r.precisions == ["fp16"] and [a.precision for a in r.accuracy] == ["fp16"]


def test_inputs_given_with_a_loaded_model_are_not_ignored():
    with pytest.raises(trtlab.TrtlabError, match="fixed dimension 0 of 2, not 5"):
        check(chain_model(), ["fp32"], inputs={"x": (5, 8)}, build=False, timing=False)


def test_caveats_are_warnings_not_things_left_undone(tmp_path):
    r = check(conv_model(), ["int8"], build=False, cache_dir=tmp_path, timing=False)
    assert any("random inputs" in s for s in r.warnings)
    assert not any("random inputs" in s for s in r.not_done)
    assert "warning: int8 calibrated on random inputs" in r.summary()


USER_MODULE = '''
import json, sys
import torch
import trtlab
from trtlab.check import check


class MyNet(torch.nn.Module):  # a user's own module, defined in __main__
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(8, 4)

    def forward(self, x):
        return torch.relu(self.fc(x))


x = torch.ones(2, 8)
fast = {"seconds": 0.02, "warmup_ms": 2, "iterations": 3}
direct = check(MyNet(), ["fp32"], build=False, timing_options=fast, inputs={"x": (2, 8)})
loaded = check(trtlab.load(MyNet(), example_inputs=(x,)), ["fp32"], build=False, timing_options=fast)
print(json.dumps([[t.backend for t in r.timing] for r in (direct, loaded)]))
'''


def test_a_users_own_torch_module_gets_its_pytorch_baseline():
    pytest.importorskip("torch", reason="needs torch (pip install 'trtlab[torch]')")
    out = subprocess.run([sys.executable, "-c", USER_MODULE], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    direct, loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert any(b.startswith("PyTorch") for b in direct), direct
    assert any(b.startswith("PyTorch") for b in loaded), loaded


def test_feeds_fix_the_input_shapes_in_python_as_on_the_command_line(tmp_path):
    """`check(path, feeds=...)` loads a dynamic model at the feeds' shapes, as `--feeds` does."""
    import numpy as np
    import onnx

    from tests.models import dynamic_cnn

    path = tmp_path / "dynamic.onnx"
    onnx.save(dynamic_cnn(), path)
    x = np.random.default_rng(0).standard_normal((3, 3, 12, 12)).astype(np.float32)
    for feeds in ({"x": x}, _npz(tmp_path, x)):
        result = check(str(path), feeds=feeds, build=False, timing=False, cache_dir=None)
        assert result.model.inputs["x"].shape == (3, 3, 12, 12) and not result.random_feeds


def _npz(tmp_path, x):
    import numpy as np

    np.savez(tmp_path / "feeds.npz", x=x)
    return str(tmp_path / "feeds.npz")


def test_a_classifier_with_a_zipmap_output_is_checked_without_a_traceback():
    """ONNX-ML ops fall back with their reason; the sequence of maps is compared by its values."""
    from tests.models import zipmap_classifier

    result = check(zipmap_classifier(), ["fp32", "fp16"], timing=False, cache_dir=None)
    reasons = {f.name: f.reason for f in result.plan.fallback_nodes}
    assert "custom-domain op" in reasons["zipmap"] and "custom-domain op" in reasons["linear"]
    rows = json.loads(result.to_json())["accuracy"]
    assert {(a["precision"], a["output"]) for a in rows} >= {("fp32", "output_probability"), ("fp16", "label")}
    assert all(v.status in ("pass", "not measured") for v in result.verdicts)
