import re

import pytest

import trtlab
from trtlab.check import check
from trtlab.report import render_report, write_report

from tests.models import conv_model


def test_report_is_one_self_contained_file(result, tmp_path):
    pytest.importorskip("plotly", reason="needs plotly (pip install 'trtlab[lab]')")
    path = write_report(result, tmp_path / "report.html")
    text = path.read_text()
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert "<svg" in text  # graphs inline
    assert "Plotly.newPlot" in text and len(text) > 1_000_000  # plotly.js inlined
    assert not re.search(r"<script[^>]+src=", text)  # nothing fetched from elsewhere
    assert "Latency per run on CPU: " in text and "Accuracy: error against tolerance, the smallest atol that passes" in text
    assert "building was turned off" in text  # what was not done
    assert "relu" in text and "excluded by user" in text  # the fallback table with reasons
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temp files left


def test_report_needs_an_html_name(result, tmp_path):
    with pytest.raises(trtlab.TrtlabError, match="HTML"):
        write_report(result, tmp_path / "report.txt")


def test_charts_titles_say_what_and_where(result):
    pytest.importorskip("plotly", reason="needs plotly (pip install 'trtlab[lab]')")
    from trtlab.report import charts

    lat = charts.latency_figure(result.timing)
    assert lat.layout.title.text.startswith("Latency per run on CPU: ") and "batch 2" in lat.layout.title.text
    assert len(lat.data) == len(result.timing)
    sp = charts.speedup_figure(result.timing)
    assert sp.data[0].y[0] == pytest.approx(1.0) and "Speed-up over ONNX Runtime CPU (fp32)" in sp.layout.title.text
    acc = charts.accuracy_figure(result.accuracy)
    assert list(acc.data[0].x) == ["fp32", "fp16"]


def test_render_without_timing_or_accuracy():
    r = check(conv_model(), ["fp32"], build=False, timing=False)
    r.accuracy = []
    text = render_report(r)
    assert "Charts" not in text and "Partition" in text


def test_accuracy_section_says_what_each_precision_was_compared_with(result):
    text = render_report(result)
    for r in result.accuracy:
        assert r.label and r.label in text




def test_the_report_draws_the_graph_by_each_overlay_the_check_gives(result):
    """The overlays come from their registry: every one the check has values for gets a drawing of
    the graph after partitioning, coloured by it (coverage is the drawings' own colouring)."""
    from trtlab.views.overlays import check_values, known, node_data

    page = render_report(result)
    data = node_data(result.model, result.plan, **check_values(result))
    shown = [o.label for o in known() if o.name != "coverage" and o.shows(data)]
    assert {"engine", "precision", "fallback reason"} <= set(shown)
    assert re.findall(r"<h3>By ([^<]+)</h3>", page) == shown
    by_precision = page.split("<h3>By precision</h3>")[1].split("<h3>")[0]
    assert "fp16" in by_precision and "<svg" in by_precision  # the check's precision, in its legend
