"""Chart titles that fit and count axes with whole-number ticks."""

from __future__ import annotations

import pytest

from trtlab.report.charts import SUBTITLE_CHARS, TITLE_CHARS, chart_title, integer_ticks, titled, wrap

LONG = ("Max abs error vs fp32 reference (ONNX Runtime stand-ins (not TensorRT) for the TensorRT "
        "subgraphs, in fp32, against the whole fp32 model in ONNX Runtime)")


def test_a_long_title_wraps_into_lines_that_fit_and_keeps_every_word():
    lines = wrap(LONG).split("<br>")
    assert len(lines) > 1 and all(len(line) <= TITLE_CHARS for line in lines)
    assert " ".join(lines).split() == LONG.split()


def test_titles_break_after_commas_or_before_brackets_where_they_can():
    text = "Latency per run on CPU: AMD EPYC (2 cores), batch 1 (measured instead of TensorRT's speed-up)"
    assert wrap(text).split("<br>") == ["Latency per run on CPU: AMD EPYC (2 cores), batch 1",
                                        "(measured instead of TensorRT's speed-up)"]
    assert wrap("short") == "short"


def test_a_chart_title_makes_room_above_the_plot_and_wraps_its_subtitle():
    go = pytest.importorskip("plotly.graph_objects", reason="needs plotly (pip install 'trtlab[lab]')")
    t = chart_title("Max abs error of each output vs the fp32 reference", LONG)
    subs = [line for line in t["text"].split("<br>") if line.startswith("<sup>")]
    assert len(subs) > 1 and all(len(s) - len("<sup></sup>") <= SUBTITLE_CHARS for s in subs)
    one, three = titled(go.Figure(), "short"), titled(go.Figure(), "short", LONG)
    assert three.layout.margin.t >= one.layout.margin.t + 2 * 15


@pytest.mark.parametrize("values, dtick", [([0, 1], 1), ([1, 1, 2], 1), ([3], 1), ([12], 2), ([40, 69], 10),
                                           ([300], 50), ([], 1)])
def test_count_axes_tick_only_at_whole_numbers(values, dtick):
    ticks = integer_ticks(values)
    assert ticks["tickformat"] == "d" and ticks["dtick"] == dtick and isinstance(ticks["dtick"], int)
