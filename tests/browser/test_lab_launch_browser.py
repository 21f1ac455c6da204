"""`trtlab lab` as a student meets it: the real command on a fresh home, then one Run All of the
quickstart in a real JupyterLab 4 and Chromium, which runs every cell.

The first Run All used to be lost: JupyterLab drops the executions it is asked for while the
notebook's kernel is still starting (it starts or switches to a kernel of its own for the first
cell, and the cells queued for the old one are cleared). `trtlab lab` now opens a fresh
workspace (one notebook, one kernel) and starts the quickstart's kernel on the server before the
browser opens it. Here Run All is clicked once, as soon as the page shows that kernel idle, with
no retry.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .server import ARTIFACTS, CHROMIUM, FLAGS, REPO, _free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _launch(tmp_path: Path):
    home = tmp_path / "home"
    settings = home / ".jupyter" / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER_", "JUPYTERLAB_"))}
    env.update(HOME=str(home), TRTLAB_CACHE_DIR=str(tmp_path / "engine-cache"),
               PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    port, token = _free_port(), "trtlab-launch-test"
    log = open(tmp_path / "server.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "trtlab", "lab", "--no-browser", "--ip", "127.0.0.1", "--port", str(port), "--",
         f"--IdentityProvider.token={token}", "--LabApp.news_url=", "--ServerApp.allow_root=True"],
        env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    return proc, log, port, token


def _stop(proc, log) -> None:
    os.killpg(proc.pid, signal.SIGTERM)  # its own session: the launcher, the server and its kernel
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    log.close()


def test_the_first_run_all_after_a_fresh_launch_runs_every_cell(tmp_path):
    pytest.importorskip("jupyterlab", reason="needs jupyterlab (pip install 'trtlab[lab]')")
    pytest.importorskip("ipywidgets", reason="needs ipywidgets (pip install 'trtlab[lab]')")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"needs Chromium at {CHROMIUM} (Debian package 'chromium')")
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install playwright)")
    ARTIFACTS.mkdir(exist_ok=True)
    git_before = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True).stdout
    proc, log, port, token = _launch(tmp_path)
    try:
        deadline = time.monotonic() + 120
        while True:  # the launcher opens the browser once the quickstart's kernel is started: same here
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/sessions?token={token}", timeout=2) as r:
                    if json.load(r):
                        break
            except OSError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "server.log").read_text()[-3000:]
            time.sleep(0.5)
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
            try:
                page = browser.new_page(viewport={"width": 1600, "height": 1000})
                page.set_default_timeout(60_000)
                page.goto(f"http://127.0.0.1:{port}/lab/tree/01-quickstart.ipynb?token={token}", timeout=90_000)
                page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=90_000)
                # What a student waits for: the status bar names the kernel, idle.
                page.wait_for_function(
                    "() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]"
                    ".some(e => /Python 3.*\\|\\s*Idle/.test(e.textContent))", timeout=120_000)
                tabs = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab").count()
                page.locator(".jp-Cell").first.click()
                page.keyboard.press("Escape")
                page.get_by_role("menuitem", name="Run", exact=True).click()
                page.get_by_role("menuitem", name="Run All Cells", exact=True).click()  # once, no retry
                prompts = page.locator(".jp-NotebookPanel .jp-CodeCell .jp-InputArea-prompt")
                try:
                    page.wait_for_function(
                        "() => { const p = [...document.querySelectorAll("
                        "'.jp-NotebookPanel .jp-CodeCell .jp-InputArea-prompt')].map(e => e.textContent.trim());"
                        " return p.length > 0 && p.every(t => /^\\[\\d+\\]:$/.test(t)); }", timeout=400_000)
                finally:
                    page.screenshot(path=str(ARTIFACTS / "lab-launch-run-all.png"), full_page=True)
                counts = [int(re.sub(r"\D", "", t)) for t in prompts.all_inner_texts()]
                errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'],"
                                      ".jp-OutputArea-output:has-text('Traceback')").count()
            finally:
                browser.close()
    finally:
        _stop(proc, log)
    server_log = (tmp_path / "server.log").read_text()
    (ARTIFACTS / "lab-launch-server.log").write_text(server_log)
    assert tabs == 1  # only the quickstart opens
    assert counts == list(range(1, len(counts) + 1)), counts  # every cell ran, in order, from one Run All
    assert errors == 0
    assert server_log.count("Kernel started") == 1, server_log[-3000:]  # one kernel, never switched
    assert " 500 " not in server_log and "Traceback" not in server_log
    work = tmp_path / "home" / "trtlab-notebooks"
    assert (work / "01-quickstart.ipynb").is_file()
    git_after = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True).stdout
    assert git_after == git_before  # nothing written into the checkout
