"""A sweep's summary: the text table, the verdict grid, the heatmap and charts, summary.html."""

from __future__ import annotations

import pytest

from trtlab.report.sweep import grid_table, sweep_figures, sweep_text

from tests.sweeps.sample import sample_sweep


@pytest.fixture
def sweep():
    s = sample_sweep()
    for row in s.rows_to_come:
        s._add(row)
    return s


def test_the_text_table_has_a_line_per_task_and_says_what_was_timed(sweep):
    text = sweep_text(sweep)
    lines = text.splitlines()
    assert lines[0].startswith("trtlab sweep: 5 of 6 tasks done: 3 pass, 1 fail, 1 not measured; "
                               "1 kept from an earlier run; ran on 2 workers")
    assert lines[1].split()[:3] == ["model", "precision", "status"]
    assert [line.split()[:3] for line in lines[2:7]] == [
        ["tiny", "fp32", "pass"], ["tiny", "fp16", "pass"], ["mixed", "fp32", "pass"], ["mixed", "fp16", "fail"],
        ["broken", "fp32", "not"]]
    assert "kept from an earlier run" in lines[4] and "the check could not run" in lines[6]
    assert f"latency: {'ONNX Runtime CPU, stand-ins (not TensorRT) on CPU'}" in text
    assert lines[3].split()[3] == "-" and "latency -: not timed: a check times each precision's" in text


def test_the_grid_colours_each_cell_by_status_and_marks_what_is_still_running(sweep):
    html = grid_table(sweep)
    assert html.count("background:#2e7d32") == 3 and html.count("background:#c62828") == 1
    assert html.count("running") == 1  # broken fp16 has no row yet


def test_the_heatmap_latency_and_error_charts(sweep, tmp_path):
    pytest.importorskip("plotly", reason="needs plotly (pip install 'trtlab[lab]')")
    heat, latency, error = sweep_figures(sweep)
    assert list(heat.data[0].y) == ["tiny", "mixed", "broken"] and list(heat.data[0].x) == ["fp32", "fp16"]
    assert heat.data[0].z[1][1] == 1 and heat.data[0].z[2][1] is None  # mixed fp16 fail; broken fp16 not there
    assert [list(b.y) for b in latency.data] == [[0.03, 0.2], [], [0.02, 0.2]]  # the last: the baseline
    assert "stand-ins (not TensorRT)" in latency.layout.title.text
    assert [list(b.x) for b in error.data] == [["tiny", "mixed"]]
    path = sweep.save_html(tmp_path / "summary.html")
    text = open(path).read()
    assert text.startswith("<!DOCTYPE html>") and "Verdict per model and precision" in text
    assert "Plotly.newPlot" in text and "trtlab-sweep-grid" in text
