"""Every tutorial, run top to bottom in a real JupyterLab 4 and Notebook 7 in Chromium, read at
1280x800 and at 1600x1000: no output is wider than its output area or cut off, every graph's
text is at least 9 CSS px tall at first view, no list or table hides rows in a scroll box, and a
Lab keeps its height when its tabs switch, its graphs above the fold; the quickstart's Lab also
after Build and time (in JupyterLab). Each tutorial makes its point early: the quickstart's
timing chart within three screens, notebook 02's first figure within two.

Each notebook runs once per frontend; the window is then resized to measure both widths.
Screenshots of every screen and of each Lab go to test-artifacts/tutorials/ ($TRTLAB_ARTIFACTS
to move them), the offenders to <frontend>-<notebook>-offenders.txt there.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from .clipping import clipped_texts
from .layout_checks import layout_problems
from .server import ARTIFACTS, REPO, jupyter_server, notebook_page, run_all

pytestmark = [pytest.mark.browser, pytest.mark.slow]

APPS = ("jupyterlab", "notebook")
SIZES = ((1280, 800), (1600, 1000))
NOTEBOOKS = sorted(p.name for p in (REPO / "notebooks").glob("0*.ipynb"))
OUT = Path(os.environ.get("TRTLAB_ARTIFACTS", ARTIFACTS)) / "tutorials"


@pytest.fixture(scope="module", params=APPS)
def server(request, tmp_path_factory):
    """One server per frontend, serving a copy of every tutorial; yields (app, URL of a notebook)."""
    app = request.param
    pytest.importorskip(app, reason=f"needs {app} (pip install 'trtlab[lab]')")
    pytest.importorskip("anywidget", reason="needs anywidget (pip install 'trtlab[lab]')")
    pytest.importorskip("plotly", reason="needs plotly (pip install 'trtlab[lab]')")
    tmp = tmp_path_factory.mktemp(f"tutorials-{app}")
    root = tmp / "notebooks"
    root.mkdir()
    for name in NOTEBOOKS:
        shutil.copy(REPO / "notebooks" / name, root)
    with jupyter_server(app, root, tmp, "{}", TRTLAB_CACHE_DIR=str(tmp / "engine-cache")) as url:
        yield app, url


def _shutdown_kernels(url: str) -> None:
    """Each tutorial's kernel ends with its test: four at once would not fit a small machine."""
    parts = urllib.parse.urlsplit(url)
    token = urllib.parse.parse_qs(parts.query)["token"][0]
    base = f"{parts.scheme}://{parts.netloc}/api/kernels"
    with urllib.request.urlopen(f"{base}?token={token}", timeout=10) as r:
        kernels = json.load(r)
    for k in kernels:
        req = urllib.request.Request(f"{base}/{k['id']}?token={token}", method="DELETE")
        urllib.request.urlopen(req, timeout=30).close()


def _wait_for_every_cell(page, timeout_s: float = 600) -> None:
    """Until every code cell has run. Where nothing runs and cells are left unrun for 30 s (a Run
    All lost while the kernel started), Run All once more: this test is about what the outputs
    look like; tests/browser/test_lab_launch_browser.py is about the first Run All."""
    deadline = time.monotonic() + timeout_s
    prompts = page.locator(".jp-CodeCell .jp-InputArea-prompt")
    stalled_since, again = None, 1
    while True:
        texts = [t.strip() for t in prompts.all_inner_texts()]
        if texts and all(t not in ("", "[ ]:", "[*]:") for t in texts):
            break
        stalled = "[*]:" not in texts
        stalled_since = (stalled_since or time.monotonic()) if stalled else None
        if stalled_since and time.monotonic() - stalled_since > 30 and again:
            again, stalled_since = again - 1, None
            run_all(page)
        errors = page.locator(".jp-OutputArea-output:has-text('Traceback')")
        if errors.count():  # Run All stops at an error: say which, now
            raise AssertionError("a cell failed: " + errors.first.inner_text()[-2000:])
        if time.monotonic() > deadline:
            raise AssertionError(f"the notebook did not finish: prompts {texts}")
        time.sleep(1)
    # Widgets draw after their cell ends: each graph widget shows boxes, each chart its svg.
    try:
        page.wait_for_function(
            "() => [...document.querySelectorAll('.trtlab-graph')].every(g => g.querySelector('.tg-item'))"
            " && [...document.querySelectorAll('.js-plotly-plot')].every(p => p.querySelector('svg'))",
            timeout=120_000)
    except Exception:
        raise AssertionError("a graph widget or chart did not draw") from None
    page.wait_for_timeout(1500)


