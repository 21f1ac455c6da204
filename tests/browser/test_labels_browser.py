"""Every label, title, button and legend of the Lab reads in full at 1600 px wide, in a real
JupyterLab 4 in Chromium: on a zoo model and on a real model without name scopes (PP-OCR cls),
on each tab, before and after a build that draws charts and tables, for each overlay of the
graphs (also under the MXNet 1.3 coverage, whose fallback reasons are long), with a group opened
and a node selected, and after a sweep. A second test checks the finder itself on a page of
known cut and uncut text.

Text counts as readable when nothing clips it (its box and the boxes around it that hide
overflow), or when a tooltip (`title`) gives it in full. Offenders go to
test-artifacts/labels-offenders.txt; screenshots to test-artifacts/labels-*.png.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from .clipping import clipped_texts
from .server import ARTIFACTS, CHROMIUM, FLAGS, jupyter_server, notebook_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CELLS = [
    """import trtlab, trtlab.corpus
options = {"timing_options": {"seconds": 0.3}}
zoo = trtlab.Lab("zoo:resnet18", precision="fp16", check_options=options)
zoo""",
    """model, feeds = trtlab.corpus.load("ppocr-cls")
cls = trtlab.Lab(model, feeds=feeds, precision="fp16", check_options=options)
cls""",
]
MODELS = ("resnet18", "ppocr-cls")


def _notebook(path: Path) -> None:
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                     "source": src} for src in CELLS],
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb))


@pytest.fixture
def lab_url(tmp_path):
    pytest.importorskip("jupyterlab", reason="needs jupyterlab (pip install 'trtlab[lab]')")
    pytest.importorskip("anywidget", reason="needs anywidget (pip install 'trtlab[lab]')")
    pytest.importorskip("plotly", reason="needs plotly (pip install 'trtlab[lab]')")
    if importlib.util.find_spec("rapidocr_onnxruntime") is None:
        pytest.skip("needs rapidocr-onnxruntime (its PP-OCR models)")
    root = tmp_path / "notebooks"
    root.mkdir()
    _notebook(root / "labels.ipynb")
    with jupyter_server("jupyterlab", root, tmp_path, "labels.ipynb",
                        TRTLAB_CACHE_DIR=str(tmp_path / "engine-cache")) as url:
        yield url


class Findings:
    """Offenders seen so far, each once, with where in the Lab they showed."""

    def __init__(self):
        self.rows: dict[tuple, dict] = {}

    def check(self, lab, model: str, step: str) -> None:
        for o in clipped_texts(lab):
            key = (model, o["kind"], o["text"], o["where"])
            self.rows.setdefault(key, {**o, "model": model, "step": step})

    def text(self) -> str:
        return "\n".join(f"[{r['model']} / {r['step']}] {r['kind']}: {r['text']!r}\n    {r['why']}\n    at {r['where']}"
                         for r in self.rows.values())


def _tab(lab, name: str) -> None:
    lab.locator(".lm-TabBar-tab", has_text=name).first.click()
    lab.page.wait_for_timeout(400)


def _every_overlay(page, lab, model: str, found: Findings, step: str) -> None:
    """Each graph coloured by each overlay in turn, its text checked; then back to coverage."""
    for side in ("trtlab-before", "trtlab-after"):
        select = lab.locator(f".{side} .tg-overlay")
        for value in select.locator("option").evaluate_all("os => os.map(o => o.value)"):
            select.select_option(value)
            page.wait_for_timeout(300)
            found.check(lab, model, f"{step}, {side[7:]} by {value}")
        select.select_option("coverage")


def _visit(page, lab, model: str, found: Findings, sync_api) -> None:
    def shot(step: str) -> None:
        """The whole Lab: the page is made tall enough for it, then set back to 1600x1000."""
        height = lab.evaluate("e => e.getBoundingClientRect().height")
        page.set_viewport_size({"width": 1600, "height": int(max(1000, height + 400))})
        page.wait_for_timeout(1000)
        # A taller window must not fold the charts away (plotly's "responsive" did).
        flat = lab.evaluate("e => [...e.querySelectorAll('.js-plotly-plot')].filter(p => p.getClientRects().length"
                            " && p.getBoundingClientRect().height < 50).length")
        assert flat == 0, f"{flat} charts drawn flat after the window grew"
        lab.screenshot(path=str(ARTIFACTS / f"labels-{model}-{step}.png"))
        page.set_viewport_size({"width": 1600, "height": 1000})
        page.wait_for_timeout(300)

    lab.scroll_into_view_if_needed()
    lab.locator(".trtlab-after .tg-item").first.wait_for(state="attached", timeout=120_000)
    page.wait_for_timeout(500)
    found.check(lab, model, "graph tab")
    shot("graph")
    # Build and time: before, then after a build with charts and tables.
    _tab(lab, "Build and time")
    found.check(lab, model, "build tab")
    lab.locator(".trtlab-build-panel button", has_text="Build and time").first.click()
    try:
        lab.locator(".trtlab-build-charts .js-plotly-plot").first.wait_for(state="visible", timeout=300_000)
        page.wait_for_function(
            "el => !el.querySelector('.trtlab-build-panel button').disabled", arg=lab.element_handle(),
            timeout=300_000)
    except sync_api.TimeoutError:
        shot("build-failed")
        raise
    page.wait_for_timeout(1500)  # plotly lays out its margins after the first draw
    found.check(lab, model, "after build")
    shot("build")
    # Graphs after the build (precision and error overlays exist now): every overlay, a group open.
    _tab(lab, "Graph")
    _every_overlay(page, lab, model, found, "graph")
    group = lab.locator(".trtlab-before .tg-group").first
    gid = group.get_attribute("data-id")
    box = group.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    lab.locator(f".trtlab-before .tg-open[data-id='{gid}']").wait_for(state="attached", timeout=30_000)
    page.wait_for_timeout(500)
    found.check(lab, model, "graph, a group opened")
    # Select a node of the opened group (where it shows inside the frame): its details show.
    point = lab.evaluate(
        """lab => { const f = lab.querySelector('.trtlab-before .tg-frame').getBoundingClientRect();
             for (const e of lab.querySelectorAll('.trtlab-before .tg-open ~ .tg-node')) {
               const r = e.getBoundingClientRect(), x = r.x + r.width / 2, y = r.y + r.height / 2;
               if (x > f.left && x < f.right && y > f.top && y < f.bottom) return [x, y]; }
             return null; }""")
    if point is not None:
        page.mouse.click(*point)
        lab.locator(".trtlab-before .tg-details").wait_for(state="visible", timeout=30_000)
        found.check(lab, model, "graph, a node selected")
    shot("graph-opened")
    # Another coverage source: fallback nodes, reasons in the op table, more engines in the legends.
    _tab(lab, "Graph")
    drawn = lab.locator(".trtlab-after .tg-world").inner_html()
    lab.locator(".trtlab-coverage-panel select").select_option(label="MXNet 1.3 integration")
    try:  # the after-graph is redrawn in the background, if the plan changed at all
        page.wait_for_function("([e, old]) => e.querySelector('.trtlab-after .tg-world').innerHTML !== old",
                               arg=[lab.element_handle(), drawn], timeout=30_000)
    except sync_api.TimeoutError:
        pass
    page.wait_for_timeout(500)
    _every_overlay(page, lab, model, found, "MXNet 1.3 coverage")
    shot("mxnet-graph")
    # Sweep: before and after.
    _tab(lab, "Sweep")
    found.check(lab, model, "sweep tab")
    lab.locator(".trtlab-sweep-panel button").first.click()
    lab.locator(".trtlab-sweep-chart .js-plotly-plot").first.wait_for(state="visible", timeout=60_000)
    page.wait_for_timeout(1500)
    found.check(lab, model, "after sweep")
    shot("sweep")


def test_every_label_of_the_lab_reads_in_full(lab_url):
    found = Findings()
    with notebook_page(lab_url) as (page, sync_api):
        try:
            labs = page.locator(".trtlab-lab")
            try:
                labs.nth(1).locator(".trtlab-before .tg-item").first.wait_for(state="attached", timeout=240_000)
            except sync_api.TimeoutError:
                page.screenshot(path=str(ARTIFACTS / "labels-failed.png"))
                raise AssertionError("the Labs did not draw; the notebook shows: "
                                     + page.locator(".jp-Notebook").first.inner_text()[-2000:]) from None
            for i, model in enumerate(MODELS):
                _visit(page, labs.nth(i), model, found, sync_api)
            assert page.locator(".jp-OutputArea-output:has-text('Traceback')").count() == 0
            assert all(labs.nth(i).locator(".trtlab-errors").inner_text().strip() == "" for i in range(2))
        finally:
            (ARTIFACTS / "labels-offenders.txt").write_text(found.text() + "\n" if found.rows else "none\n")
    assert not found.rows, f"{len(found.rows)} texts can't be read in full:\n{found.text()}"


CLIPPED_PAGE = """
<div id="root" style="width:600px;font:13px sans-serif">
  <div style="width:60px;overflow:hidden;white-space:nowrap;text-overflow:ellipsis">cut label one</div>
  <div style="width:60px;overflow:hidden;white-space:nowrap" title="cut label but titled">cut label but titled</div>
  <div style="width:400px;overflow:hidden"><span>a short inline label</span></div>
  <div>shortened without a tooltip…</div>
  <select style="width:70px"><option>installed TensorRT parser</option></select>
  <div class="js-plotly-plot"><svg width="120" height="40">
    <text x="10" y="20">a plot title far too long</text></svg></div>
  <div class="js-plotly-plot"><svg width="300" height="40"><text class="gtitle" x="10" y="20">a title</text>
    <text x="20" y="22">0.001</text></svg></div>
  <div class="trtlab-graph"><svg width="300" height="60"><g class="tg-item"><title>Conv conv1</title>
    <rect class="tg-box" width="40" height="30"></rect><text x="20" y="16" text-anchor="middle">Convolution</text></g>
    <g class="tg-item" transform="translate(100,0)"><title>Conv a_long_name</title>
    <rect class="tg-box" width="90" height="30"></rect>
    <text x="45" y="16" text-anchor="middle">a_lo…name</text></g></svg></div>
</div>
"""


def test_the_clipping_check_finds_cut_text_and_spares_readable_text():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"needs Chromium at {CHROMIUM} (Debian package 'chromium')")
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install playwright)")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.set_content(CLIPPED_PAGE)
            found = {(o["kind"], o["text"]) for o in clipped_texts(page.locator("#root"))}
        finally:
            browser.close()
    assert found == {("html", "cut label one"), ("html", "shortened without a tooltip…"),
                     ("select", "installed TensorRT parser"), ("plotly", "a plot title far too long"),
                     ("plotly", "a title"),
                     ("graph", "Convolution")}
