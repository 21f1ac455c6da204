from __future__ import annotations

import json
import threading

import pytest

pytest.importorskip("tensorrt_rtx", reason="needs TensorRT-RTX (pip install 'trtlab[rtx]')")

import trtlab  # noqa: E402
from trtlab.engines import BuildEvent, build_engine, build_engines  # noqa: E402
from trtlab.installed_tensorrt import require_tensorrt
from trtlab.errors import TrtlabError  # noqa: E402

from tests.models import tiny_cnn, unsupported_op_model, wide_mlp  # noqa: E402


@pytest.fixture(scope="module")
def cnn():
    return tiny_cnn(folded_weight=False)


def test_the_installed_tensorrt_is_detected():
    f = require_tensorrt()
    assert f.distribution in ("tensorrt", "tensorrt-rtx")
    if f.distribution == "tensorrt-rtx":
        assert not f.weakly_typed_flags and f.label.startswith("TensorRT-RTX 1.")


@pytest.mark.parametrize("precision", ["fp32", "fp16", "bf16", "int8"])
def test_every_precision_builds(cnn, precision, recwarn):
    (result,) = build_engines([("cnn", cnn)], precision)
    assert result.built, result.error
    assert result.bytes == len(result.engine) > 1000
    assert result.error is None and not result.cache_hit
    assert result.builder == require_tensorrt().label
    d = result.to_dict()
    assert "engine" not in d and json.loads(json.dumps(d))["precision"] == precision
    assert any("Engine generation completed" in m for m in result.messages)


def test_16_bit_and_int8_engines_hold_smaller_weights(recwarn):
    mlp = wide_mlp()  # 1 MB of fp32 weights
    sizes = {p: build_engines([("mlp", mlp)], p)[0].bytes for p in ("fp32", "fp16", "bf16", "int8")}
    assert sizes["fp16"] < sizes["fp32"] - 300_000
    assert sizes["bf16"] < sizes["fp32"] - 300_000
    assert sizes["int8"] < sizes["fp16"] - 100_000


def test_parser_error_is_a_result_with_the_reason_not_an_exception():
    result = build_engine(unsupported_op_model().SerializeToString(), name="bad")
    assert not result.built and result.engine is None
    assert result.error.startswith("ONNX parser:")
    assert "fancy" in result.error and "FancyOp" in result.error


def test_a_failing_engine_does_not_stop_the_others(cnn):
    results = build_engines([("bad", unsupported_op_model()), ("good", cnn)], "fp32")
    assert [r.name for r in results] == ["bad", "good"]
    assert not results[0].built and "FancyOp" in results[0].error
    assert results[1].built


def test_progress_events_arrive_in_order(cnn):
    events: list[BuildEvent] = []
    result = build_engine(cnn.SerializeToString(), name="cnn", progress=events.append)
    assert result.built
    assert events[0].kind == "phase_start" and events[0].engine == "cnn"
    kinds = {e.kind for e in events}
    assert kinds == {"phase_start", "step_complete", "phase_finish"}
    starts = [e.phase for e in events if e.kind == "phase_start"]
    finishes = [e.phase for e in events if e.kind == "phase_finish"]
    assert sorted(starts) == sorted(finishes)
    for e in events:
        assert 0 <= e.step <= e.total
    assert any(e.parent for e in events if e.kind == "step_complete")


def test_cancel_with_an_event_during_the_build(cnn):
    cancel = threading.Event()
    seen = []

    def progress(e):
        seen.append(e)
        if len(seen) == 5:
            cancel.set()

    result = build_engine(cnn.SerializeToString(), name="cnn", progress=progress, cancel=cancel)
    assert not result.built and result.error == "cancelled" and result.engine is None
    assert len(seen) < 50  # the build stopped soon after


def test_cancel_by_returning_false_or_a_callable(cnn):
    onnx_bytes = cnn.SerializeToString()
    r1 = build_engine(onnx_bytes, progress=lambda e: e.kind != "step_complete")
    assert (r1.built, r1.error) == (False, "cancelled")
    r2 = build_engine(onnx_bytes, cancel=lambda: True)
    assert (r2.built, r2.error) == (False, "cancelled")


def test_cancel_marks_the_remaining_engines(cnn):
    cancel = threading.Event()
    results = build_engines([("a", cnn), ("b", cnn)], cancel=cancel,
                            progress=lambda e: cancel.set() if e.engine == "a" else None)
    assert [r.error for r in results] == ["cancelled", "cancelled"]


def test_a_progress_callback_that_raises_fails_only_its_build(cnn):
    def progress(e):
        raise ValueError("boom")

    result = build_engine(cnn.SerializeToString(), progress=progress)
    assert not result.built and "progress callback failed" in result.error and "boom" in result.error


def test_build_engines_takes_a_plan(cnn):
    plan = trtlab.partition(trtlab.Model.from_proto(cnn, name="cnn", source="test"))
    results = build_engines(plan, "fp16")
    assert len(results) == plan.engine_count >= 1
    assert all(r.built for r in results)
    assert [r.name for r in results] == [sg.name for sg in plan.subgraphs]


def test_bad_arguments_are_trtlab_errors(cnn):
    with pytest.raises(TrtlabError, match="Unknown precision"):
        build_engines([("cnn", cnn)], "fp64")
    with pytest.raises(TrtlabError, match="list of \\(name, model\\) pairs"):
        build_engines([cnn])
    with pytest.raises(TrtlabError, match="unique"):
        build_engines([("a", cnn), ("a", cnn)])
