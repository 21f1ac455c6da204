"""Build and time from the Lab: a real `trtlab.check` in a background thread."""

from __future__ import annotations

import time

from trtlab.lab import Lab
from trtlab.lab.figures import shown_figures

FAST = {"cache_dir": False, "timing_options": {"seconds": 0.05, "warmup_ms": 5, "iterations": 3}}


def test_build_runs_in_the_background_and_reports(small_model):
    lab = Lab(small_model, check_options=FAST)
    lab.precision.value = "fp16"
    panel = lab.build_panel
    assert "fp32, fp16" in panel.status.value
    t0 = time.perf_counter()
    panel.build.click()
    assert time.perf_counter() - t0 < 0.5  # the click returns at once; the work is in a thread
    assert panel.build.disabled and not panel.cancel.disabled
    assert set(panel.bars) == {s.name for s in lab.plan.subgraphs}
    assert panel.wait(120)
    assert panel.error is None and lab.errors.value == ""
    result = panel.result
    assert result is not None and result.precisions == ["fp32", "fp16"]
    assert not panel.build.disabled and panel.cancel.disabled
    assert all(bar.value == 2 for bar in panel.bars.values())
    # The accuracy table has a row per precision and says what was compared with what.
    assert panel.accuracy.value.count("<tr>") == 1 + sum(len(r.outputs) for r in result.accuracy)
    assert "measured:" in panel.accuracy.value
    assert "fp16" in panel.accuracy.value + panel.notes.value  # measured, or said why not
    figures = shown_figures(panel.charts)
    titles = [f["layout"]["title"]["text"] for f in figures]
    assert len(figures) == 3 and result.timing[0].device in titles[0]  # says where it was measured
    assert "Speed-up" in titles[1] and "error" in titles[2]
    # Where no engine can run, the panel says so in words.
    if not any(t.backend.startswith("TensorRT") for t in result.timing):
        assert "stand-in" in panel.notes.value or "not" in panel.notes.value


def test_cancel_stops_and_leaves_the_panel_usable(small_model):
    lab = Lab(small_model, check_options=FAST)
    panel = lab.build_panel
    panel.build.click()
    panel.cancel.click()
    assert panel.wait(120)
    assert panel.error is None and not panel.build.disabled
    assert panel.result is not None
    if panel.result.cancelled:
        assert panel.status.value.startswith("Cancelled")


def test_a_failing_check_shows_in_the_widget(small_model):
    lab = Lab(small_model, check_options={"no_such_option": 1})
    panel = lab.build_panel
    panel.build.click()
    assert panel.wait(60)
    assert panel.error is not None and "no_such_option" in lab.errors.value
    assert not panel.build.disabled
    # Still usable: the coverage controls work and a corrected build goes through.
    lab.coverage_panel.op_checks["Relu"].value = False
    assert "Relu" in lab.settings.exclude_ops and lab.errors.value == ""
    panel.options = dict(FAST, timing=False)
    panel.build.click()
    assert panel.wait(120) and panel.error is None and panel.result.accuracy


def test_status_follows_the_compare_checkbox(small_model):
    lab = Lab(small_model, check_options=FAST)
    lab.precision.value = "fp16"
    panel = lab.build_panel
    assert "fp32, fp16" in panel.status.value
    panel.compare_fp32.value = False
    assert panel.precisions() == ["fp16"]
    assert "at fp16," in panel.status.value and "fp32, fp16" not in panel.status.value
