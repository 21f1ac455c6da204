"""`trtlab lab` as a student meets it: the real command on a fresh home, then one Run All of the
quickstart in a real JupyterLab 4 and Chromium, which runs every cell.

The first Run All used to be lost: JupyterLab drops the executions it is asked for while the
notebook's kernel is still starting (it starts or switches to a kernel of its own for the first
cell, and the cells queued for the old one are cleared), and a second launch restored every tab
opened before, each starting a kernel. `trtlab lab` now opens a fresh workspace (one notebook,
one kernel) and starts the quickstart's kernel on the server before the browser opens it. Here
Run All is clicked once, as soon as the quickstart's toolbar names its kernel, with no retry.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .server import ARTIFACTS, CHROMIUM, FLAGS, REPO, _free_port, stop_group

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _launch(tmp_path: Path):
    home = tmp_path / "home"
    settings = home / ".jupyter" / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
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
    stop_group(proc)  # its own session: the launcher, the server and its kernel
    log.close()


TUTORIALS = ("02-partitioning.ipynb", "03-precision.ipynb", "04-your-model.ipynb", "01-quickstart.ipynb")
KERNEL_NAMED = ("() => { const k = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-KernelName');"
                " return k && k.textContent.includes('Python'); }")
PROMPTS = ("() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell"
           " .jp-InputArea-prompt')].map(e => e.textContent.trim())")
ALL_RAN = f"() => {{ const p = ({PROMPTS})(); return p.length > 0 && p.every(t => /^\\[\\d+\\]:$/.test(t)); }}"


def _wait_for_sessions(port: int, token: str, proc, tmp_path: Path) -> None:
    """Until the server answers with the quickstart's session: the launcher opens the browser then."""
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/sessions?token={token}", timeout=2) as r:
                if json.load(r):
                    return
        except OSError:
            pass
        assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "server.log").read_text()[-3000:]
        time.sleep(0.5)


def test_the_first_run_all_of_a_second_launch_runs_every_cell(tmp_path):
    """As reported: a first launch where every tutorial was opened, then a second launch, and
    Run All clicked once as soon as the quickstart's toolbar names its kernel."""
    pytest.importorskip("jupyterlab", reason="needs jupyterlab (pip install 'trtlab[lab]')")
    pytest.importorskip("ipywidgets", reason="needs ipywidgets (pip install 'trtlab[lab]')")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"needs Chromium at {CHROMIUM} (Debian package 'chromium')")
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install playwright)")
    ARTIFACTS.mkdir(exist_ok=True)
    git_before = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True).stdout
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            proc, log, port, token = _launch(tmp_path)  # the first launch: every tutorial opened
            try:
                _wait_for_sessions(port, token, proc, tmp_path)
                page = browser.new_page(viewport={"width": 1600, "height": 1000})
                for name in TUTORIALS:
                    page.goto(f"http://127.0.0.1:{port}/lab/tree/{name}?token={token}", timeout=90_000)
                    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell", timeout=90_000)
                    time.sleep(2)  # the workspace is saved as tabs open
                page.close()
            finally:
                _stop(proc, log)
            (tmp_path / "server.log").rename(tmp_path / "first-launch.log")
            proc, log, port, token = _launch(tmp_path)
            try:
                _wait_for_sessions(port, token, proc, tmp_path)
                page = browser.new_page(viewport={"width": 1600, "height": 1000})
                page.set_default_timeout(60_000)
                page.goto(f"http://127.0.0.1:{port}/lab/tree/01-quickstart.ipynb?token={token}", timeout=90_000)
                page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell", timeout=90_000)
                page.wait_for_function(KERNEL_NAMED, timeout=120_000)  # what a student waits for
                tabs = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab").count()
                page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").first.click()
                page.keyboard.press("Escape")
                page.get_by_role("menuitem", name="Run", exact=True).click()
                page.get_by_role("menuitem", name="Run All Cells", exact=True).click()  # once, no retry
                try:
                    page.wait_for_function(ALL_RAN, timeout=400_000)
                    # Read at once, as ALL_RAN read them: a screenshot scrolls, and JupyterLab then
                    # re-renders the cells that leave the window.
                    prompts = page.evaluate(PROMPTS)
                finally:
                    page.screenshot(path=str(ARTIFACTS / "lab-launch-run-all.png"), full_page=True)
                counts = [int(re.sub(r"\D", "", t)) for t in prompts]
                errors = page.locator(".jp-OutputArea-output:has-text('Traceback')").count()
            finally:
                _stop(proc, log)
        finally:
            browser.close()
    server_log = (tmp_path / "server.log").read_text()
    (ARTIFACTS / "lab-launch-server.log").write_text(server_log)
    assert tabs == 1  # only the quickstart opens: no tabs (and kernels) restored
    quickstart = json.loads((REPO / "notebooks" / "01-quickstart.ipynb").read_text())
    code_cells = sum(cell["cell_type"] == "code" for cell in quickstart["cells"])
    assert counts == list(range(1, code_cells + 1)), counts  # every cell ran, in order, from one Run All
    assert errors == 0
    assert server_log.count("Kernel started") == 1, server_log[-3000:]  # one kernel, never switched
    assert " 500 " not in server_log and "Traceback" not in server_log
    assert (tmp_path / "home" / "trtlab-notebooks" / "01-quickstart.ipynb").is_file()
    git_after = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True).stdout
    assert git_after == git_before  # nothing written into the checkout
