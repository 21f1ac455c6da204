import numpy as np
import pytest

import trtlab
from trtlab.check import check

from tests.check.support import needs_trt
from tests.models import fragile_chain


@needs_trt
def test_auto_searches_then_verifies_with_engines_built_that_way(tmp_path):
    r = check(fragile_chain(bad=(2,)), ["fp32", "fp16"], keep_fp32="auto", timing=False, cache_dir=tmp_path)
    v = r.verdict("fp16")
    assert v.status == "pass", v.reason
    assert v.reason.startswith("1 of 20 nodes kept in fp32 by the search (mm2; ")
    assert ", verified: y: every element within" in v.reason and "; without them: y: " in v.reason
    assert "stand-ins (not TensorRT)" in v.ran  # the engines were built; no GPU here runs them
    assert [e.precision for e in r.engines] == ["fp32", "fp16"] and all(e.built for e in r.engines)
    kept = {k["node"]: k["reason"] for k in r.kept_fp32["fp16"]}
    assert kept["mm2"] == "kept by the search"
    assert [a.precision for a in r.accuracy] == ["fp32", "fp16"] and r.accuracy[1].passed  # the verified run
    d = r.to_dict()
    assert d["keep_fp32_search"]["fp16"]["kept"][0]["node"] == "mm2" and d["settings"]["keep_fp32"] == "auto"
    assert "keep fp32 search fp16: 1 of 20 nodes" in r.summary()
    assert "mm2" in r.searches["fp16"].summary()


@needs_trt
def test_auto_without_a_set_under_the_bound_fails_and_shows_the_best(tmp_path):
    r = check(fragile_chain(bad=(1, 3)), ["fp16"], keep_fp32="auto", keep_fp32_bound=0.05, timing=False,
              cache_dir=tmp_path)
    v = r.verdict("fp16")
    assert v.status == "fail" and "no set of at most 1 node (5% of 21) kept in fp32 passes; the best found keeps 1" \
        in v.reason
    assert r.exit_status == 1


def test_named_nodes_are_kept_and_unknown_ones_are_an_error():
    r = check(fragile_chain(bad=(2,)), ["fp16"], keep_fp32=["mm2"], build=False, timing=False)
    assert {k["node"]: k["reason"] for k in r.kept_fp32["fp16"]}["mm2"] == "user: listed in keep_fp32_nodes"
    assert ": would pass: " in r.verdict("fp16").reason
    with pytest.raises(trtlab.TrtlabError, match="'nope', which is not a node"):
        check(fragile_chain(), ["fp16"], keep_fp32=["nope"], build=False, timing=False)
    with pytest.raises(trtlab.TrtlabError, match="keep_fp32_bound"):
        check(fragile_chain(), ["fp16"], keep_fp32="auto", keep_fp32_bound=2.0, build=False)


def test_no_build_is_not_measured_with_the_transform_alone():
    r = check(fragile_chain(bad=(2,)), ["fp32", "fp16"], build=False, timing=False)
    fp16 = r.verdict("fp16")
    assert fp16.status == "not measured" and r.exit_status == 1 and not r.to_dict()["passed"]
    assert fp16.reason.startswith("engines not built (--no-build); the transform alone, on ONNX Runtime stand-ins")
    assert ": would fail: y: " in fp16.reason and "outside atol 0.01 + rtol 0.01·|ref|" in fp16.reason
    searched = check(fragile_chain(bad=(2,)), ["fp16"], build=False, timing=False, keep_fp32="auto")
    assert not searched.searches and any("no search for nodes to keep in fp32" in n for n in searched.not_done)


def test_nan_in_an_output_is_a_fail_with_no_figures():
    import numpy as np
    from onnx import numpy_helper

    m = fragile_chain(bad=())
    proto = m.proto.__class__()
    proto.CopyFrom(m.proto)
    w = numpy_helper.to_array(proto.graph.initializer[0]).copy()
    w[0, 0] = np.nan
    proto.graph.initializer[0].CopyFrom(numpy_helper.from_array(w, proto.graph.initializer[0].name))
    r = check(trtlab.load(proto, name="nan"), ["fp32"], build=False, timing=False)
    o = r.accuracy[0].outputs[0]
    assert np.isnan(o.max_abs) and np.isnan(o.cosine) and "NaN" in r.verdict("fp32").reason
    row = r.to_dict()["accuracy"][0]
    assert row["max_abs"] is None and row["cosine"] is None  # JSON null, never 0 or 1.0
    assert "n/a: NaN in output" in r.summary()


