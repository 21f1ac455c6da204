"""In a real browser: nodes are found by id and by name, and a restyle shows as computed fill."""

from __future__ import annotations

import json
import os

import pytest

import trtlab
from trtlab.views import before_after, dom_id, node_selector, restyle_before

from tests.models import residual_chain_model as chain_model

pytestmark = [pytest.mark.browser]

CHROMIUM = os.environ.get("TRTLAB_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def page():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"needs Chromium at {CHROMIUM} (Debian package 'chromium')")
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install playwright)")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            yield browser.new_page()
        finally:
            browser.close()


def test_nodes_found_by_id_name_and_class(page, mixed):
    plan = trtlab.partition(mixed)
    page.set_content(f"<html><body>{before_after(plan).svg()}</body></html>")
    for node in mixed.nodes:
        found = page.evaluate("([id, sel]) => [document.getElementById(id) === document.querySelector(sel),"
                              " document.getElementById(id).getAttribute('class')]",
                              [dom_id(node.name), node_selector(node.name)])
        assert found[0] is True and found[1].startswith("node trt-node "), node.name
    engines = page.evaluate("document.querySelectorAll('g.trt-engine').length")
    assert engines == plan.engine_count
    assert page.evaluate("document.querySelectorAll('g.trt-node.unsupported').length") == 1


def test_odd_names_and_restyled_fill(page):
    names = ['a"quote', "back\\slash", "<html-like>", "port:colon", "x y\nz"]
    model = chain_model(names)
    from trtlab.views import before_graph

    svg = before_graph(model).svg()
    restyled = restyle_before(svg, trtlab.coverage(model, exclude_nodes=["<html-like>"]))
    page.set_content(f"<html><body>{restyled}</body></html>")
    fills = page.evaluate(
        "sels => sels.map(s => { const g = document.querySelector(s);"
        " return g && getComputedStyle(g.querySelector('path,polygon')).fill; })",
        [node_selector(n) for n in names])
    assert None not in fills, json.dumps(fills)
    assert fills[2] == "rgb(205, 184, 238)"  # excluded
    assert set(fills[:2] + fills[3:]) == {"rgb(182, 227, 136)"}  # supported
