"""Records on disk and the rows read from them."""

from __future__ import annotations

import json

from trtlab.check import CheckSettings
from trtlab.sweeps.records import EARLIER, earlier_record, record_path, row_from_record, write_record
from trtlab.sweeps.tasks import ModelSource, make_task

TASK = make_task(ModelSource("zoo:tiny", "tiny", "0" * 64), "fp16", CheckSettings())
RECORD = {"verdicts": [{"precision": "fp16", "status": "fail", "reason": "max rel 0.2", "ran": "stand-ins"}],
          "timing": [{"backend": "ONNX Runtime CPU", "precision": "fp32", "p50_ms": 2.0, "stand_in": False},
                     {"backend": "hybrid (TensorRT engines + ONNX Runtime fallback)", "precision": "fp16",
                      "p50_ms": 0.5, "device": "NVIDIA L4 (sm 8.9)", "stand_in": False}],
          "accuracy": [{"precision": "fp16", "max_rel": 0.2, "cosine": 0.99},
                       {"precision": "fp16", "max_rel": 0.01, "cosine": 0.9999}],
          "sweep": {"worker": "w1", "seconds": 3.5, "final": True, "error": None}}


def test_a_record_is_written_with_its_key_and_found_again(tmp_path):
    path = write_record(tmp_path, TASK, json.loads(json.dumps(RECORD)))
    assert path == record_path(tmp_path, TASK) == tmp_path / "tiny" / "fp16.json"
    record = earlier_record(tmp_path, TASK)
    assert record["sweep"]["key"] == TASK.key and record["sweep"]["worker"] == "w1"
    other = make_task(TASK.model, "fp16", CheckSettings(timing=False))
    assert earlier_record(tmp_path, other) is None  # other settings: another task
    row = row_from_record(record, TASK, EARLIER, path)
    assert (row.status, row.reason, row.worker, row.seconds) == ("fail", "max rel 0.2", "w1", 3.5)
    assert (row.latency_ms, row.baseline_ms, row.max_rel, row.cosine) == (0.5, 2.0, 0.2, 0.99)
    assert row.latency_of == "hybrid (TensorRT engines + ONNX Runtime fallback) on NVIDIA L4"


def test_a_task_that_did_not_finish_for_good_runs_again(tmp_path):
    record = json.loads(json.dumps(RECORD))
    record["sweep"]["final"] = False
    write_record(tmp_path, TASK, record)
    assert earlier_record(tmp_path, TASK) is None
    record_path(tmp_path, TASK).write_text("{ half a file")
    assert earlier_record(tmp_path, TASK) is None
