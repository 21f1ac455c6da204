"""One precision measured in a check: converted, calibrated where it is a Q/DQ precision, built, run and
compared."""

import numpy as np

from trtlab.check import check

from tests.check.support import needs_trt
from tests.models import conv_model


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


def test_the_verdicts_sentence_rests_on_the_worst_output():
    from trtlab.accuracy import compare
    from trtlab.check.measure import accuracy_reason

    ref = {"a": np.ones(4, np.float32), "b": np.ones(4, np.float32), "c": np.ones(4, np.float32)}
    act = {"a": ref["a"] + 0.5, "b": ref["b"] + 0.1, "c": ref["c"]}
    reason = accuracy_reason(compare(ref, act, "fp32"))
    assert reason.startswith("a: ") and reason.endswith(" (and 1 other output out)")
    assert accuracy_reason(compare({}, {}, "fp32")) == "the model has no output to compare"


def test_nodes_named_to_keep_in_fp32_become_the_policy():
    from trtlab.check import CheckSettings
    from trtlab.check.measure import user_policy

    assert user_policy(CheckSettings.make(["fp16"], keep_fp32=["mm2", "add2"])).keep_fp32_nodes == {"mm2", "add2"}
    assert user_policy(CheckSettings.make(["fp16"], keep_fp32="auto")) is None
    assert user_policy(CheckSettings.make(["fp16"])) is None
