"""`check()` end to end: one model through reference, builds, accuracy and timing, with a verdict per
precision; cancelling, building turned off, inputs and feeds given, outputs that are not tensors."""

import json
import threading

import pytest

import trtlab
from trtlab.check import CheckEvent, check

from tests.check.support import FAST, needs_trt
from tests.models import chain_model, conv_model


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
    assert "ONNX-ML op" in reasons["zipmap"] and "ONNX-ML op" in reasons["linear"]
    rows = json.loads(result.to_json())["accuracy"]
    assert {(a["precision"], a["output"]) for a in rows} >= {("fp32", "output_probability"), ("fp16", "label")}
    assert all(v.status in ("pass", "not measured") for v in result.verdicts)


@needs_trt
def test_int8_on_random_calibration_says_how_to_calibrate_on_real_samples():
    """A tolerance nothing quantized meets makes the fail sure; its reason says what to do."""
    from trtlab.accuracy.tolerances import Tolerance

    result = check(conv_model(), ["int8"], timing=False, cache_dir=None,
                   tolerances={"int8": Tolerance(1e-12, 0, 1.0)})
    warning = next(w for w in result.warnings if "calibrated on random inputs" in w)
    assert "--calibration DIR" in warning and ".npz per sample" in warning
    v = result.verdict("int8")
    assert v.status == "fail" and "scales came from random inputs" in v.reason and "--calibration DIR" in v.reason
