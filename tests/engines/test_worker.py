"""Builds in a worker process: a crash, the time limit, a cancel and Ctrl-C end the worker, never
the caller, and the next build goes on."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("tensorrt_rtx", reason="needs TensorRT-RTX (pip install 'trtlab[rtx]')")

from trtlab import scratch  # noqa: E402
from trtlab.engines import BuildOptions, EngineCache, build_engine, build_engines, worker  # noqa: E402
from trtlab.engines.worker import exit_reason  # noqa: E402
from trtlab.installed_tensorrt import require_tensorrt  # noqa: E402

from tests.models import relu_chain, tiny_cnn  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cnn():
    return tiny_cnn(folded_weight=False).SerializeToString()


def test_a_crash_is_reported_and_the_next_build_goes_on(cnn, monkeypatch):
    # With a 1 MiB stack, TensorRT's builder overflows it on a 1,000-node chain: a real SIGSEGV.
    monkeypatch.setattr(worker, "STACK_BYTES", 1 << 20)
    before = set(scratch.folder().iterdir())
    start = time.monotonic()
    deep, good = build_engines([("deep", relu_chain(1000)), ("good", cnn)], "fp32", options=BuildOptions(timeout_s=120))
    assert not deep.built and deep.error == "the builder crashed: signal 11 (SIGSEGV)"
    assert good.built and good.error is None and good.bytes > 1000
    assert time.monotonic() - start < 120
    assert set(scratch.folder().iterdir()) == before  # the workers' folders for models and engines are gone


def test_a_worker_that_exits_says_why(cnn, monkeypatch):
    monkeypatch.setattr(worker, "STACK_BYTES", 1)  # a stack size the worker's Python refuses
    (result,) = build_engines([("cnn", cnn)], "fp32", options=BuildOptions(timeout_s=60))
    assert not result.built
    assert result.error.startswith("the build worker exited with status 1: ValueError"), result.error


def test_exit_reasons_in_words():
    assert exit_reason(-11) == "the builder crashed: signal 11 (SIGSEGV)"
    assert exit_reason(-9).startswith("the builder was killed: signal 9 (SIGKILL)")
    assert exit_reason(3) == "the build worker exited with status 3"


def test_the_time_limit_stops_the_build(cnn):
    start = time.monotonic()
    slow, good = build_engines([("slow", relu_chain(3000)), ("good", cnn)], "fp32", options=BuildOptions(timeout_s=2.5))
    assert time.monotonic() - start < 30  # the 3,000-node chain alone takes over 10 s here
    assert not slow.built and slow.error == "build stopped after 2.5 s (time limit)"
    assert 2.5 <= slow.build_s < 5
    assert good.built  # in a new worker, under the same limit (worker start-up not counted)


def test_cancel_stops_the_worker_mid_build():
    cancel = threading.Event()
    seen = []

    def progress(event):
        seen.append(event)
        if len(seen) == 1:
            threading.Timer(0.3, cancel.set).start()

    results = build_engines([("a", relu_chain(3000)), ("b", relu_chain(10))], "fp32", progress=progress,
                            cancel=cancel, options=BuildOptions(timeout_s=60))
    assert [r.error for r in results] == ["cancelled", "cancelled"] and seen
    assert results[0].build_s < 5  # the 3,000-node chain takes over 10 s to build here


def test_one_worker_serves_the_builds_of_one_call(cnn, monkeypatch):
    started = []
    popen = worker.subprocess.Popen

    def counting(*args, **kwargs):
        started.append(args)
        return popen(*args, **kwargs)

    monkeypatch.setattr(worker.subprocess, "Popen", counting)
    results = build_engines([(f"cnn{i}", cnn) for i in range(3)], "fp32")
    assert all(r.built for r in results) and len(started) == 1
    # A caller's own worker serves several calls, and is left running for the next.
    with worker.BuildWorker(require_tensorrt()) as own:
        for precision in ("fp32", "fp16"):
            assert build_engines([("cnn", cnn)], precision, worker=own)[0].built
        assert own.pid is not None and len(started) == 2


def test_progress_events_stream_from_the_worker(cnn):
    events = []
    result = build_engine(cnn, name="cnn", progress=lambda e: events.append((e, threading.get_ident())),
                          options=BuildOptions(timeout_s=None))
    assert result.built and events
    assert {e.engine for e, _ in events} == {"cnn"}
    assert {tid for _, tid in events} == {threading.get_ident()}  # delivered in the caller's thread
    phases = [e.phase for e, _ in events if e.kind == "phase_start"]
    assert phases == sorted(phases, key=phases.index) and len(set(phases)) >= 2


def test_the_detailed_log_is_kept_for_the_layer_list(cnn, tmp_path):
    import trtlab
    from trtlab.engines.build import layer_list_log
    from trtlab.fusion import parse_layer_list

    result = build_engine(cnn, name="cnn", cache=EngineCache(tmp_path))
    assert result.built and any(sev == "VERBOSE" for sev, _ in result.log)
    model = trtlab.Model.from_proto(tiny_cnn(folded_weight=False), name="cnn", source="test")
    units = parse_layer_list([m for _, m in result.log], model)
    assert units and {n for u in units for n in u.nodes} >= {"conv", "relu"}
    assert layer_list_log(result.log) and "engine" not in result.to_dict() and "log" not in result.to_dict()
    # A cache hit keeps the layer list in its sidecar: the kernels are known without a build.
    hit = build_engine(cnn, name="cnn", cache=EngineCache(tmp_path))
    hit_units = parse_layer_list([m for _, m in hit.log], model)
    assert hit.cache_hit and [u.nodes for u in hit_units] == [u.nodes for u in units]


INTERRUPTED = """
import os, signal, sys, threading
sys.path.insert(0, sys.argv[1])
from trtlab.engines import build_engines
from tests.models import relu_chain
started = []
def progress(event):
    if not started:
        started.append(1)
        threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()
try:
    build_engines([("deep", relu_chain(3000))], "fp32", progress=progress)
except KeyboardInterrupt:
    try:
        os.waitpid(-1, os.WNOHANG)
        print("a child process is left")
    except ChildProcessError:
        print("interrupted, no worker left")
"""


def test_keyboard_interrupt_kills_the_worker_and_is_raised_again():
    out = subprocess.run([sys.executable, "-c", INTERRUPTED, str(ROOT)], capture_output=True, text=True,
                         timeout=120, cwd=ROOT)
    assert out.stdout.strip() == "interrupted, no worker left", out.stderr[-2000:]


@pytest.mark.slow
def test_a_4000_node_chain_builds():
    (result,) = build_engines([("deep", relu_chain(4000))], "fp32", options=BuildOptions(timeout_s=300))
    assert result.built, result.error
