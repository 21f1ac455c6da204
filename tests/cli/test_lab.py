"""`trtlab lab`: the work folder (never where trtlab lives), the JupyterLab command line, no
JupyterLab import in the launcher (the server it starts: test_lab_server.py; the copying itself:
test_notebooks.py)."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from trtlab.cli import main

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
