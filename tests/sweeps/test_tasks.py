"""A task's key (model bytes and settings) and what a worker does with a task, run in-process."""

from __future__ import annotations

import shutil

import pytest

from trtlab.check import CheckSettings
from trtlab.sweeps.tasks import make_task, model_source, run_task

from tests.models import conv_model

SETTINGS = CheckSettings(precisions=("fp32", "fp16"), timing=False, build=False)


def test_the_key_is_the_model_bytes_and_the_settings(tmp_path):
    a, b = tmp_path / "a.onnx", tmp_path / "b" / "a.onnx"
    conv_model().save(a)
    b.parent.mkdir()
    shutil.copy(a, b)
    key = make_task(model_source(str(a)), "fp16", SETTINGS).key
    assert make_task(model_source(str(b)), "fp16", SETTINGS).key == key  # same bytes elsewhere
    assert make_task(model_source(str(a)), "fp32", SETTINGS).key != key
    assert make_task(model_source(str(a)), "fp16", CheckSettings.make(SETTINGS, min_block_size=3)).key != key
    assert make_task(model_source(str(a)), "fp16", CheckSettings.make(SETTINGS, timing=True)).key != key
    a.write_bytes(a.read_bytes() + b"\0")  # other bytes
    assert make_task(model_source(str(a)), "fp16", SETTINGS).key != key
    assert make_task(model_source("zoo:tiny"), "fp16", SETTINGS).key == \
        make_task(model_source("zoo:tiny"), "fp16", SETTINGS).key


def test_a_task_runs_a_check_in_one_precision(tmp_path):
    path = tmp_path / "cnn.onnx"
    conv_model().save(path)
    record = run_task(make_task(model_source(str(path)), "fp16", SETTINGS))
    # Engines not built (build=False): not measured, with what the transform alone gave.
    assert [(v["precision"], v["status"]) for v in record["verdicts"]] == [("fp16", "not measured")]
    assert "the transform alone" in record["verdicts"][0]["reason"]
    assert record["sweep"]["final"] is True and record["sweep"]["error"] is None
    assert record["sweep"]["worker"] == "this process" and record["sweep"]["seconds"] > 0


def test_a_file_that_changed_or_went_is_a_row_not_a_wrong_answer(tmp_path):
    path = tmp_path / "cnn.onnx"
    conv_model().save(path)
    task = make_task(model_source(str(path)), "fp32", SETTINGS)
    path.write_bytes(path.read_bytes() + b"\0")
    record = run_task(task)
    assert record["verdicts"][0]["status"] == "not measured"
    assert "not the file the sweep was given" in record["sweep"]["error"]
    path.unlink()
    assert "is not there on this worker" in run_task(task)["verdicts"][0]["reason"]


def test_a_corrupt_model_is_a_final_answer(tmp_path):
    path = tmp_path / "broken.onnx"
    path.write_bytes(b"\x08\x07garbage")
    record = run_task(make_task(model_source(str(path)), "fp32", SETTINGS))
    assert record["verdicts"][0]["reason"].startswith("the check could not run:")
    assert record["sweep"]["final"] is True  # a rerun would say the same: it is kept


def test_a_packaged_corpus_model_is_keyed_by_its_file():
    from trtlab import corpus

    if "magika" not in corpus.names(available=True):
        pytest.skip("needs magika (pip install magika)")
    assert model_source("corpus:magika").digest == model_source(str(corpus.path("magika"))).digest
