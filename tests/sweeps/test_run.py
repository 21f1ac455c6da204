"""Sweeps on a real Dask cluster (a `dask scheduler` and two `dask worker` processes, see
conftest.py) and on a local cluster started by the sweep itself."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

import trtlab
from trtlab.sweeps.records import EARLIER, NOT_RUN, RAN, earlier_record

MODELS = ["zoo:tiny", "zoo:mixed", "zoo:mobilenetv2"]
FAST = {"timing_options": {"seconds": 0.05, "iterations": 3, "warmup_ms": 5}}
WAIT_S = 600


@pytest.fixture
def broken(tmp_path):
    path = tmp_path / "broken.onnx"
    path.write_bytes(b"not an ONNX model at all")
    return str(path)


def _records(out):
    return {p.relative_to(out).as_posix(): json.loads(p.read_text()) for p in out.rglob("*.json")}


@pytest.mark.slow
def test_three_models_in_two_precisions_across_two_workers_then_a_rerun_that_does_nothing(
        dask_cluster, tmp_path, broken):
    address, _ = dask_cluster
    out, cache = tmp_path / "out", tmp_path / "cache"
    run = trtlab.sweep(MODELS + [broken], ["fp32", "fp16"], address, out=out, cache_dir=cache, **FAST)
    run.wait(timeout=WAIT_S)

    assert len(run.rows) == run.total == 8 and not run.cancelled
    assert {w.split(" ")[0] for w in run.used_workers} == {"w1", "w2"}  # both workers ran tasks
    assert run.resources is None  # no worker declares a GPU: tasks ask for nothing
    by_task = {(r.model, r.precision): r for r in run.rows}
    for model in ("tiny", "mixed", "mobilenetv2"):
        for precision in ("fp32", "fp16"):
            row = by_task[(model, precision)]
            assert row.status == "pass" and row.origin == RAN, row
            assert "stand-ins (not TensorRT)" in row.ran and row.cosine > 0.99
    for precision in ("fp32", "fp16"):  # the broken model is a row that says why; the others went on
        row = by_task[("broken", precision)]
        assert row.status == "not measured" and "the check could not run" in row.reason
        assert "not a readable ONNX model" in row.reason or "ONNX" in row.reason

    records = _records(out)
    assert sorted(records) == sorted(f"{m}/{p}.json" for m in ("tiny", "mixed", "mobilenetv2", "broken")
                                     for p in ("fp32", "fp16"))
    tiny = records["tiny/fp16.json"]
    assert [(v["precision"], v["status"]) for v in tiny["verdicts"]] == [("fp16", "pass")]
    assert tiny["partition"]["subgraphs"] and tiny["settings"]["precisions"] == ["fp16"]  # check's own record
    assert tiny["sweep"]["worker"].split(" ")[0] in ("w1", "w2") and tiny["sweep"]["seconds"] > 0
    assert len(tiny["sweep"]["key"]) == 64 and tiny["sweep"]["final"] is True
    reopened = trtlab.load_result(out / "tiny" / "fp16.json")  # check's own record, read back
    assert reopened.verdict("fp16").status == "pass" and reopened.model.name == "tiny"
    html = (out / "summary.html").read_text()
    assert "Verdict per model and precision" in html and "mobilenetv2" in html

    text = run.summary()
    assert "8 of 8 tasks done: 6 pass, 0 fail, 2 not measured" in text

    stamps = {p: os.stat(out / p).st_mtime_ns for p in records}
    again = trtlab.sweep(MODELS + [broken], ["fp32", "fp16"], address, out=out, cache_dir=cache, **FAST)
    again.wait(timeout=60)
    assert {r.origin for r in again.rows} == {EARLIER} and len(again.rows) == 8
    assert again._cluster is None and again.used_workers == []  # nothing was submitted
    assert {p: os.stat(out / p).st_mtime_ns for p in records} == stamps
    assert "8 kept from an earlier run" in again.summary()

    # Other settings are another task: it runs.
    other = trtlab.sweep(["zoo:tiny"], ["fp32"], address, out=out, cache_dir=cache, min_block_size=2, **FAST)
    other.wait(timeout=WAIT_S)
    assert [r.origin for r in other.rows] == [RAN]


@pytest.mark.slow
def test_a_worker_killed_mid_task_becomes_a_row_and_the_sweep_goes_on(dask_cluster, tmp_path):
    address, client = dask_cluster
    client.wait_for_workers(2, timeout=60)
    out = tmp_path / "out"
    run = trtlab.sweep(["zoo:mobilenetv2", "zoo:tiny"], ["fp32", "fp16"], client, out=out,
                       cache_dir=tmp_path / "cache", **FAST)
    victim = None
    deadline = time.monotonic() + 120
    while victim is None and time.monotonic() < deadline:
        victim = next((w for w, keys in client.processing().items()
                       if any("mobilenetv2" in str(k) for k in keys)), None)
        time.sleep(0.2)
    assert victim is not None, "no task of mobilenetv2 started"
    time.sleep(1.5)  # inside its check
    pid = client.run(os.getpid, workers=[victim])[victim]
    os.kill(pid, signal.SIGKILL)
    run.wait(timeout=WAIT_S)

    assert len(run.rows) == 4
    lost = [r for r in run.rows if "worker was lost" in r.reason]
    assert lost and all(r.status == "not measured" and r.origin == RAN for r in lost)
    assert [r for r in run.rows if r.status == "pass"]  # the others went on
    task = next(t for t in run.tasks if (t.model.label, t.precision) == (lost[0].model, lost[0].precision))
    record = json.loads((out / task.model.label / f"{task.precision}.json").read_text())
    assert record["sweep"]["final"] is False
    assert earlier_record(out, task) is None  # a rerun runs it again


@pytest.mark.slow
def test_a_local_sweep_starts_and_closes_its_own_cluster(tmp_path):
    run = trtlab.sweep(["zoo:tiny"], ["fp32", "fp16"], workers=2, cache_dir=tmp_path / "cache", **FAST)
    run.wait(timeout=WAIT_S)
    assert [(r.precision, r.status) for r in sorted(run.rows, key=lambda r: r.precision)] == \
        [("fp16", "pass"), ("fp32", "pass")]
    assert all("127.0.0.1" in r.worker for r in run.rows)
    assert run._cluster.local and run._cluster._owned == []  # closed


def test_a_model_that_cannot_be_read_is_a_row_without_a_cluster(tmp_path):
    run = trtlab.sweep([str(tmp_path / "missing.onnx")], ["fp32"])
    run.wait(timeout=10)
    [row] = run.rows
    assert row.origin == NOT_RUN and "No such file" in row.reason and run._cluster is None
