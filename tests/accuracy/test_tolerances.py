import numpy as np
import pytest

import trtlab
from trtlab.accuracy import DEFAULT_TOLERANCES, Tolerance, compare, tolerance_for
from trtlab.accuracy.tolerances import parse_override, tolerances_dict, tolerances_text, with_overrides


def test_an_override_names_a_precision_an_output_or_neither():
    assert parse_override("atol", "0.05") == parse_override("atol", "0.05")
    o = parse_override("atol", "fp16=boxes:0.05")
    assert (o.precision, o.output, o.value) == ("fp16", "boxes", 0.05)
    o = parse_override("rtol", "scores:1e-3")
    assert (o.precision, o.output, o.value) == (None, "scores", 1e-3)
    o = parse_override("min_cosine", "int8=0.99")
    assert (o.precision, o.output, o.value) == ("int8", None, 0.99)
    assert parse_override("atol", "a:b:0.1").output == "a:b"  # an output name with a colon


@pytest.mark.parametrize("text, message", [("fp16=abc", "is not a number"), ("-1", "at least 0"),
                                           ("inf", "finite"), (":0.1", "output name"), ("1.5", None)])
def test_a_bad_override_is_one_clear_error(text, message):
    field = "min_cosine" if message is None else "atol"
    with pytest.raises(trtlab.TrtlabError, match=message or "between 0 and 1") as err:
        parse_override(field, text)
    assert "--" in str(err.value)  # names the flag


def test_without_a_precision_every_reduced_precision_changes_not_fp32():
    tols = with_overrides(["fp32", "fp16", "int8"], [parse_override("atol", "0.5"),
                                                     parse_override("rtol", "int8=0.2"),
                                                     parse_override("atol", "fp16=y:0.7")])
    assert tols["fp32"] == tolerance_for("fp32")
    assert tols["fp16"].atol == 0.5 and tols["fp16"].rtol == tolerance_for("fp16").rtol
    assert tols["int8"].atol == 0.5 and tols["int8"].rtol == 0.2
    assert tols["fp16:y"].atol == 0.7 and "int8:y" not in tols
    assert tolerance_for("fp16", tols, "y").atol == 0.7 and tolerance_for("fp16", tols, "z").atol == 0.5
    with pytest.raises(trtlab.TrtlabError, match="bf16, which is not checked"):
        with_overrides(["fp16"], [parse_override("atol", "bf16=0.1")])


def test_each_output_is_judged_by_its_own_tolerance():
    ref = {"a": np.ones(4, np.float32), "b": np.ones(4, np.float32)}
    act = {k: v + 0.05 for k, v in ref.items()}
    tols = with_overrides(["fp16"], [parse_override("atol", "fp16=b:0.1")])
    r = compare(ref, act, "fp16", tolerances=tols)
    assert [o.passed for o in r.outputs] == [False, True] and r.outputs[1].atol == 0.1


def test_error_statistics_as_polygraphy_judges_them():
    ref = np.ones(1000, np.float32)
    act = ref.copy()
    act[:5] += 1.0  # five elements far out, the rest exact
    for stat, passes in [("elemwise", False), ("max", False), ("mean", True), ("median", True),
                         ("quantile:0.99", True), ("quantile:0.999", False)]:
        o = compare({"y": ref}, {"y": act}, "fp16", tolerances={"fp16": Tolerance(0.01, 0.01, 0.9, stat)}).outputs[0]
        assert o.passed == passes, stat
        assert o.mismatched == 5  # counted element-wise whatever decides
    o = compare({"y": ref}, {"y": act}, "fp16", tolerances={"fp16": Tolerance(0.001, 0.001, 0.9, "mean")}).outputs[0]
    assert not o.passed and o.min_atol == pytest.approx(0.005) and o.reason.startswith("mean abs error 0.005 over")
    with pytest.raises(trtlab.TrtlabError, match="quantile:Q"):
        Tolerance(0.1, 0.1, 0.9, "p99")


def test_the_settings_used_are_data_and_words():
    tols = with_overrides(["fp32", "fp16"], [parse_override("atol", "fp16=y:0.2")], "median")
    d = tolerances_dict(["fp32", "fp16"], tols)
    assert d["fp16"]["error_stat"] == "median" and d["fp16"]["outputs"]["y"]["atol"] == 0.2
    lines = tolerances_text(["fp32", "fp16"], tols)
    assert lines[0].startswith("fp32: error stat median") and lines[-1].startswith("fp16 output y:")
    assert tolerances_text(["fp16"], None) == ["fp16: element-wise, atol 0.01 + rtol 0.01·|ref|, cosine ≥ 0.999"]


def test_tolerances_per_precision_and_overrides():
    assert DEFAULT_TOLERANCES["fp32"].atol == 1e-5
    assert DEFAULT_TOLERANCES["fp16"].atol > DEFAULT_TOLERANCES["fp32"].atol
    assert DEFAULT_TOLERANCES["int8"].atol > DEFAULT_TOLERANCES["bf16"].atol > DEFAULT_TOLERANCES["fp16"].atol
    # One number or a pair sets atol and rtol; the precision's cosine bar stays.
    assert tolerance_for("fp16", {"fp16": 0.5}) == Tolerance(0.5, 0.5, 0.999)
    assert tolerance_for("fp16", {"fp16": (0.1, 0.2)}) == Tolerance(0.1, 0.2, 0.999)
    with pytest.raises(trtlab.TrtlabError, match="No default tolerance"):
        tolerance_for("fp9")
