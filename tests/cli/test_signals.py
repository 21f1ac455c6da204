"""SIGTERM and SIGHUP end `trtlab check` as Ctrl-C does; kill -9 leaves no build worker, and its
temporary folder is swept at the next start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("tensorrt_rtx", reason="needs TensorRT-RTX (pip install 'trtlab[rtx]')")

from tests.models import relu_chain  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def _check_until_building(tmp_path: Path) -> tuple[subprocess.Popen, str, Path]:
    """`trtlab check` of a chain whose build takes seconds, once its worker is building."""
    model, temp = tmp_path / "chain.onnx", tmp_path / "tmp"
    model.write_bytes(relu_chain(2500))
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "trtlab", "check", str(model), "--cache-dir",
                             str(tmp_path / "cache")], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
        if children and list(temp.glob("trtlab-run-*/build-*/*.onnx")):
            time.sleep(0.5)
            return proc, children[0], temp
        time.sleep(0.1)
    proc.kill()
    pytest.fail(f"the build did not start: {proc.communicate()}")


def _gone(pid: str, within_s: float = 5.0) -> bool:
    """Whether process `pid` ended (a zombie waiting for init has ended)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            if Path(f"/proc/{pid}/stat").read_text().split()[2] in ("Z", "X"):
                return True
        except (FileNotFoundError, ProcessLookupError):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to see processes")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_end_the_check_like_ctrl_c(tmp_path, signum):
    proc, worker, temp = _check_until_building(tmp_path)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signum, err
    assert err.strip().splitlines()[-1] == f"trtlab: stopped by {signal.Signals(signum).name}"
    assert "Traceback" not in err
    assert _gone(worker)
    assert list(temp.glob("trtlab-*")) == []  # the models handed to the worker are removed


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_kill_9_takes_the_worker_along_and_the_next_start_sweeps_its_folder(tmp_path):
    proc, worker, temp = _check_until_building(tmp_path)
    proc.kill()
    proc.communicate(timeout=60)
    assert _gone(worker), "the build worker outlived its killed parent"
    left = list(temp.glob("trtlab-run-*"))
    assert len(left) == 1
    code = "from trtlab import scratch; print(scratch.folder())"
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "TMPDIR": str(temp), "PYTHONPATH": str(ROOT)},
                         capture_output=True, text=True, check=True)
    assert not left[0].exists()
    assert Path(out.stdout.strip()).parent == temp
    assert list(temp.glob("trtlab-run-*")) == []  # and the new process removed its own at exit
