"""Inside the build worker: length-prefixed frames both ways, and one build run in its own thread with
the model and the engine passed as files."""

from __future__ import annotations

import io
import os
import threading

import pytest

from trtlab.engines.in_worker import _run_in_thread, read_frame, write_frame

from tests.models import tiny_cnn


def test_frames_cross_a_pipe_whole_even_past_its_buffer():
    read_end, write_end = os.pipe()
    message = ("done", {"engine": b"\x01" * 300_000, "notes": ["a", "b"]})  # several pipe buffers
    with os.fdopen(read_end, "rb", buffering=0) as r, os.fdopen(write_end, "wb") as w:
        writer = threading.Thread(target=lambda: (write_frame(w, message), write_frame(w, ("event", 1)), w.close()))
        writer.start()
        assert read_frame(r) == message and read_frame(r) == ("event", 1)
        assert read_frame(r) is None  # the other side has gone
        writer.join()


def test_a_frame_cut_short_reads_as_the_end():
    whole = io.BytesIO()
    write_frame(whole, ["x"] * 100)
    data = whole.getvalue()
    assert read_frame(io.BytesIO(data)) == ["x"] * 100
    assert read_frame(io.BytesIO(data[:-1])) is None and read_frame(io.BytesIO(data[:3])) is None


def _request(tmp_path, *, model_file: bool):
    from trtlab.engines.build import BuildOptions, new_job
    from trtlab.installed_tensorrt import find_tensorrt

    tensorrt = find_tensorrt()
    if tensorrt is None:
        pytest.skip("needs TensorRT-RTX or TensorRT (pip install 'trtlab[rtx]')")
    model = tiny_cnn(folded_weight=False).SerializeToString()
    onnx_path = tmp_path / "0.onnx"
    if model_file:
        onnx_path.write_bytes(model)
    job = new_job("cnn", model, "fp32", tensorrt, BuildOptions(), prepared=True)
    return {"job": job.for_worker(), "onnx_path": str(onnx_path), "engine_path": str(tmp_path / "0.engine"),
            "timing_cache": None, "stack_bytes": 64 << 20}


def test_a_build_writes_its_engine_file_and_answers_with_its_name(tmp_path):
    events = []
    outcome = _run_in_thread(_request(tmp_path, model_file=True), events.append)
    assert outcome.built and outcome.error is None
    assert outcome.engine == str(tmp_path / "0.engine") and (tmp_path / "0.engine").stat().st_size > 1000
    assert events and all(kind == "event" for kind, _ in events)
    assert {e.kind for _, e in events} >= {"phase_start", "phase_finish"}


def test_a_missing_model_file_is_this_builds_failure_not_the_workers(tmp_path):
    outcome = _run_in_thread(_request(tmp_path, model_file=False), lambda message: None)
    assert not outcome.built and outcome.error.startswith("the build worker failed: FileNotFoundError")
    assert not (tmp_path / "0.engine").exists()
