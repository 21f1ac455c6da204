"""The real-model corpus through `check`: a verdict only for what ran, on models trtlab did not write.

Each small model of `trtlab.corpus` whose package is installed is checked at every precision; the
tests assert the rules every verdict keeps, whatever the model, and each model's own statuses.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from trtlab.check import check
from trtlab.installed_tensorrt import find_tensorrt

from tests.check.support import needs_trt
from tests.real_models import SMALL, load_corpus

PRECISIONS = ["fp32", "fp16", "bf16", "int8", "fp8"]
# Each model's statuses in PRECISIONS, with TensorRT-RTX 1.7 building the engines and ONNX Runtime
# stand-ins running them (see the README's "Verdicts on real models"): a change in any of them is a
# change in what trtlab says about a real model, to be looked at and pinned again. int8 and fp8
# are calibrated on random inputs here; their fails say so.
EXPECTED = {
    "ppocr-det": ("pass", "pass", "not measured", "fail", "fail"),
    "ppocr-rec": ("pass", "pass", "pass", "fail", "fail"),
    "ppocr-cls": ("pass", "pass", "pass", "pass", "pass"),
    "yolov8n": ("pass", "pass", "fail", "fail", "fail"),
    "magika": ("pass", "pass", "pass", "pass", "pass"),
    "silero-vad": ("not measured",) * 5,
    "silero-vad-half": ("pass", "pass", "pass", "fail", "pass"),
    # The merged decoder's MatMuls are all inside the If's branches, which ONNX Runtime's
    # quantizer does not enter: no Q/DQ anywhere, so int8 and fp8 are not measured.
    "optimum-t5-merged": ("pass", "pass", "pass", "not measured", "not measured"),
    "optimum-gpt2-merged": ("pass", "pass", "pass", "not measured", "not measured"),
    "optimum-gpt2": ("pass", "pass", "pass", "pass", "pass"),
    "optimum-bert": ("pass", "pass", "pass", "pass", "pass"),
}
# Why the unmeasured ones are not measured.
WHY_NOT = {
    ("ppocr-det", "bf16"): "the bf16 engine of subgraph 0 was not built",
    ("silero-vad", "fp32"): "was not built: ONNX parser",
    ("silero-vad", "fp16"): "was not built: ONNX parser",
    ("silero-vad", "bf16"): "was not built: ONNX parser",
    ("silero-vad", "int8"): "nothing was quantized to int8: its 12 Conv/Gemm/MatMul nodes are inside the bodies "
                            "of If",
    ("silero-vad", "fp8"): "nothing was quantized to fp8: its 12 Conv/Gemm/MatMul nodes are inside the bodies of If",
    ("optimum-t5-merged", "int8"): "nothing was quantized to int8: its 54 Conv/Gemm/MatMul nodes are inside the "
                                   "bodies of If",
    ("optimum-t5-merged", "fp8"): "nothing was quantized to fp8: its 54 Conv/Gemm/MatMul nodes are inside the "
                                  "bodies of If",
    ("optimum-gpt2-merged", "int8"): "nothing was quantized to int8: its 26 Conv/Gemm/MatMul nodes are inside the "
                                     "bodies of If",
    ("optimum-gpt2-merged", "fp8"): "nothing was quantized to fp8: its 26 Conv/Gemm/MatMul nodes are inside the "
                                    "bodies of If",
}


@pytest.fixture(scope="module", params=SMALL)
def checked(request, tmp_path_factory):
    model, feeds = load_corpus(request.param)
    return request.param, check(model, PRECISIONS, feeds=feeds, timing=False,
                                cache_dir=tmp_path_factory.mktemp("cache"))


def test_every_corpus_model_has_its_statuses_pinned():
    assert set(EXPECTED) == set(SMALL)


@needs_trt
def test_each_model_gets_the_statuses_it_is_known_to_get(checked):
    name, r = checked
    assert tuple(r.verdict(p).status for p in PRECISIONS) == EXPECTED[name], [(v.precision, v.status, v.reason)
                                                                               for v in r.verdicts]
    for (model, precision), why in WHY_NOT.items():
        if model == name:
            assert why in r.verdict(precision).reason, r.verdict(precision)
    for v in r.verdicts:  # a fail names what to do next
        if v.status == "fail":
            assert "--keep-fp32 auto searches for nodes to keep in fp32" in v.reason, v
            if v.precision in ("int8", "fp8"):
                assert "its scales came from random inputs: calibrate on real samples" in v.reason, v


def test_every_precision_ends_in_one_status_that_says_what_ran(checked):
    name, r = checked
    assert [v.precision for v in r.verdicts] == PRECISIONS
    for v in r.verdicts:
        if v.status == "not measured":
            assert v.reason
            # Figures for an unmeasured precision only where its reason says they are the transform's alone.
            if any(a.precision == v.precision for a in r.accuracy):
                assert "the transform alone" in v.reason, v
            assert any(s.startswith(f"{v.precision} not measured") for s in r.not_done)
        else:
            assert v.ran, v
            assert any(a.precision == v.precision for a in r.accuracy)
            if not r.engines_runnable:
                assert "stand-ins (not TensorRT)" in v.ran
    # No pass where an engine of that precision was not built.
    for e in r.engines:
        if not e.built:
            assert r.verdict(e.precision).status == "not measured", (name, e)


def test_a_pass_is_a_real_match_and_fp16_is_close(checked):
    name, r = checked
    for a in r.accuracy:
        v = r.verdict(a.precision)
        finite = all(math.isfinite(o.max_abs) for o in a.outputs)
        if v.status == "pass":
            assert finite and a.passed
        if a.precision == "fp16" and v.status == "pass":
            assert min(o.cosine for o in a.outputs) > 0.999, (name, a.outputs)


def test_json_and_exit_status_agree_with_the_verdicts(checked):
    _, r = checked
    d = r.to_dict()
    assert [(v["precision"], v["status"]) for v in d["verdicts"]] == [(v.precision, v.status) for v in r.verdicts]
    assert d["passed"] == (r.exit_status == 0) == all(v.status == "pass" for v in r.verdicts)


def test_a_hugging_face_bert_keeps_its_integer_inputs_through_check():
    pytest.importorskip("transformers", reason="needs transformers (pip install 'trtlab[test]')")
    model, _ = load_corpus("bert")
    assert {n: i.dtype for n, i in model.inputs.items()} == {"input_ids": "int64", "attention_mask": "int64"}
    r = check(model, ["fp32", "fp16"], build=False, timing=False)
    # No engine built: not measured, with what the transform alone gave on the stand-ins.
    assert r.random_feeds and [v.status for v in r.verdicts] == ["not measured"] * 2, r.verdicts
    assert all("stand-ins (not TensorRT)" in v.reason and ": would pass: " in v.reason for v in r.verdicts)


@pytest.mark.parametrize("use_cache", [True, False], ids=["with-past", "no-past"])
def test_optimums_merged_decoder_checks_in_each_branch(use_cache):
    """Optimum's own T5 decoder_model_merged.onnx: both branches load, partition and check, and
    fp16 keeps its masks (fp32's lowest value) out of fp16 inside the branches."""
    model, feeds = load_corpus("optimum-t5-merged")
    feeds = {**feeds, "use_cache_branch": np.array([use_cache])}
    r = check(model, ["fp32", "fp16"], feeds=feeds, timing=False, cache_dir=None)
    expected = "pass" if find_tensorrt() is not None else "not measured"
    assert [v.status for v in r.verdicts] == [expected] * 2, r.verdicts
    assert all(math.isfinite(o.max_abs) and o.cosine > 0.9999 for a in r.accuracy for o in a.outputs)
