"""`trtlab lab`: the JupyterLab command line it builds, and a real server it starts."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from trtlab.cli import main
from trtlab.cli.lab import notebooks_dir

REPO = Path(__file__).resolve().parents[2]


def test_finds_the_repository_notebooks():
    found = notebooks_dir()
    assert found is not None and found.resolve() == (REPO / "notebooks").resolve()
    assert (found / "01-quickstart.ipynb").exists()


def _print(argv, capsys) -> list[str]:
    assert main(["lab", "--print-command", *argv]) == 0
    import shlex

    return shlex.split(capsys.readouterr().out.strip())


def test_command_line(capsys, tmp_path):
    pytest.importorskip("jupyterlab", reason="needs jupyterlab (pip install 'trtlab[lab]')")
    cmd = _print(["--dir", str(tmp_path), "--no-browser", "--port", "8899", "--",
                  "--ServerApp.token=abc"], capsys)
    assert cmd[:3] == [sys.executable, "-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={tmp_path.resolve()}" in cmd
    assert "--no-browser" in cmd and "--port=8899" in cmd
    assert cmd[-1] == "--ServerApp.token=abc"
    default = _print([], capsys)
    assert f"--ServerApp.root_dir={(REPO / 'notebooks').resolve()}" in default
    assert "--no-browser" not in default


def test_bad_arguments_are_one_line_errors(capsys, tmp_path):
    pytest.importorskip("jupyterlab", reason="needs jupyterlab (pip install 'trtlab[lab]')")
    assert main(["lab", "--print-command", "--dir", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("trtlab: error:") and "--dir" in err and err.count("\n") == 1
    assert main(["lab", "--print-command", "--port", "70000"]) == 2
    assert "port" in capsys.readouterr().err


def test_missing_jupyterlab_names_the_extra():
    # A None entry in sys.modules makes `import jupyterlab` fail as if it were not installed.
    code = ("import sys; sys.modules['jupyterlab'] = None\n"
            "from trtlab.cli import main\n"
            "sys.exit(main(['lab', '--print-command']))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          cwd=REPO)
    assert proc.returncode == 2, proc.stderr
    assert "trtlab[lab]" in proc.stderr and "Traceback" not in proc.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_starts_a_real_server(tmp_path):
    pytest.importorskip("jupyterlab", reason="needs jupyterlab (pip install 'trtlab[lab]')")
    port, token = _free_port(), "trtlab-test-token"
    env = dict(os.environ, HOME=str(tmp_path), JUPYTER_CONFIG_DIR=str(tmp_path / "cfg"),
               JUPYTER_DATA_DIR=str(tmp_path / "data"), JUPYTER_RUNTIME_DIR=str(tmp_path / "rt"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "trtlab", "lab", "--no-browser", "--ip", "127.0.0.1", "--port",
         str(port), "--", f"--IdentityProvider.token={token}", "--ServerApp.allow_root=True"],
        env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True)
    try:
        deadline, listing = time.monotonic() + 60, None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                url = f"http://127.0.0.1:{port}/api/contents?token={token}"
                with urllib.request.urlopen(url, timeout=2) as r:
                    listing = json.load(r)
                break
            except OSError:
                time.sleep(0.5)
        assert listing is not None, proc.stderr.read().decode() if proc.poll() is not None else "no answer"
        names = {item["name"] for item in listing["content"]}
        assert "01-quickstart.ipynb" in names
    finally:
        # The server runs in its own session: end that group, which only holds what we started.
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
