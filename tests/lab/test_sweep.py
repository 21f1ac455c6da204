"""The sweep: coverage and engine count against min_block_size, from the partition alone."""

from __future__ import annotations

import trtlab
from trtlab.lab import Lab
from trtlab.lab.figures import shown_figures
from trtlab.lab.session import Session, Settings
from trtlab.lab.sweep import SweepPanel, sweep_points

from tests.models import chain_with_unsupported


def test_sweep_draws_coverage_against_min_block_size(small_model):
    lab = Lab(small_model)
    lab.sweep.max_size.value = 8
    lab.sweep.run.click()
    assert [p.min_block_size for p in lab.sweep.points] == list(range(1, 9))
    pct = [p.coverage_pct for p in lab.sweep.points]
    assert pct == sorted(pct, reverse=True) and pct[0] > pct[-1]
    (fig,) = shown_figures(lab.sweep.chart)
    assert "min_block_size" in fig["layout"]["title"]["text"]
    assert list(fig["data"][0]["y"]) == pct


def test_the_sweep_ticks_counts_at_whole_numbers(small_model):
    lab = Lab(small_model)
    try:
        lab.sweep.max_size.value = 5
        lab.sweep.sweep()
        layout = shown_figures(lab.sweep.chart)[0]["layout"]
        engines, sizes = layout["yaxis2"], layout["xaxis"]
        assert engines["title"]["text"] == "engines"
        for axis in (engines, sizes):
            assert axis["tickformat"] == "d" and isinstance(axis["dtick"], int) and axis["dtick"] >= 1
        assert layout["margin"]["t"] > 60  # room for the title and its subtitle line
    finally:
        lab.close()


def test_each_point_is_the_partition_at_that_size():
    session = Session(trtlab.load(chain_with_unsupported()))
    points = sweep_points(session, Settings(), [1, 2, 3])
    assert [(p.min_block_size, p.engines, p.coverage_pct) for p in points] == [(1, 2, 60.0), (2, 1, 40.0), (3, 0, 0.0)]
    assert points[0].to_dict() == {"min_block_size": 1, "coverage_pct": 60.0, "engines": 2, "ops_per_engine": 1.5}


def test_a_failing_sweep_is_reported_and_keeps_the_last_points():
    session = Session(trtlab.load(chain_with_unsupported()))
    errors = []

    def settings() -> Settings:
        raise trtlab.TrtlabError("No node named 'gone' in the model.")

    panel = SweepPanel(session, settings, errors.append)
    assert panel.sweep() == [] and panel.chart.outputs == ()
    assert [str(e) for e in errors] == ["No node named 'gone' in the model."]
