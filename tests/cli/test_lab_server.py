"""The JupyterLab server `trtlab lab` starts: the quickstart's kernel is running before any page asks
to run a cell; the server's details read from its runtime file; a server stopped and waited on."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from trtlab.cli.lab_server import server_info, stop, wait

from ..browser.server import stop_group

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_starts_a_real_server_on_the_copied_tutorials_with_the_quickstarts_kernel(tmp_path):
    pytest.importorskip("jupyterlab", reason="needs jupyterlab (pip install 'trtlab[lab]')")
    port, token = _free_port(), "trtlab-test-token"
    env = dict(os.environ, HOME=str(tmp_path), JUPYTER_CONFIG_DIR=str(tmp_path / "cfg"),
               JUPYTER_DATA_DIR=str(tmp_path / "data"), JUPYTER_RUNTIME_DIR=str(tmp_path / "rt"))
    before = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True).stdout
    proc = subprocess.Popen(
        [sys.executable, "-m", "trtlab", "lab", "--no-browser", "--ip", "127.0.0.1", "--port",
         str(port), "--", f"--IdentityProvider.token={token}", "--ServerApp.allow_root=True"],
        env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline, listing, sessions = time.monotonic() + 120, None, []
        while time.monotonic() < deadline and proc.poll() is None and not sessions:
            try:
                api = f"http://127.0.0.1:{port}/api/%s?token={token}"
                with urllib.request.urlopen(api % "contents", timeout=2) as r:
                    listing = json.load(r)
                with urllib.request.urlopen(api % "sessions", timeout=2) as r:
                    sessions = json.load(r)
            except OSError:
                pass
            time.sleep(0.5)
        assert listing is not None, proc.stderr.read().decode() if proc.poll() is not None else "no answer"
        names = {item["name"] for item in listing["content"]}
        assert {"01-quickstart.ipynb", "04-your-model.ipynb"} <= names
        assert (tmp_path / "trtlab-notebooks" / "01-quickstart.ipynb").is_file()
        # The quickstart's kernel is started before any page asks to run a cell.
        assert [s["path"] for s in sessions] == ["01-quickstart.ipynb"] and sessions[0]["kernel"]["id"]
    finally:
        # The server runs in its own session: end that group, which only holds what we started.
        stop_group(proc)
    after = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True).stdout
    assert after == before  # nothing written into the checkout


def test_a_server_that_ends_before_answering_gives_no_details(tmp_path, monkeypatch):
    pytest.importorskip("jupyter_core", reason="needs jupyterlab (pip install 'trtlab[lab]')")
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    start = time.monotonic()
    assert server_info(ended, timeout_s=30) is None and time.monotonic() - start < 5


def test_stop_ends_the_server_and_wait_returns_its_status():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    stop(proc)
    assert proc.poll() is not None and proc.returncode < 0  # ended by SIGTERM, not after a minute
    stop(proc)  # a second stop of an ended server does nothing
    done = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    assert wait(done) == 3