@needs_trt
def test_the_search_tolerances_and_new_figures_round_trip_through_the_record(tmp_path):
    from trtlab.accuracy import Tolerance
    from trtlab.check import load_result, save_result

    tols = {"fp32": Tolerance(1e-5, 1e-5, 0.99999), "fp16": Tolerance(0.01, 0.01, 0.999, "quantile:0.99"),
            "fp16:y": Tolerance(0.01, 0.01, 0.999)}
    r = check(fragile_chain(bad=(2,)), ["fp32", "fp16"], keep_fp32="auto", tolerances=tols, timing=False,
              cache_dir=tmp_path / "cache")
    back = load_result(save_result(r, tmp_path / "r.json"))
    assert back.to_dict() == r.to_dict()
    assert back.settings.tolerances == tols and back.settings.keep_fp32 == "auto"
    assert back.searches["fp16"].names == ["mm2"] and back.verdict("fp16") == r.verdict("fp16")
    o, b = r.accuracy[1].outputs[0], back.accuracy[1].outputs[0]
    assert (b.p99_abs, b.fraction_outside, b.worst_index, b.reason) == (o.p99_abs, o.fraction_outside,
                                                                        o.worst_index, o.reason)


@needs_trt
def test_auto_at_int8_leaves_nodes_unquantized_and_verifies(tmp_path):
    from trtlab.accuracy import Tolerance

    r = check(fragile_chain(bad=()), ["int8"], keep_fp32="auto", keep_fp32_bound=0.5, timing=False,
              tolerances={"int8": Tolerance(0.01, 0.0, 0.9999)}, cache_dir=tmp_path)
    s = r.searches["int8"]
    assert s.kept and all(k.op == "MatMul" for k in s.kept) and r.verdict("int8").status == "pass", \
        r.verdict("int8").reason
    assert {k["node"] for k in r.kept_fp32["int8"]} >= set(s.names)
    assert all(e.built for e in r.engines if e.precision == "int8")  # engines built with them unquantized


@needs_trt
def test_auto_over_a_profile_verifies_the_kept_nodes_at_every_point(tmp_path):
    rows = {"x": {"min": [1, 16], "opt": [4, 16], "max": [8, 16]}}
    r = check(fragile_chain(bad=(2,)), ["fp16"], keep_fp32="auto", timing=False, cache_dir=tmp_path, profiles=[rows])
    assert r.verdict("fp16").status == "pass", r.verdict("fp16").reason
    assert [(a.point, dict(a.shapes)["x"], a.passed) for a in r.accuracy] == [
        ("opt", (4, 16), True), ("min", (1, 16), True), ("max", (8, 16), True)]  # the verified runs


@needs_trt
def test_a_fail_says_what_to_do_calibrate_on_real_inputs_or_search(tmp_path):
    tight = {"int8": (1e-4, 1e-4)}
    r = check(fragile_chain(bad=(2,)), ["fp16", "int8"], tolerances=tight, timing=False, cache_dir=tmp_path)
    fp16, int8 = r.verdict("fp16"), r.verdict("int8")
    assert fp16.status == int8.status == "fail", r.verdicts
    assert fp16.reason.endswith("; --keep-fp32 auto searches for nodes to keep in fp32") and "calibrat" not in fp16.reason
    assert "; its scales came from random inputs: calibrate on real samples with --calibration DIR" in int8.reason
    assert int8.reason.endswith("; --keep-fp32 auto searches for nodes to keep in fp32")
    chain = fragile_chain(bad=(2,))
    samples = [{"x": np.random.default_rng(s).standard_normal((4, 16)).astype(np.float32)}
               for s in range(2)]
    r = check(chain, ["int8"], tolerances=tight, calibration=samples, keep_fp32=["mm2"], timing=False,
              cache_dir=tmp_path)
    v = r.verdict("int8")  # real calibration and nodes given: nothing more to advise
    assert v.status == "fail" and "random inputs" not in v.reason and "--keep-fp32 auto" not in v.reason, v
