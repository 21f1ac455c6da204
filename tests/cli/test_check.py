import json

import pytest

from trtlab.cli import main

from tests.models import conv_model

FAST = ["--seconds", "0.01", "--iterations", "3", "--warmup-ms", "5", "-q"]


@pytest.fixture
def model_file(tmp_path):
    path = tmp_path / "cnn.onnx"
    conv_model().save(path)
    return str(path)


def test_check_json_with_several_precisions(model_file, tmp_path, capsys):
    code = main(["check", model_file, "--precision", "fp32", "fp16", "--json",
                 "--cache-dir", str(tmp_path / "cache"), "--report", str(tmp_path / "r.html"), *FAST])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert {a["precision"] for a in out["accuracy"]} == {"fp32", "fp16"}
    assert out["partition"]["subgraphs"] and out["timing"]
    assert (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")


def test_check_text_says_what_was_and_was_not_done(model_file, tmp_path, capsys):
    code = main(["check", model_file, "--no-build", "--no-timing", "--exclude", "Relu", *FAST])
    text = capsys.readouterr().out
    assert code == 1  # --no-build is no engine's pass: not measured, with what the transform alone gave
    assert "trtlab check of 'cnn'" in text and "accuracy fp32" in text
    assert "verdict fp32: not measured (engines not built (--no-build); the transform alone" in text
    assert "not done: engines not built: building was turned off" in text


def test_check_bad_precision_is_a_one_line_error(model_file, capsys):
    code = main(["check", model_file, "--precision", "fp64", "--no-timing", *FAST])
    err = capsys.readouterr().err
    assert code == 2 and "Unknown precision 'fp64'" in err and len(err.strip().splitlines()) == 1


def test_check_progress_goes_to_stderr(model_file, capsys):
    main(["check", model_file, "--no-build", "--no-timing"])
    err = capsys.readouterr().err
    assert "running the whole model in ONNX Runtime" in err
