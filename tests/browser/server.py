"""A real JupyterLab 4 or Notebook 7 server for the browser tests, and how Chromium is started."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = REPO / "test-artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
PAGES = {"jupyterlab": "lab/tree/{}", "notebook": "notebooks/{}"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def jupyter_server(app: str, root: Path, tmp_path: Path, notebook: str, **env_extra):
    """`app` ("jupyterlab" or "notebook") on 127.0.0.1 with its own HOME and config, serving
    `root`; yields the URL of `notebook` in it. No news, update checks or extension manager: the
    page only talks to this server."""
    home = tmp_path / "home"
    port, token = _free_port(), "trtlab-browser-test"
    env = dict(os.environ, HOME=str(home), JUPYTER_CONFIG_DIR=str(home / ".jupyter"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(home / "lab-settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "lab-workspaces"),
               PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
               **env_extra)
    settings = home / "lab-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    # Every cell rendered, not only those near the viewport, so a test can measure each output;
    # the notebook's own kernel started without asking (a slow start could raise "Select Kernel").
    tracker = home / "lab-settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    (tracker / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none", "autoStartDefaultKernel": True}))
    log = open(tmp_path / "server.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", app, "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         "--LabApp.news_url=", "--LabServerApp.extension_manager=readonly",
         "--ServerApp.allow_root=True"],  # CI containers often run as root
        env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("JupyterLab did not start: "
                                         + (tmp_path / "server.log").read_text()[-2000:])
                time.sleep(0.5)
        yield f"http://127.0.0.1:{port}/{PAGES[app].format(notebook)}?token={token}"
    finally:
        stop_group(proc)  # its own session: the server and its kernels
        log.close()


def stop_group(proc, timeout: float = 30) -> None:
    """End a process started with `start_new_session=True` and all it started: SIGTERM to its
    group, then SIGKILL if it has not ended within `timeout` seconds."""
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@contextlib.contextmanager
def notebook_page(url: str, *, height: int = 1000, width: int = 1600):
    """Chromium, `width` x `height`, on the notebook at `url` with all its cells started; yields
    (page, playwright's sync_api). Skips where Chromium or playwright is missing."""
    import pytest

    if not Path(CHROMIUM).exists():
        pytest.skip(f"needs Chromium at {CHROMIUM} (Debian package 'chromium')")
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install playwright)")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(60_000)
            page.goto(url, timeout=90_000)
            page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=90_000)
            # The kernel must be up before "Run All", or the cells queue behind its start.
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)
            run_all(page)
            yield page, sync_api
        finally:
            browser.close()


def _dismiss_dialogs(page) -> None:
    """A slow start can raise one of JupyterLab's own dialogs (a kernel that took long to answer):
    keep its words with the artifacts and close it, so the run can go on."""
    dialog = page.locator(".jp-Dialog")
    if dialog.count():
        (ARTIFACTS / "dialog.txt").write_text(dialog.first.inner_text())
        # "Select Kernel" (a kernel asked for while the page starts one) takes its default, Python 3.
        select = dialog.first.get_by_role("button", name="Select", exact=True)
        if select.count():
            select.click()
        else:
            page.keyboard.press("Escape")
        dialog.first.wait_for(state="detached", timeout=10_000)


def run_all(page, attempts: int = 4) -> None:
    """Run > Run All Cells, again if the kernel was not ready to take it (the indicator can say
    idle a moment before the kernel accepts requests)."""
    first_prompt = page.locator(".jp-CodeCell .jp-InputArea-prompt").first
    for _ in range(attempts):
        _dismiss_dialogs(page)
        page.locator(".jp-Cell").first.click()
        page.keyboard.press("Escape")
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if first_prompt.inner_text().strip() not in ("[ ]:", ""):
                return
            time.sleep(0.5)
    raise AssertionError("the notebook's cells never started running")
