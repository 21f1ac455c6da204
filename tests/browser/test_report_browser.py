"""The HTML report of a check, opened in Chromium at 1280x800 and 1600x1000: nothing wider than
the page, no graph box or legend running over, no text cut without an ellipsis and a tooltip,
every graph's text at least 9 CSS px tall. Screenshots go to test-artifacts/report-*.png."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from .clipping import clipped_texts
from .layout_checks import layout_problems
from .server import ARTIFACTS, CHROMIUM, FLAGS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SIZES = ((1280, 800), (1600, 1000))


def test_report_reads_in_full_at_both_widths(tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"needs Chromium at {CHROMIUM} (Debian package 'chromium')")
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install playwright)")
    pytest.importorskip("plotly", reason="needs plotly (pip install 'trtlab[lab]')")
    from trtlab.check import check
    from trtlab.report import write_report

    # A fallback node, two engines, and, where TensorRT is installed, what the builds tell.
    build = importlib.util.find_spec("tensorrt_rtx") is not None or importlib.util.find_spec("tensorrt") is not None
    result = check("zoo:mixed", ["fp32", "fp16"], build=build, cache_dir=tmp_path / "cache",
                   timing_options={"warmup_ms": 5, "iterations": 5, "seconds": 0.05})
    path = write_report(result, tmp_path / "report.html")
    ARTIFACTS.mkdir(exist_ok=True)
    found = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": SIZES[0][0], "height": SIZES[0][1]})
            page.goto(path.as_uri())
            page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot')]"
                                   ".every(p => p.querySelector('svg'))", timeout=60_000)
            for width, height in SIZES:
                page.set_viewport_size({"width": width, "height": height})
                page.wait_for_timeout(1000)
                body = page.locator("body")
                found += [f"{width}x{height}: {p['kind']} {p['what']} {p['text']!r}: {p['why']}"
                          for p in layout_problems(body)]
                found += [f"{width}x{height}: cut {p['kind']} {p['text']!r}: {p['why']}" for p in clipped_texts(body)]
                # Nothing wider than the window: no sideways scrolling of the page.
                wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
                if wide > 1:
                    found.append(f"{width}x{height}: the page is {wide} px wider than the window")
                page.screenshot(path=str(ARTIFACTS / f"report-{width}x{height}.png"), full_page=True)
        finally:
            browser.close()
    assert not found, f"{len(found)} problems in the report:\n" + "\n".join(found[:40])
