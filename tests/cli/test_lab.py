"""`trtlab lab`: the work folder (never where trtlab lives), the JupyterLab command line, no
JupyterLab import in the launcher, a real server started by the real command with the
quickstart's kernel (the copying itself: test_notebooks.py)."""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from trtlab.cli import main

from ..browser.server import stop_group

REPO = Path(__file__).resolve().parents[2]


def _print(argv, capsys) -> list[str]:
    assert main(["lab", "--print-command", *argv]) == 0
    return shlex.split(capsys.readouterr().out.strip())


def test_command_line(capsys, tmp_path, monkeypatch):
    pytest.importorskip("jupyterlab", reason="needs jupyterlab (pip install 'trtlab[lab]')")
    cmd = _print(["--dir", str(tmp_path), "--port", "8899", "--", "--ServerApp.token=abc"], capsys)
    assert cmd[:3] == [sys.executable, "-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={tmp_path.resolve()}" in cmd and "--port=8899" in cmd
    # A workspace of the work folder's own (emptied at each launch): only the quickstart opens.
    assert f"--LabApp.workspaces_dir={tmp_path.resolve() / '.jupyter-workspaces'}" in cmd
    assert "--LabApp.default_url=/lab/tree/01-quickstart.ipynb" in cmd
    assert cmd[-1] == "--ServerApp.token=abc"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    default = _print([], capsys)
    assert f"--ServerApp.root_dir={(tmp_path / 'home' / 'trtlab-notebooks').resolve()}" in default


def test_the_work_folder_is_never_where_trtlab_lives(capsys):
    for inside in (REPO / "notebooks", REPO / "trtlab"):
        assert main(["lab", "--print-command", "--dir", str(inside)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("trtlab: error:") and "--dir" in err and err.count("\n") == 1


def test_bad_arguments_are_one_line_errors(capsys, tmp_path):
    (tmp_path / "file").write_text("x")
    assert main(["lab", "--print-command", "--dir", str(tmp_path / "file")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("trtlab: error:") and "--dir" in err and err.count("\n") == 1
    assert main(["lab", "--print-command", "--port", "70000", "--dir", str(tmp_path)]) == 2
    assert "port" in capsys.readouterr().err


def test_the_launcher_does_not_import_jupyterlab(tmp_path):
    code = ("import sys\nfrom trtlab.cli import main\n"
            f"assert main(['lab', '--print-command', '--dir', {str(tmp_path)!r}]) == 0\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('jupyterlab', 'jupyter_server', 'notebook')))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"


def test_missing_jupyterlab_names_the_extra(tmp_path):
    # A None entry in sys.modules hides a package from find_spec as if it were not installed.
    code = ("import sys; sys.modules['jupyterlab'] = None\n"
            "from trtlab.cli import main\n"
            f"sys.exit(main(['lab', '--dir', {str(tmp_path)!r}]))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert proc.returncode == 2, proc.stderr
    assert "trtlab[lab]" in proc.stderr and "Traceback" not in proc.stderr
    assert not list(tmp_path.iterdir())  # nothing copied before the check


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
