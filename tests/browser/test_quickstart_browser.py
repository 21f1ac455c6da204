"""The quickstart notebook in a real JupyterLab 4 and Notebook 7, driven by a real Chromium.

Checks what only a browser shows: the Lab widget renders its SVG graphs with TensorRT nodes
coloured, and unticking an op type redraws the after-graph. A screenshot goes to test-artifacts/.
"""

from __future__ import annotations

import shutil

import pytest

from .server import ARTIFACTS, REPO, jupyter_server, notebook_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]


APPS = ("jupyterlab", "notebook")


@pytest.fixture(params=APPS)
def jupyter(request, tmp_path):
    """JupyterLab 4 or Notebook 7 serving a copy of the quickstart; yields (app, its URL)."""
    app = request.param
    pytest.importorskip(app, reason=f"needs {app} (pip install 'trtlab[lab]')")
    pytest.importorskip("ipywidgets", reason="needs ipywidgets (pip install 'trtlab[lab]')")
    root = tmp_path / "notebooks"
    root.mkdir()
    shutil.copy(REPO / "notebooks" / "01-quickstart.ipynb", root)
    with jupyter_server(app, root, tmp_path, "01-quickstart.ipynb",
                        TRTLAB_CACHE_DIR=str(tmp_path / "engine-cache")) as url:
        yield app, url


def test_quickstart_renders_the_lab_and_reacts(jupyter):
    app, url = jupyter
    with notebook_page(url, height=1100) as (page, sync_api):
        try:
            # The Lab's before-graph (the graph widget), its groups coloured as TensorRT's.
            tr_items = page.locator(".trtlab-before .tg-item[data-status='supported']")
            tr_items.first.wait_for(state="attached", timeout=240_000)
        finally:
            page.screenshot(path=str(ARTIFACTS / f"quickstart-{app}.png"), full_page=True)
        assert tr_items.count() >= 3
        after = page.locator(".trtlab-after .tg-world").first
        after_before = after.inner_html()
        coverage_before = page.locator(".trtlab-figures").first.inner_text()
        # Untick the first op type TensorRT takes (the table lists the most common first).
        box = page.locator(".trtlab-op-check input[type=checkbox]:checked").first
        op = page.locator(".trtlab-op-check:has(input:checked)").first.inner_text().strip()
        box.scroll_into_view_if_needed()
        box.uncheck()
        page.wait_for_function(
            "([sel, old]) => { const e = document.querySelector(sel); return e && e.innerHTML !== old; }",
            arg=[".trtlab-after .tg-world", after_before], timeout=30_000)
        assert page.locator(".trtlab-figures").first.inner_text() != coverage_before
        page.locator(".trtlab-lab").first.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"quickstart-{app}-unticked.png"), full_page=True)
        assert op, "the op checkbox has a label"
        # Dragging the before-graph pans it (the drawing moves inside its frame).
        frame = page.locator(".trtlab-before .tg-frame").first
        frame.scroll_into_view_if_needed()
        world = page.locator(".trtlab-before .tg-world").first
        moved_from = world.get_attribute("transform")
        box_ = frame.bounding_box()
        x, y = box_["x"] + box_["width"] / 2, box_["y"] + box_["height"] - 20
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x, y - 150, steps=5)
        page.mouse.up()
        assert world.get_attribute("transform") != moved_from
        # Searching for a node selects it; its details show.
        page.locator(".trtlab-before .tg-search").first.fill("conv1")
        page.keyboard.press("Enter")
        page.locator(".trtlab-before .tg-current").first.wait_for(state="attached", timeout=30_000)
        page.locator(".trtlab-before .tg-current").first.click()
        page.wait_for_function(
            "() => { const d = document.querySelector('.trtlab-before .tg-details');"
            " return d && d.innerText.includes('conv1') && d.innerText.includes('Conv'); }",
            timeout=30_000)
        # Build and time: the plotly charts render inside the widget (plotly's mime renderer).
        # The notebook has built and timed, its latency chart shown, within three screens of 1000 px
        # (the Lab, after it, does it again interactively).
        depth = page.evaluate(
            "() => { const chart = document.querySelector('.jp-OutputArea-output .main-svg');"
            " const box = document.querySelector('.jp-WindowedPanel-outer')"
            " || document.querySelector('.jp-Notebook');"
            " return chart.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop; }")
        (ARTIFACTS / f"quickstart-{app}-depth.txt").write_text(f"{depth:.0f} px\n")
        assert depth < 3000, f"the latency chart is {depth:.0f} px down the notebook"
        page.get_by_role("tab", name="Build and time").first.click()
        page.locator(".trtlab-build-panel button:has-text('Build and time')").first.click()
        page.locator(".trtlab-build-charts .js-plotly-plot").first.wait_for(
            state="visible", timeout=180_000)
        page.locator(".trtlab-accuracy table").first.wait_for(state="attached", timeout=30_000)
        page.locator(".trtlab-build-panel").first.screenshot(
            path=str(ARTIFACTS / f"quickstart-{app}-build.png"))
        assert page.locator(".trtlab-errors").first.inner_text().strip() == ""
        assert page.locator(".jp-OutputArea-output:has-text('Traceback')").count() == 0
