"""Chart titles that fit, count axes with whole-number ticks, and charts over optimisation profiles."""

from __future__ import annotations

import numpy as np
import pytest

from trtlab.report import charts
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


def test_over_profiles_each_point_gets_its_own_latency_chart_and_accuracy_bar():
    """A speed-up compares like with like: rows at other shapes are other groups; the accuracy
    bars say the point they were measured at."""
    pytest.importorskip("plotly", reason="needs plotly (pip install 'trtlab[lab]')")
    from trtlab.accuracy import AccuracyReport
    from trtlab.accuracy.compare import compare
    from trtlab.timing import TimingResult

    def timed(backend, batch, point):
        return TimingResult.from_samples([1.0, 1.1], backend=backend, precision="fp32", device="CPU: x",
                                         batch=batch, shapes={"x": (batch, 3)}, profile=0, point=point)

    rows = [timed("ONNX Runtime CPU", 2, "opt"), timed("PyTorch eager", 2, "opt"), timed("ONNX Runtime CPU", 1, "min")]
    groups = charts.like_with_like(rows)
    assert [len(g) for g in groups] == [2, 1]
    assert "batch 1 at x 1x3 (profile 1, min)" in charts.latency_figure(groups[1]).layout.title.text.replace("<br>", " ")
    with pytest.raises(ValueError, match="like with like"):
        charts.speedup_figure([rows[0], rows[2]])
    ref = {"y": np.ones(4, np.float32)}
    reports = [AccuracyReport("fp16", compare(ref, ref, "fp16").outputs, profile=k, point=w)
               for k, w in ((0, "opt"), (0, "min"), (1, "max"))]
    assert list(charts.accuracy_figure(reports).data[0].x) == [
        "fp16 at profile 1 opt", "fp16 at profile 1 min", "fp16 at profile 2 max"]
