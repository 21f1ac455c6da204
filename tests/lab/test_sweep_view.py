"""A sweep in a notebook: the progress bar and summary follow the rows as they arrive."""

from __future__ import annotations

from trtlab.lab.sweep_view import SweepView

from tests.sweeps.sample import sample_sweep


def test_the_view_follows_the_sweep_live():
    sweep = sample_sweep()
    view = SweepView(sweep)
    assert (view.bar.value, view.bar.max) == (0, 6) and "running" in view.summary.value
    sweep._add(sweep.rows_to_come[0])
    assert view.bar.value == 1 and "1 of 6 tasks done: 1 pass" in view.label.value
    for row in sweep.rows_to_come[1:]:
        sweep._add(row)
    assert view.bar.value == 5 and not view.cancel.disabled
    sweep._finish()
    assert view.cancel.disabled and view.bar.bar_style == "warning"  # a fail and a not measured
    assert "mixed" in view.summary.value and "max rel error 0.3" in view.summary.value


def test_cancel_cancels_the_sweep_and_a_sweep_shows_as_the_view():
    sweep = sample_sweep()
    bundle = sweep._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    view = SweepView(sweep)
    view.cancel.click()
    assert sweep.cancelled
