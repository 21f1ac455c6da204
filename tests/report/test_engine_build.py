"""What the engine builds tell, rendered from a real TensorRT-RTX build of the zoo's tiny CNN: the
precision each engine's kernels run in, and what fusion saved, labelled as counted, not timed."""

from __future__ import annotations

import html
import re

import pytest

import trtlab
from trtlab.check import check
from trtlab.report.engine_build import fusion_figure, sections

FAST = {"warmup_ms": 5, "iterations": 3, "seconds": 0.01}


@pytest.fixture(scope="module")
def built():
    pytest.importorskip("tensorrt_rtx", reason="needs TensorRT-RTX to build engines (pip install 'trtlab[rtx]')")
    return check(trtlab.load("zoo:tiny"), ["fp32", "fp16"], timing_options=FAST)


def _cells(page: str) -> list[list[str]]:
    return [[html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", page, re.S)]


def test_each_engine_says_what_precision_its_kernels_run_in(built):
    page = sections(built)
    assert "<h3>What the engines run in</h3>" in page
    rows = {r[1]: r for r in _cells(page.split("<h3>What fusion saves</h3>")[0]) if r}
    inside, total = map(int, re.fullmatch(r"(\d+) of (\d+)", rows["fp32"][2]).groups())
    assert inside == total > 0 and rows["fp32"][3] == f"fp32 {total}"
    # fp16: the kernels that are not fp16 are named with the reason (the fp32 input converted).
    inside16, total16 = map(int, re.fullmatch(r"(\d+) of (\d+)", rows["fp16"][2]).groups())
    assert 0 < inside16 < total16 and "fp32: converts the model's fp32 input" in rows["fp16"][4]


def test_fusion_is_counted_from_the_build_in_the_table_and_the_chart(built):
    pytest.importorskip("plotly", reason="needs plotly (pip install 'trtlab[lab]')")
    fig = fusion_figure(built)
    assert fig.layout.title.text == "What fusion saves (counted from the engine build, not timed)"
    kernels_before, traffic_before, kernels_after, traffic_after = (list(t.y) for t in fig.data)
    assert list(fig.data[0].x) == ["engine 0 fp32", "engine 0 fp16"]
    assert all(a < b for a, b in zip(kernels_after, kernels_before))
    assert all(a < b for a, b in zip(traffic_after, traffic_before))
    page = sections(built).split("<h3>What fusion saves</h3>")[1]
    assert "counted from the engine build, not timed" in page
    table = [r for r in _cells(page) if r]
    assert [r[2] for r in table] == [f"{b} → {a}" for b, a in zip(kernels_before, kernels_after)]


def test_without_builds_there_is_nothing_to_show():
    assert sections(check(trtlab.load("zoo:tiny"), ["fp32"], build=False, timing_options=FAST)) == ""