SCROLLER = ("() => document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer')"
            " || document.querySelector('.jp-NotebookPanel .jp-Notebook')")


def _depth(page, selector: str) -> float | None:
    """How far down the notebook the first element matching `selector` starts, in px."""
    return page.evaluate(
        f"""() => {{ const box = ({SCROLLER})(); const e = document.querySelector({json.dumps(selector)});
             if (!e) return null;
             return e.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop; }}""")


def _screens(page, stem: str) -> int:
    """A screenshot per screen of the notebook, top to bottom; returns how many."""
    height = page.evaluate(f"() => {{ const b = ({SCROLLER})(); return [b.scrollHeight, b.clientHeight]; }}")
    # JupyterLab leaves half a screen of room under the last cell: no screenshot of that alone.
    count = max(1, -(-(height[0] - height[1] // 2) // max(1, height[1])))
    for i in range(count):
        page.evaluate(f"(y) => {{ ({SCROLLER})().scrollTop = y; }}", i * height[1])
        page.wait_for_timeout(200)
        page.screenshot(path=str(OUT / f"{stem}-screen{i + 1}.png"))
    page.evaluate(f"() => {{ ({SCROLLER})().scrollTop = 0; }}")
    return count


def _lab_problems(page, size) -> list[str]:
    """Each Lab: the same height on every tab; its graphs start in the first screen, the
    before-graph with a fair share of the width."""
    found = []
    labs = page.locator(".trtlab-lab")
    for i in range(labs.count()):
        lab = labs.nth(i)
        lab.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(300)
        box = lab.bounding_box()
        frame = lab.locator(".trtlab-before .tg-frame").bounding_box()
        if frame["y"] - box["y"] > 0.45 * size[1]:
            found.append(f"Lab {i}: the graph starts {frame['y'] - box['y']:.0f} px below the Lab's top "
                         f"(window {size[1]} px tall)")
        if frame["width"] < 0.45 * box["width"]:
            found.append(f"Lab {i}: the before-graph is {frame['width']:.0f} px of the Lab's {box['width']:.0f}")
        heights = []
        tabs = lab.locator(".lm-TabBar-tab")
        for t in list(range(tabs.count())) + [0]:
            tabs.nth(t).click()
            page.wait_for_timeout(300)
            heights.append(round(lab.bounding_box()["height"]))
        if max(heights) - min(heights) > 2:
            found.append(f"Lab {i}: its height changes with the tab: {heights} px")
    return found


def _after_a_build(page, stem: str) -> list[str]:
    """The quickstart's Lab after Build and time (charts, tables, every engine's bar), read at
    both sizes like the rest."""
    found = []
    lab = page.locator(".trtlab-lab").first
    lab.evaluate("e => e.scrollIntoView({block: 'start'})")
    lab.locator(".lm-TabBar-tab", has_text="Build and time").first.click()
    lab.locator(".trtlab-build-panel button", has_text="Build and time").first.click()
    lab.locator(".trtlab-build-charts .js-plotly-plot").first.wait_for(state="visible", timeout=300_000)
    page.wait_for_function("el => !el.querySelector('.trtlab-build-panel button').disabled",
                           arg=lab.element_handle(), timeout=300_000)
    page.wait_for_timeout(1500)  # plotly lays out its margins after the first draw
    for size in SIZES:
        page.set_viewport_size({"width": size[0], "height": size[1]})
        page.wait_for_timeout(1500)
        where = f"{size[0]}x{size[1]} after a build:"
        found += [f"{where} {p['kind']} {p['what']} {p['text']!r}: {p['why']}" for p in layout_problems(lab)]
        found += [f"{where} cut {p['kind']} {p['text']!r}: {p['why']}" for p in clipped_texts(lab)]
        found += [f"{where} {p}" for p in _lab_problems(page, size)]
        lab.locator(".lm-TabBar-tab", has_text="Build and time").first.click()
        page.wait_for_timeout(300)
        _lab_screenshot(page, lab.locator(".trtlab-build-panel"), size, OUT / f"{stem}-build-{size[0]}x{size[1]}.png")
    return found


def _lab_screenshot(page, lab, size, path: Path) -> None:
    """The Lab as a reader first sees it: scrolled to its top, as much of it as the window shows."""
    lab.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)
    box = lab.bounding_box()
    bottom = page.evaluate(f"() => ({SCROLLER})().getBoundingClientRect().bottom")
    top = max(box["y"], 0)
    page.screenshot(path=str(path), clip={"x": box["x"], "y": top, "width": box["width"],
                                          "height": min(box["height"], bottom - top)})


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_tutorial_reads_in_full_at_both_widths(server, notebook):
    app, url = server
    OUT.mkdir(parents=True, exist_ok=True)
    stem = f"{app}-{Path(notebook).stem}"
    found: list[str] = []
    depths: dict[str, float | None] = {}
    width, height = SIZES[0]
    # A fresh workspace: JupyterLab would reopen the tutorials tested before in this server.
    page_url = url.format(notebook).replace("?token=", "?reset&token=") if app == "jupyterlab" else url.format(notebook)
    try:
        with notebook_page(page_url, width=width, height=height) as (page, _sync_api):
            try:
                _wait_for_every_cell(page)
            except Exception:
                page.screenshot(path=str(OUT / f"{stem}-unfinished.png"))
                raise
            assert page.locator(".jp-OutputArea-output:has-text('Traceback')").count() == 0
            for size in SIZES:
                page.set_viewport_size({"width": size[0], "height": size[1]})
                page.wait_for_timeout(1500)
                outputs = page.locator(".jp-OutputArea-output")
                for i in range(outputs.count()):
                    out = outputs.nth(i)
                    for p in layout_problems(out):
                        found.append(f"{size[0]}x{size[1]} output {i}: {p['kind']} {p['what']} "
                                     f"{p['text']!r}: {p['why']}")
                    for p in clipped_texts(out):
                        found.append(f"{size[0]}x{size[1]} output {i}: cut {p['kind']} {p['text']!r}: {p['why']}")
                found += [f"{size[0]}x{size[1]} {p}" for p in _lab_problems(page, size)]
                for i in range(page.locator(".trtlab-lab").count()):  # the README's picture comes from here
                    _lab_screenshot(page, page.locator(".trtlab-lab").nth(i), size,
                                    OUT / f"{stem}-lab{i}-{size[0]}x{size[1]}.png")
                page.evaluate(f"() => {{ ({SCROLLER})().scrollTop = 0; }}")
                screen = page.evaluate(f"() => ({SCROLLER})().clientHeight")
                depths.update({
                    f"{size[0]} screen": screen,
                    f"{size[0]} first figure": _depth(page, ".jp-OutputArea-output svg, .jp-OutputArea-output img"),
                    f"{size[0]} chart": _depth(page, ".jp-OutputArea-output .main-svg")})
                _screens(page, f"{stem}-{size[0]}x{size[1]}")
            if app == "jupyterlab" and notebook.startswith("01"):  # once: a build takes a while
                found += _after_a_build(page, stem)
    finally:
        (OUT / f"{stem}-offenders.txt").write_text("\n".join(found) + "\n" if found else "none\n")
        (OUT / f"{stem}-depths.json").write_text(json.dumps(depths, indent=1))
        _shutdown_kernels(url.format(notebook))
    assert not found, f"{len(found)} problems in {notebook} ({app}):\n" + "\n".join(found[:40])
    screen = depths["1600 screen"]
    if notebook.startswith("01"):
        chart = depths["1600 chart"]
        assert chart is not None and chart < 3 * screen, f"the timing chart starts {chart} px down"
    if notebook.startswith("02"):
        first = depths["1600 first figure"]
        assert first is not None and first < 2 * screen, f"the first figure starts {first} px down"
