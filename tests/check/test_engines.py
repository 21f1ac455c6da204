"""The engine side of a check: which TensorRT builds, whether its engines run here, what the cache gives
back, and a failed build said in the verdict."""

import json
import os
import subprocess
import sys

import pytest

import trtlab
from trtlab.check import check

from tests.check.support import FAST, has_tensorrt, needs_trt
from tests.models import chain_model, conv_model, det_model


def test_no_gpu_is_said_plainly(tmp_path):
    from trtlab.engines import can_run_engines

    if not has_tensorrt() or can_run_engines()[0]:
        pytest.skip("needs a TensorRT that cannot run engines here (no GPU)")
    r = check(chain_model(), ["fp32"], cache_dir=tmp_path, timing_options=FAST)
    text = " ".join(r.not_done)
    assert "engines not run or timed" in text and can_run_engines()[1] in text
    assert "TensorRT's speed-up was not measured: it needs a GPU that the installed TensorRT supports" in text
    assert all(e.built for e in r.engines)  # built all the same
    assert r.accuracy and r.accuracy[0].passed  # stand-ins measured accuracy


def test_no_tensorrt_installed(tmp_path):
    """In a fresh interpreter where neither TensorRT package can be imported."""
    code = (
        "import sys, json\n"
        "sys.modules['tensorrt'] = None; sys.modules['tensorrt_rtx'] = None\n"
        "from tests.models import chain_model\n"
        "from trtlab.check import check\n"
        f"r = check(chain_model(), ['fp32', 'fp16'], cache_dir={str(tmp_path)!r}, timing=False)\n"
        "print(json.dumps(r.to_dict()))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert d["engines"] == []
    assert any("engines not built" in s and "pip install" in s for s in d["not_done"])
    assert [a["precision"] for a in d["accuracy"]] == ["fp32", "fp16"]


@needs_trt
def test_parser_error_in_one_subgraph_leaves_the_precision_not_measured(tmp_path):
    m = det_model()
    plan = trtlab.partition(m, include_nodes=["det"], exclude_nodes=["abs"])
    assert [s.nodes for s in plan.subgraphs] == [["relu", "det"], ["neg"]]
    r = check(m, ["fp32"], plan=plan, cache_dir=tmp_path, timing=False)
    by_id = {e.subgraph: e for e in r.engines}
    assert not by_id[0].built and "parser" in by_id[0].error.lower() and "det" in by_id[0].error.lower()
    assert by_id[1].built
    # The other engine still built, but fp32 did not run as TensorRT would: no verdict of pass.
    v = r.verdict("fp32")
    assert v.status == "not measured" and "subgraph 0" in v.reason and "det" in v.reason
    assert r.accuracy == [] and r.exit_status == 1
    assert any(s.startswith("fp32 not measured: ") for s in r.not_done)


@needs_trt
def test_cache_dir_that_cannot_be_written(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    r = check(chain_model(), ["fp32"], cache_dir=blocker / "cache", timing=False)
    assert all(e.built for e in r.engines)
    assert any("not writable" in s for s in r.not_done)


@needs_trt
def test_a_second_check_in_a_new_process_takes_every_engine_from_the_cache(tmp_path):
    """As two `trtlab check` runs: string hashing differs between processes, the keys must not."""
    code = ("import json, sys\n"
            "from tests.models import conv_model\n"
            "from trtlab.check import check\n"
            "r = check(conv_model(), ['fp32', 'fp16'], cache_dir=sys.argv[1], timing=False)\n"
            "print(json.dumps([e.to_dict() for e in r.engines]))\n")
    runs = []
    for seed in ("1", "2"):
        out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True,
                             timeout=300, env=dict(os.environ, PYTHONHASHSEED=seed))
        assert out.returncode == 0, out.stderr
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    assert len(runs[1]) == 2 and not any(e["cache_hit"] for e in runs[0])
    assert all(e["cache_hit"] and e["built"] for e in runs[1])
    assert [e["bytes"] for e in runs[1]] == [e["bytes"] for e in runs[0]]


@needs_trt
def test_a_truncated_engine_is_rebuilt_by_the_next_check(tmp_path):
    first = check(conv_model(), ["fp32"], cache_dir=tmp_path, timing=False)
    (engine_path,) = (tmp_path / "engines").glob("*.engine")
    engine_path.write_bytes(engine_path.read_bytes()[:1000])
    again = check(conv_model(), ["fp32"], cache_dir=tmp_path, timing=False)
    assert [e.cache_hit for e in again.engines] == [False] and again.engines[0].built
    assert engine_path.stat().st_size == first.engines[0].bytes


def test_what_was_built_and_what_came_from_the_cache_are_said_apart():
    from trtlab.check.engines import engines_done
    from trtlab.engines.result import BuildResult
    from trtlab.installed_tensorrt import find_tensorrt

    tensorrt = find_tensorrt()
    if tensorrt is None:
        pytest.skip("needs tensorrt-rtx (pip install 'trtlab[rtx]')")
    portable = ", portable" if tensorrt.portable else ""
    ok = [BuildResult("trt_engine_0", "fp16", True), BuildResult("trt_engine_1", "fp16", True, cache_hit=True)]
    assert engines_done("fp16", ok, 3, tensorrt) == \
        f"fp16 engines: 1 built, 1 from the cache; 2 of 3 ready, by {tensorrt.label}{portable}"
    assert engines_done("fp32", ok[1:], 1, tensorrt) == \
        f"fp32 engines: 1 from the cache; all ready, by {tensorrt.label}{portable}"
