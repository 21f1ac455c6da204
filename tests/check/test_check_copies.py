"""What a check makes of a model's weights: each subgraph converted once per precision (the
engine is built from the very model the check validated), and no cut outliving its precision."""

from __future__ import annotations

import gc

import onnx
import pytest

import trtlab
from trtlab.check import check
from trtlab.precision import convert as convert_module

from tests.check.support import needs_trt


def _counting(monkeypatch):
    calls = []
    real = convert_module.sanitize_checked

    def counted(model, feeds=None):
        calls.append(model.graph.name if isinstance(model, onnx.ModelProto) else model)
        return real(model, feeds)

    monkeypatch.setattr(convert_module, "sanitize_checked", counted)
    return calls


@needs_trt
def test_the_fp16_engine_is_built_from_the_checks_own_conversion(monkeypatch, tmp_path):
    model = trtlab.load("zoo:resnet18")
    calls = _counting(monkeypatch)
    result = check(model, ["fp16"], timing=False, cache_dir=tmp_path)
    assert result.verdict("fp16").status in ("pass", "fail"), result.verdict("fp16").reason
    built = [e for e in result.engines if e.built]
    assert len(built) == result.plan.engine_count >= 1
    assert len(calls) == result.plan.engine_count  # converted once each: not again for the build
    # The same check again is served from the cache, keyed on the converted model itself.
    calls.clear()
    again = check(model, ["fp16"], timing=False, cache_dir=tmp_path)
    assert all(e.cache_hit for e in again.engines if e.built) and again.engines


def test_no_cut_outlives_its_precision(monkeypatch):
    from trtlab.check import measure as measure_module
    from trtlab.check import pipeline

    made, alive_at_start = [], {}
    real_cut, real_measure = measure_module.cut_subgraph, pipeline.measure

    def cut(plan, sid, store=None):
        proto = real_cut(plan, sid, store=store)
        made.append(id(proto))
        return proto

    def measure(ctx, precision):
        gc.collect()
        alive_at_start[precision] = [o for o in gc.get_objects()
                                     if type(o) is onnx.ModelProto and id(o) in made]
        return real_measure(ctx, precision)

    monkeypatch.setattr(measure_module, "cut_subgraph", cut)
    monkeypatch.setattr(pipeline, "measure", measure)
    result = check(trtlab.load("zoo:resnet18"), ["fp32", "fp16", "bf16"], timing=False, build=False)
    assert [result.verdict(p).status for p in ("fp32", "fp16", "bf16")] == ["not measured"] * 3  # no engines
    assert all(": would pass: " in result.verdict(p).reason for p in ("fp32", "fp16", "bf16"))
    assert made and alive_at_start == {"fp32": [], "fp16": [], "bf16": []}
