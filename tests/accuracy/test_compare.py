"""Outputs compared Polygraphy-style: error figures, the minimum tolerance that would pass, cosine and
top-1 for class scores, NaN and shape mismatches, maps and sequences."""

import json

import numpy as np
import pytest

import trtlab
from trtlab.accuracy import Tolerance, compare


def test_identical_outputs_pass_with_zero_error():
    ref = {"y": np.arange(12, dtype=np.float32).reshape(3, 4)}
    r = compare(ref, {"y": ref["y"].copy()}, "fp32")
    o = r.outputs[0]
    assert r.passed and o.max_abs == 0 and o.cosine == pytest.approx(1.0) and o.top1_agree == 1.0


def test_error_figures_and_minimum_tolerance():
    ref = {"y": np.array([[1.0, 2.0, 4.0], [3.0, 1.0, 0.5]], np.float32)}
    act = {"y": ref["y"] + np.array([[0, 0, 0.002], [0, 0, 0]], np.float32)}
    o = compare(ref, act, "fp32").outputs[0]
    assert not o.passed and o.mismatched == 1
    assert o.max_abs == pytest.approx(0.002, rel=1e-3)
    assert o.max_rel == pytest.approx(0.002 / 4, rel=1e-3)  # relative to the output's scale (4)
    small = compare(ref, {"y": ref["y"] + np.array([[0, 0, 0], [0, 0, 0.002]], np.float32)}, "fp32").outputs[0]
    assert small.max_rel == pytest.approx(0.002 / 4, rel=1e-3)  # the same error, the same figure
    # rtol's own sense, element by element, at the atol used: (0.002 - 1e-5) / 0.5
    assert small.min_rtol == pytest.approx((0.002 - 1e-5) / 0.5, rel=1e-3)
    assert o.min_atol == pytest.approx(o.max_abs - 1e-5 * 4.0, rel=1e-4)  # at the rtol used
    # The minimum tolerances it reports really are the pass/fail boundaries.
    for f in (1.001, 0.99):
        assert compare(ref, act, "fp32", tolerances={"fp32": Tolerance(o.min_atol * f, 1e-5)}).passed == (f > 1)
        assert compare(ref, {"y": ref["y"] + np.array([[0, 0, 0], [0, 0, 0.002]], np.float32)}, "fp32",
                       tolerances={"fp32": Tolerance(1e-5, small.min_rtol * f)}).passed == (f > 1)
    assert compare(ref, act, "fp16").passed  # 1e-2 for fp16


def test_top1_only_for_class_scores():
    ref = {"scores": np.array([[0.1, 0.9], [0.8, 0.2]], np.float32), "vec": np.ones(5, np.float32)}
    act = {"scores": np.array([[0.9, 0.1], [0.8, 0.2]], np.float32), "vec": np.ones(5, np.float32)}
    r = compare(ref, act, "fp16")
    assert r.outputs[0].top1_agree == 0.5 and r.outputs[1].top1_agree is None
    assert r.outputs[0].cosine < 0.9


def test_nan_and_shape_mismatch():
    ref = {"y": np.array([1.0, np.nan], np.float32)}
    same = compare(ref, {"y": np.array([1.0, np.nan], np.float32)}, "fp16", tolerances={"fp16": 1e9})
    o = same.outputs[0]
    assert not same.passed and o.decided_by == "nonfinite"  # NaN fails, whatever the tolerance
    # ... and its figures are not a perfect match: NaN, shown as n/a, never 0 or 1.0
    assert np.isnan(o.max_abs) and np.isnan(o.cosine) and o.reason.startswith("n/a: NaN in output")
    bad = compare(ref, {"y": np.array([np.nan, np.nan], np.float32)})
    assert not bad.passed and "NaN" in bad.outputs[0].note
    inf = compare({"y": np.ones(2, np.float32)}, {"y": np.array([1.0, np.inf], np.float32)}, "int8")
    assert not inf.passed and inf.outputs[0].mismatched == 1 and "infinity in output" in inf.outputs[0].reason
    with pytest.raises(trtlab.TrtlabError, match="shape"):
        compare(ref, {"y": np.zeros(3, np.float32)})
    with pytest.raises(trtlab.TrtlabError, match="missing"):
        compare(ref, {})


def test_report_serialises():
    ref = {"y": np.ones((2, 3), np.float32)}
    d = json.loads(compare(ref, ref, "bf16").to_json())
    assert d["precision"] == "bf16" and d["passed"] and d["outputs"][0]["output"] == "y"


def test_small_outputs_that_point_elsewhere_fail_on_cosine():
    # A probability map that is near zero everywhere: every element within int8's atol of 0.1,
    # yet the output is another one. An absolute tolerance alone would call it a pass.
    rng = np.random.default_rng(0)
    ref = {"p": (rng.random((1, 64)) * 1e-3).astype(np.float32)}
    act = {"p": (rng.random((1, 64)) * 1e-3).astype(np.float32)}
    o = compare(ref, act, "int8").outputs[0]
    assert o.mismatched == 0 and o.cosine < 0.98 and not o.passed and o.decided_by == "cosine"
    assert o.reason.startswith(f"cosine {o.cosine:.6g} under 0.98 though every element is within")
    assert compare(ref, {"p": ref["p"] * 1.001}, "int8").passed  # the same map, slightly off: a pass


def test_maps_and_sequences_compare_by_their_numbers_and_the_rest_is_named():
    import numpy as np

    from trtlab.accuracy import compare
    from trtlab.accuracy.compare import comparable

    ref = [{0: 0.25, 1: 0.75}, {0: 0.5, 1: 0.5}]
    assert comparable(ref).tolist() == [[0.25, 0.75], [0.5, 0.5]]
    assert comparable([np.ones(2), np.zeros(2)]).shape == (2, 2)
    assert comparable([{0: 1.0}, {1: 1.0}]) is None and comparable(np.array(["a"])) is None
    report = compare({"p": ref, "names": np.array(["cat", "dog"])}, {"p": [{0: 0.25, 1: 0.75}, {0: 0.5, 1: 0.5}],
                                                                      "names": np.array(["cat", "dog"])})
    assert [o.output for o in report.outputs] == ["p"] and report.passed
    assert "names not compared: a string tensor holds no numbers to compare" in report.label
