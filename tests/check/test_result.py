"""What a check found: one verdict per precision that only gets worse, the exit status from them, engine
rows that keep their subgraph id, and JSON without NaN."""

from __future__ import annotations

import json
import math

import trtlab
from trtlab.check import FAIL, NOT_MEASURED, PASS, CheckResult, CheckSettings, EngineRow, Verdict
from trtlab.engines.result import BuildResult

from tests.models import chain_model


def _result(*precisions: str) -> CheckResult:
    return CheckResult(trtlab.partition(chain_model()), CheckSettings.make(list(precisions)))


def test_a_later_word_on_a_precision_only_makes_it_worse():
    r = _result("fp32", "fp16")
    r.set_verdict("fp16", PASS, "y: every element within", ran="stand-ins")
    r.set_verdict("fp16", FAIL, "y: 3 elements off")
    r.set_verdict("fp16", PASS, "a second pass does not undo the fail")
    assert r.verdict("fp16") == Verdict("fp16", FAIL, "y: 3 elements off")
    r.set_verdict("fp16", NOT_MEASURED, "engine not built")
    r.set_verdict("fp16", FAIL, "too late")
    assert r.verdict("fp16").status == NOT_MEASURED and not r.verdict("fp16").measured
    r.replace_verdict("fp16", PASS, "verified with nodes kept in fp32")  # a search's verified result
    assert r.verdict("fp16").reason == "verified with nodes kept in fp32" and len(r.verdicts) == 1
    # fp32 never got a word: the check stopped before it, and that is not a pass.
    assert r.verdict("fp32").status == NOT_MEASURED and r.verdict("fp32").reason.startswith("the check stopped")
    assert not r.passed and r.exit_status == 1
    r.set_verdict("fp32", PASS)
    assert r.passed and r.exit_status == 0
    assert repr(r) == "<trtlab.CheckResult 'chain': fp32 pass, fp16 pass>"


def test_a_verdict_says_itself_in_one_line():
    assert Verdict("fp16", FAIL, "y: off by 0.3", "TensorRT engines").text() == \
        "fp16: FAIL: y: off by 0.3. Ran on TensorRT engines"
    assert Verdict("bf16", NOT_MEASURED, "no engine", "stand-ins").text() == "bf16: not measured: no engine"


def test_an_engine_row_keeps_its_subgraph_and_leaves_the_bytes_out():
    build = BuildResult("trt_engine_3", "fp16", True, bytes=1234, build_s=0.5, builder="TensorRT-RTX 1.7.1",
                        messages=["INFO: built"], engine=b"x" * 1234)
    row = EngineRow.of(3, build)
    assert row.name == "trt_engine_3" and row.messages == ("INFO: built",)
    d = row.to_dict()
    assert d["subgraph"] == 3 and d["name"] == "trt_engine_3" and d["bytes"] == 1234 and "engine" not in d


def test_json_has_a_verdict_per_precision_and_no_nan():
    r = _result("fp32", "int8")
    r.set_verdict("fp32", PASS)
    r.hybrid_max_abs = math.nan
    d = json.loads(r.to_json())  # strict JSON: NaN would not parse back as a number
    assert [(v["precision"], v["status"]) for v in d["verdicts"]] == [("fp32", "pass"), ("int8", "not measured")]
    assert d["hybrid"]["max_abs_vs_reference"] is None and d["passed"] is False
    assert d["partition"]["subgraphs"] and d["record"]
