"""What a check makes of a model's weights: each subgraph converted once per precision (the
engine is built from the very model the check validated), and no cut outliving its precision."""

from __future__ import annotations

import gc

import onnx
import pytest

import trtlab
from trtlab.check import check
from trtlab.precision import convert as convert_module

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


# A check as `trtlab check FILE --precision P` runs it, in a process of its own: its peak is that
# of the process tree (the check's process and its TensorRT build worker), sampled from outside.
_CHECK = """
import sys
import trtlab
from trtlab.check import check
result = check(trtlab.load(sys.argv[1]), [sys.argv[2]], cache_dir=sys.argv[3], build=sys.argv[4] == "build")
print(result.verdict(sys.argv[2]).status, sum(e.built for e in result.engines))
"""


@pytest.mark.parametrize("precision, build", [("fp16", "build"), ("fp32", "no-build")])
def test_a_checks_process_tree_peaks_within_three_times_its_file_over_the_fixed_cost(tmp_path, precision, build):
    """The whole tree's peak less the fixed cost (the same check of zoo:tiny, 14 kB: Python, the
    packages, ONNX Runtime's and TensorRT's own memory) stays within 3x the file, for a 47 MB
    model. fp32 is checked without builds: TensorRT-RTX's builder alone peaks at about 3x the
    fp32 weights over its own start (see bench/bench_memory.py)."""
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
    assert over <= 3 * file_mb, (f"{precision}: the tree peaked at {peaks['chain'].tree_mb:.0f} MB, "
                                 f"{over:.0f} MB over the fixed cost of {peaks['tiny'].tree_mb:.0f} MB: "
                                 f"{over / file_mb:.2f}x the {file_mb:.0f} MB file")
