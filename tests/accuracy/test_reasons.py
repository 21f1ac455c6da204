import numpy as np
import pytest

from trtlab.accuracy import Tolerance, compare
from trtlab.accuracy.reasons import down, percent, up


def test_a_fail_says_how_much_where_and_what_would_pass():
    ref = np.zeros((1, 1, 320, 1280), np.float32) + 0.5
    act = ref.copy()
    act.flat[:36] += 0.02
    act[0, 0, 212, 31] += 0.085
    o = compare({"y": ref}, {"y": act}, "fp16").outputs[0]
    assert not o.passed and o.decided_by == "elements" and o.size == 409_600
    assert o.reason.startswith("37 of 409,600 elements (0.009%) outside atol 0.01 + rtol 0.01·|ref|; "
                               "the largest error 0.085 at [0, 0, 212, 31]; passes with atol 0.08 (rtol 0.01)")
    assert o.worst_index == [0, 0, 212, 31] and o.fraction_outside == pytest.approx(37 / 409_600)
    # The smallest tolerances it names do pass, rounded up.
    assert compare({"y": ref}, {"y": act}, "fp16", tolerances={"fp16": Tolerance(0.08, 0.01, 0.999)}).passed
    assert compare({"y": ref}, {"y": act}, "fp16", tolerances={"fp16": Tolerance(0.01, o.min_rtol * 1.01, 0.999)}).passed


def test_quantiles_of_the_error():
    ref = np.zeros(10_000, np.float32)
    act = np.linspace(0, 1, 10_000).astype(np.float32)
    o = compare({"y": ref}, {"y": act}, "int8", tolerances={"int8": Tolerance(2, 0, 0.0)}).outputs[0]
    assert (o.p50_abs, o.p99_abs, o.p999_abs, o.max_abs) == pytest.approx((0.5, 0.99, 0.999, 1.0), abs=1e-3)


def test_an_essentially_zero_reference_rests_on_atol():
    ref = np.full((1, 10), 1e-45, np.float32)  # default-initialised logits
    o = compare({"y": ref}, {"y": np.zeros_like(ref)}, "fp16").outputs[0]
    assert o.passed and np.isnan(o.cosine)
    assert "cosine undefined (the reference is essentially zero), so the verdict rests on atol" in o.reason
    far = compare({"y": ref}, {"y": np.ones_like(ref)}, "fp16").outputs[0]
    assert not far.passed and far.decided_by == "elements"


def test_nan_weights_give_no_figures():
    ref = np.full(4, np.nan, np.float32)
    o = compare({"y": ref}, {"y": ref.copy()}, "fp16").outputs[0]
    assert not o.passed and o.reason.startswith("n/a: NaN in output (4 of 4 elements)")
    assert all(np.isnan(getattr(o, f)) for f in ("max_abs", "mean_abs", "cosine", "p99_abs", "min_atol"))


def test_rounding_for_words():
    assert up(0.07512) == "0.076" and up(3.2e-5) == "3.2e-05" and up(0.08) == "0.08"
    assert down(0.996174) == "0.9961" and down(0.99998765) == "0.999987"
    assert percent(37 / 409_600) == "0.009%" and percent(0.5) == "50.0%" and percent(1.0) == "100.0%"
