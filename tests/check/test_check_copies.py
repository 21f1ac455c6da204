"""What a check makes of a model's weights: each subgraph converted once per precision (the
engine is built from the very model the check validated), and no cut outliving its precision."""

from __future__ import annotations

import gc
import threading

import onnx
import pytest

import trtlab
from trtlab.check import check
from trtlab.precision import convert as convert_module
from trtlab.weight_store import has_references

from tests.check.support import has_tensorrt, needs_trt


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


def _large_model() -> trtlab.Model:
    """Two weights of 1536 x 1536 (19 MB): a large model, whose weights a check stores."""
    from tests.models import matmul_chain

    return trtlab.load(matmul_chain(count=2))


class _Stop(Exception):
    pass


def test_a_checked_model_lends_its_weights_and_gets_them_back_byte_for_byte():
    model = _large_model()
    before = model.proto.SerializeToString()
    lent = []

    def progress(event):
        lent.append(has_references(model.proto))

    first = check(model, ["fp32", "fp16"], build=False, timing=False, progress=progress)
    assert lent[0] is False and lent[-1] is False and any(lent)  # lent while the check ran, given back at the end
    assert model.proto.SerializeToString() == before and first.model is model
    again = check(model, ["fp32", "fp16"], build=False, timing=False)  # the same Model checked again
    assert [again.verdict(p).status for p in ("fp32", "fp16")] == [first.verdict(p).status for p in ("fp32", "fp16")]
    assert [a.to_dict() for a in again.accuracy] == [a.to_dict() for a in first.accuracy]
    assert model.proto.SerializeToString() == before


@pytest.mark.parametrize("ending", ["raises", "cancelled"])
def test_a_check_that_stops_midway_gives_the_weights_back(ending):
    model = _large_model()
    before = model.proto.SerializeToString()
    stop = threading.Event()

    def progress(event):
        if event.stage == "accuracy":  # the model is lent by now
            assert has_references(model.proto)
            if ending == "raises":
                raise _Stop()
            stop.set()

    if ending == "raises":
        with pytest.raises(_Stop):
            check(model, ["fp32", "fp16"], build=False, timing=False, progress=progress)
    else:
        result = check(model, ["fp32", "fp16"], build=False, timing=False, progress=progress, cancel=stop)
        assert result.cancelled
    assert model.proto.SerializeToString() == before and not has_references(model.proto)


# A check as `trtlab check FILE --precision P` runs it, in a process of its own: its peak is that
# of the process tree (the check's process and its TensorRT build worker), sampled from outside.
_CHECK = """
import sys
import trtlab
from trtlab.check import check
result = check(trtlab.load(sys.argv[1]), [sys.argv[2]], cache_dir=sys.argv[3], build=sys.argv[4] == "build")
print(result.verdict(sys.argv[2]).status, sum(e.built for e in result.engines))
"""


@pytest.mark.parametrize("precision, build", [("fp16", "build"), ("fp32", "no-build"), ("int8", "build"),
                                              ("fp8", "build")])
def test_a_checks_process_tree_peaks_within_twice_its_file_over_the_fixed_cost(tmp_path, precision, build):
    """The whole tree's peak less the fixed cost (the same check of zoo:tiny, 14 kB: Python, the
    packages, ONNX Runtime's and TensorRT's own memory) stays within 2x the file, for a 47 MB
    model (issue 21 asks for 3x; with the model's own weights lent to the check's store it came
    to 1.4-1.8x here, and 2.1-2.6x while the model held them). fp32 is checked without builds: TensorRT-RTX's builder alone peaks at about 3x the
    fp32 weights over its own start (see bench/bench_memory.py). int8 and fp8 quantize with the
    ranges trtlab measures (`trtlab.precision.ranges`), ONNX Runtime's calibrator never running."""
    import sys

    from tests.models import matmul_chain
    from trtlab.memory import run_measured

    if not sys.platform.startswith("linux"):
        pytest.skip("process memory is read from /proc (Linux)")
    files = {"tiny": tmp_path / "tiny.onnx", "chain": tmp_path / "chain.onnx"}
    trtlab.load("zoo:tiny").save(files["tiny"])
    onnx.save(matmul_chain(), files["chain"])
    peaks = {}
    for name, path in files.items():
        done, peaks[name] = run_measured([sys.executable, "-c", _CHECK, str(path), precision,
                                          str(tmp_path / f"cache-{name}"), build], interval=0.01)
        assert done.returncode == 0, done.stderr[-2000:]
        status, engines = done.stdout.strip().splitlines()[-1].rsplit(" ", 1)
        assert status in ("pass", "fail", "not measured"), done.stdout
        if build == "build" and has_tensorrt():
            assert int(engines) >= 1 and len(peaks[name].peaks) >= 2  # the worker built, and was measured
    file_mb = files["chain"].stat().st_size / 1024**2
    over = peaks["chain"].tree_mb - peaks["tiny"].tree_mb
    print(f"{precision} {build}: tree {peaks['chain'].tree_mb:.0f} MB, fixed cost {peaks['tiny'].tree_mb:.0f} MB, "
          f"{over / file_mb:.2f}x the {file_mb:.0f} MB file over it")
    assert 40 < file_mb < 50
    assert over <= 2 * file_mb, (f"{precision}: the tree peaked at {peaks['chain'].tree_mb:.0f} MB, "
                                 f"{over:.0f} MB over the fixed cost of {peaks['tiny'].tree_mb:.0f} MB: "
                                 f"{over / file_mb:.2f}x the {file_mb:.0f} MB file")
