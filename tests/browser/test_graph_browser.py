"""The graph widget on a real model (PP-OCRv4 recognition, no name scopes, 420 Constant nodes) in
a real JupyterLab 4 and Notebook 7, in Chromium: it opens fitted, search centres a match, a group opens on a
click, the overlay menu re-colours, and selecting a node highlights it in the other graph.
Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from .server import ARTIFACTS, jupyter_server, notebook_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CELL = """
import os, importlib.util, trtlab
from trtlab.lab.graph_panel import GraphPanel
models = os.path.join(os.path.dirname(importlib.util.find_spec("rapidocr_onnxruntime").origin), "models")
model = trtlab.load(os.path.join(models, "ch_PP-OCRv4_rec_infer.onnx"), inputs={"x": (1, 3, 48, 320)})
plan = trtlab.partition(model, exclude_ops=["MatMul"])
errors = []
panel = GraphPanel(model, errors.append)
panel.show_plan(plan)
assert not errors, errors
panel
"""


def _notebook(path: Path) -> None:
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                     "source": CELL.strip()}],
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb))


PAGES = {"jupyterlab": "lab/tree/graph.ipynb", "notebook": "notebooks/graph.ipynb"}


@pytest.fixture(params=["jupyterlab", "notebook"])
def lab_url(request, tmp_path):
    app = request.param
    pytest.importorskip(app, reason=f"needs {app} (pip install 'trtlab[lab]')")
    pytest.importorskip("anywidget", reason="needs anywidget (pip install 'trtlab[lab]')")
    if importlib.util.find_spec("rapidocr_onnxruntime") is None:
        pytest.skip("needs rapidocr-onnxruntime (its PP-OCR models)")
    root = tmp_path / "notebooks"
    root.mkdir()
    _notebook(root / "graph.ipynb")
    with jupyter_server(app, root, tmp_path, "graph.ipynb") as url:
        yield app, url


def _inside(page, side: str, selector: str) -> bool:
    """Whether the element's centre lies inside its graph's visible frame."""
    return page.evaluate(
        """([side, sel]) => { const f = document.querySelector(`.${side} .tg-frame`).getBoundingClientRect();
             const e = document.querySelector(`.${side} ${sel}`); if (!e) return false;
             const r = e.getBoundingClientRect(); const x = r.x + r.width / 2, y = r.y + r.height / 2;
             return x >= f.left && x <= f.right && y >= f.top && y <= f.bottom; }""", [side, selector])


def _centre_of(page, side: str, selector: str) -> tuple[float, float]:
    """The centre of the first matching box that lies inside its graph's frame."""
    point = page.evaluate(
        """([side, sel]) => { const f = document.querySelector(`.${side} .tg-frame`).getBoundingClientRect();
             for (const e of document.querySelectorAll(`.${side} ${sel}`)) {
               const r = e.getBoundingClientRect(); const x = r.x + r.width / 2, y = r.y + r.height / 2;
               if (x > f.left && x < f.right && y > f.top && y < f.bottom) return [x, y]; }
             return null; }""", [side, selector])
    assert point is not None, f"no {selector} inside the {side} frame"
    return point[0], point[1]


