"""`trtlab sweep` from the command line, on the local cluster it starts itself."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from trtlab.cli import main

pytest.importorskip("distributed", reason="needs dask's distributed (pip install 'trtlab[sweep]')")

ROOT = Path(__file__).resolve().parents[2]
FAST = ["--seconds", "0.05", "--iterations", "3", "--warmup-ms", "5"]


@pytest.mark.slow
def test_a_local_sweep_prints_the_summary_and_writes_a_record_per_task(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["sweep", "zoo:tiny", "zoo:mixed", "--precision", "fp32", "fp16", "--out", str(out),
                 "--workers", "2", "--cache-dir", str(tmp_path / "cache"), *FAST])
    captured = capsys.readouterr()
    assert code == 0, captured
    assert "4 of 4 tasks done: 4 pass, 0 fail, 0 not measured" in captured.out
    assert [line.split()[:3] for line in captured.out.splitlines() if line.startswith(("tiny ", "mixed "))] == \
        [["tiny", "fp32", "pass"], ["tiny", "fp16", "pass"], ["mixed", "fp32", "pass"], ["mixed", "fp16", "pass"]]
    assert "[4/4]" in captured.err  # a progress line per task
    for model in ("tiny", "mixed"):
        for precision in ("fp32", "fp16"):
            record = json.loads((out / model / f"{precision}.json").read_text())
            assert record["verdicts"][0]["status"] == "pass" and record["sweep"]["seconds"] > 0
    assert (out / "summary.html").read_text().startswith("<!DOCTYPE html>")


def test_sweep_usage_errors_are_one_line(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    assert main(["sweep", "zoo:tiny", "--out", str(tmp_path / "file" / "out")]) == 2
    assert main(["sweep", "zoo:tiny", "--precision", "fp64", "--out", str(tmp_path / "o")]) == 2
    assert main(["sweep", "zoo:tiny", "--out", str(tmp_path / "o"), "--scheduler", "tcp://127.0.0.1:1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith("trtlab: error:") for line in err), err
    assert "Unknown precision 'fp64'" in err[1] and "Can't reach the Dask scheduler" in err[2]


@pytest.mark.slow
def test_ctrl_c_cancels_the_tasks_left_and_keeps_what_finished(tmp_path):
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    cmd = [sys.executable, "-m", "trtlab", "sweep", "zoo:tiny", "zoo:mixed", "zoo:mobilenetv2", "zoo:resnet18",
           "--precision", "fp32", "fp16", "--out", str(out), "--workers", "1",
           "--cache-dir", str(tmp_path / "cache"), *FAST]
    # Its own session, so that the interrupt reaches every process of it, as Ctrl-C in a terminal does.
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True, cwd=ROOT)
    try:
        seen = []
        while not seen or not seen[-1].startswith("[1/"):
            line = proc.stderr.readline()
            assert line, f"the sweep ended before a result: {seen}"
            seen.append(line)
        os.killpg(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, stderr
    assert "trtlab: interrupted" in stderr and "Traceback" not in stderr
    assert "cancelled" in stdout and "cancelled before it finished" in stdout
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json"))
    assert 1 <= len(written) < 8  # what finished stays; the rest was cancelled
    for name in written:
        assert json.loads((out / name).read_text())["sweep"]["final"] is True
    assert (out / "summary.html").exists()
