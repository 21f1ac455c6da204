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
    assert "verdict fp32: not measured: engines not built (--no-build); the transform alone" in text
    assert "not done: engines not built: building was turned off" in text


def test_check_bad_precision_is_a_one_line_error(model_file, capsys):
    code = main(["check", model_file, "--precision", "fp64", "--no-timing", *FAST])
    err = capsys.readouterr().err
    assert code == 2 and "Unknown precision 'fp64'" in err and len(err.strip().splitlines()) == 1


def test_check_progress_goes_to_stderr(model_file, capsys):
    main(["check", model_file, "--no-build", "--no-timing"])
    err = capsys.readouterr().err
    assert "running the whole model in ONNX Runtime" in err


def test_tolerance_flags_reach_the_verdict_and_are_shown(model_file, capsys):
    code = main(["check", model_file, "--precision", "fp32", "fp16", "--no-build", "--no-timing", "--json",
                 "--atol", "0.5", "fp16=y:0.25", "--rtol", "fp16=0", "--min-cosine", "0.9", "--error-stat", "median"])
    d = json.loads(capsys.readouterr().out)
    tol = d["settings"]["tolerances"]
    assert tol["fp32"] == {"atol": 1e-5, "rtol": 1e-5, "min_cosine": 0.99999, "error_stat": "median"}
    assert (tol["fp16"]["atol"], tol["fp16"]["rtol"], tol["fp16"]["min_cosine"]) == (0.5, 0.0, 0.9)
    assert tol["fp16"]["outputs"]["y"]["atol"] == 0.25
    row = next(a for a in d["accuracy"] if a["precision"] == "fp16")
    assert (row["atol"], row["error_stat"]) == (0.25, "median") and {"p50_abs", "p99_abs", "p999_abs",
                                                                      "fraction_outside"} <= set(row)
    assert code == 1  # --no-build: not measured
    main(["check", model_file, "--precision", "fp16", "--no-build", "--no-timing", "--atol", "0.5"])
    text = capsys.readouterr().out
    assert "tolerance fp16: element-wise, atol 0.5 + rtol 0.01·|ref|, cosine ≥ 0.999" in text


@pytest.mark.parametrize("flags, message", [(["--atol", "fp16=x"], "--atol 'fp16=x': 'x' is not a number"),
                                            (["--error-stat", "p99"], "Unknown error statistic 'p99'"),
                                            (["--keep-fp32", "auto", "conv"], "node names or 'auto', not both"),
                                            (["--keep-fp32", "nope"], "'nope', which is not a node"),
                                            (["--rtol", "int8=0.1"], "int8, which is not checked")])
def test_bad_accuracy_options_are_one_line_errors(model_file, capsys, flags, message):
    code = main(["check", model_file, "--precision", "fp16", "--no-build", "--no-timing", "-q", *flags])
    err = capsys.readouterr().err
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err


def test_check_takes_an_optimisation_profile_as_trtexec_does(tmp_path, capsys):
    import onnx

    from tests.models import dynamic_cnn

    path = tmp_path / "dynamic.onnx"
    onnx.save(dynamic_cnn(), path)
    code = main(["check", str(path), "--min-shapes", "x:1x3x8x8", "--opt-shapes", "x:2x3x16x16",
                 "--max-shapes", "x:4x3x32x32", "--no-cache", "--no-timing", "--json", *FAST])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [a["shapes"]["x"] for a in out["accuracy"]] == [[2, 3, 16, 16], [1, 3, 8, 8], [4, 3, 32, 32]]
    code = main(["check", str(path), "--min-shapes", "x:1x3x8x8", "--opt-shapes", "x:2x3x16x16", *FAST])
    err = capsys.readouterr().err
    assert code == 2 and "Input 'x' has no max shape in the profile" in err and len(err.strip().splitlines()) == 1



def test_check_takes_several_profiles_naming_an_input_again_as_polygraphy_groups(tmp_path, capsys):
    import onnx

    from tests.models import dynamic_cnn

    path = tmp_path / "dynamic.onnx"
    onnx.save(dynamic_cnn(), path)
    code = main(["check", str(path), "--min-shapes", "x:1x3x8x8", "--opt-shapes", "x:2x3x16x16",
                 "--max-shapes", "x:4x3x32x32", "--min-shapes", "x:4x3x8x8", "--opt-shapes", "x:8x3x8x8",
                 "--max-shapes", "x:8x3x8x8", "--no-cache", "--no-build", "--time-shapes", "all", "--json", *FAST])
    out = json.loads(capsys.readouterr().out)
    assert code == 1  # --no-build: not measured
    assert len(out["settings"]["profiles"]) == 2 and out["settings"]["time_shapes"] == "all"
    assert [(a["profile"], a["point"], a["shapes"]["x"]) for a in out["accuracy"]] == [
        (0, "opt", [2, 3, 16, 16]), (0, "min", [1, 3, 8, 8]), (0, "max", [4, 3, 32, 32]),
        (1, "min", [4, 3, 8, 8]), (1, "opt", [8, 3, 8, 8])]  # profile 2's max is its opt: measured once
    assert {(t["profile"], t["point"]) for t in out["timing"]} == {(0, "opt"), (0, "min"), (0, "max"),
                                                                  (1, "min"), (1, "opt")}
    code = main(["check", str(path), "--min-shapes", "x:1x3x8x8", "--min-shapes", "x:2x3x8x8",
                 "--opt-shapes", "x:2x3x16x16", "--max-shapes", "x:4x3x32x32", *FAST])
    err = capsys.readouterr().err
    assert code == 2 and "do not line up" in err and len(err.strip().splitlines()) == 1