def test_graph_widget_navigates_a_real_model(lab_url):
    app, url = lab_url
    with notebook_page(url) as (page, sync_api):
        before, after = ".trtlab-before", ".trtlab-after"
        try:
            page.locator(f"{before} .tg-item").first.wait_for(state="attached", timeout=120_000)
        except sync_api.TimeoutError:
            page.screenshot(path=str(ARTIFACTS / f"graph-{app}-failed.png"))
            raise AssertionError("no graph drawn; the cell shows: "
                                 + page.locator(".jp-OutputArea").first.inner_text()[-2000:]) from None
        page.locator(f"{after} .tg-item").first.wait_for(state="attached", timeout=30_000)
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / f"graph-{app}-open.png"))
        # On open: whole where its text stays 9 px tall, else at scale 1 from its input; "fit"
        # then shows every box inside the frame; both graphs within the page width.
        for side in ("trtlab-before", "trtlab-after"):
            scale = float(page.locator(f".{side} .tg-world").get_attribute("transform").split("scale(")[1].rstrip(")"))
            assert scale >= 0.9, f"{side} opens at scale {scale}: its text is under 9 px"
            page.locator(f".{side} .tg-fit").click()
            page.wait_for_timeout(300)
            outside = page.evaluate(
                """side => { const f = document.querySelector(`.${side} .tg-frame`).getBoundingClientRect();
                     return [...document.querySelectorAll(`.${side} .tg-item`)].filter(e => {
                       const r = e.getBoundingClientRect();
                       return r.left < f.left - 1 || r.right > f.right + 1 || r.top < f.top - 1 || r.bottom > f.bottom + 1;
                     }).length; }""", side)
            assert outside == 0, f"{side}: {outside} boxes outside the view after fit"
            right = page.evaluate(f"() => document.querySelector('.{side} .tg-frame').getBoundingClientRect().right")
            assert right <= 1600
        # Coloured by coverage: boxes say their status; no Constant boxes (folded into consumers).
        assert page.locator(f"{before} .tg-group[data-status='supported']").count() > 3
        assert page.locator(f"{before} .tg-item[data-name^='Constant_']").count() == 0
        # Search: each match is centred in turn.
        search = page.locator(f"{before} .tg-search")
        search.fill("MatMul")
        search.press("Enter")
        page.wait_for_function(
            "() => /^1 of \\d+$/.test(document.querySelector('.trtlab-before .tg-count').textContent)")
        page.locator(f"{before} .tg-current").wait_for(state="attached")
        page.wait_for_timeout(400)
        assert _inside(page, "trtlab-before", ".tg-current")
        first = page.locator(f"{before} .tg-current").get_attribute("data-id")
        search.press("Enter")
        page.wait_for_function(
            "() => document.querySelector('.trtlab-before .tg-count').textContent.startsWith('2 of')")
        page.wait_for_timeout(400)
        assert page.locator(f"{before} .tg-current").get_attribute("data-id") != first
        assert _inside(page, "trtlab-before", ".tg-current")
        page.screenshot(path=str(ARTIFACTS / f"graph-{app}-search.png"))
        # A click on a closed group opens it: more boxes, the group drawn open.
        page.locator(f"{before} .tg-fit").click()
        n_items = page.locator(f"{before} .tg-item").count()
        gid = page.locator(f"{before} .tg-group").first.get_attribute("data-id")
        x, y = _centre_of(page, "trtlab-before", f".tg-group[data-id='{gid}']")
        page.mouse.click(x, y)
        page.locator(f"{before} .tg-open[data-id='{gid}']").wait_for(state="attached")
        assert page.locator(f"{before} .tg-item").count() > n_items
        page.wait_for_timeout(300)
        page.screenshot(path=str(ARTIFACTS / f"graph-{app}-expanded.png"))
        # The overlay menu: colour by engine.
        page.locator(f"{before} .tg-overlay").select_option("engine")
        page.wait_for_function(
            "() => document.querySelector('.trtlab-before .tg-legend').textContent.includes('trt_engine_')")
        # Select a node of the before-graph: the after-graph highlights its engine.
        page.locator(f"{before} .tg-fit").click()
        page.wait_for_timeout(300)
        # A node box of the opened group, clicked where it shows inside the frame.
        x, y = _centre_of(page, "trtlab-before", ".tg-open ~ .tg-node")
        page.mouse.click(x, y)
        page.locator(f"{before} .tg-selected").wait_for(state="attached")
        page.locator(f"{after} .tg-highlight").first.wait_for(state="attached")
        page.wait_for_timeout(400)
        assert _inside(page, "trtlab-after", ".tg-highlight")
        details = page.locator(f"{before} .tg-details").inner_text()
        assert "coverage" in details and "inputs" in details
        page.screenshot(path=str(ARTIFACTS / f"graph-{app}-linked.png"))
        assert page.locator(".jp-OutputArea-output:has-text('Traceback')").count() == 0
