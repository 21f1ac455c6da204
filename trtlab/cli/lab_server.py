"""The JupyterLab server `trtlab lab` starts: the quickstart's kernel is started on the server
before the browser opens the notebook.

Why: JupyterLab runs a cell only once the notebook's session has a kernel. A Run All clicked
while that kernel is still starting makes JupyterLab start (or switch to) a kernel of its own for
the first cell: the server then starts two kernels and shuts one down, the cells queued for the
first are dropped (the first Run All runs one cell, or none), and the browser's websocket to the
kernel shut down gets a 500. A session already on the server when the page loads is found by
path and connected at once: execution requests queue on its kernel until it answers.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.parse
import urllib.request
import webbrowser
from pathlib import Path

START_TIMEOUT_S = 120.0


def server_info(proc: subprocess.Popen, timeout_s: float = START_TIMEOUT_S) -> dict | None:
    """The running server's url and token from its runtime file (jpserver-PID.json), once it
    answers; None if it ended or did not answer in time."""
    from jupyter_core.paths import jupyter_runtime_dir  # small: no part of JupyterLab is imported

    runtime = Path(jupyter_runtime_dir()) / f"jpserver-{proc.pid}.json"
    deadline = time.monotonic() + timeout_s
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            info = json.loads(runtime.read_text(encoding="utf-8"))
            _request(info, "api/status")
            return info
        except (OSError, ValueError):
            time.sleep(0.2)
    return None


def start_session(info: dict, notebook: Path) -> bool:
    """A session with a kernel for `notebook` (relative to the server's root), as JupyterLab
    would make it: True when the server made one."""
    try:
        meta = json.loads(notebook.read_text(encoding="utf-8")).get("metadata", {})
        kernel = (meta.get("kernelspec") or {}).get("name") or "python3"
    except (OSError, ValueError):
        kernel = "python3"
    body = {"path": notebook.name, "name": notebook.name, "type": "notebook", "kernel": {"name": kernel}}
    try:
        _request(info, "api/sessions", body)
    except (OSError, ValueError):
        return False  # JupyterLab then starts one itself, as it always does
    return True


def open_browser(info: dict, page: str) -> None:
    token = info.get("token") or ""
    url = urllib.parse.urljoin(info["url"], page) + (f"?token={urllib.parse.quote(token)}" if token else "")
    try:
        webbrowser.open(url, new=2)
    except webbrowser.Error:  # no browser here: the server printed its URL
        pass


def _request(info: dict, path: str, body: dict | None = None) -> dict:
    url = urllib.parse.urljoin(info["url"], path)
    headers = {"Content-Type": "application/json"}
    if info.get("token"):
        headers["Authorization"] = f"token {info['token']}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers=headers, method="GET" if body is None else "POST")
    with urllib.request.urlopen(request, timeout=60 if body else 2) as answer:
        return json.loads(answer.read() or b"{}")


def wait(proc: subprocess.Popen) -> int:
    """Wait for the server to end. Ctrl-C reaches it too (same terminal) and JupyterLab asks
    whether to stop, so this waits on; SIGTERM or SIGHUP (raised here as a KeyboardInterrupt
    subclass by the CLI) stop the server first."""
    while True:
        try:
            return proc.wait()
        except KeyboardInterrupt as exc:
            if type(exc) is not KeyboardInterrupt or os.name != "posix":
                stop(proc)
                raise


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
