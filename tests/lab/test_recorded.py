"""`Lab.from_result`: a recorded check in the Lab, its figures and overlays, building off."""

from __future__ import annotations

from trtlab.check import check, save_result
from trtlab.lab import Lab
from trtlab.lab.recorded import NO_BUILD

from tests.models import conv_model


def test_a_recorded_check_shows_its_figures_and_overlays_without_building(tmp_path):
    r = check(conv_model(), ["fp32", "fp16"], cache_dir=False, build=False, per_node=True,
              timing_options={"warmup_ms": 5, "iterations": 3, "seconds": 0.01})
    path = save_result(r, tmp_path / "cnn.json")
    lab = Lab.from_result(path)
    try:
        panel = lab.build_panel
        assert panel.result.to_dict() == r.to_dict()
        assert lab.plan is panel.result.plan and lab.plan.to_dict() == r.plan.to_dict()
        assert panel.build.disabled and panel.build.tooltip == NO_BUILD
        assert "Recorded check, run on " in lab.header.value and "nothing is built here" in lab.header.value
        assert "fp16" in panel.status.value and panel.accuracy.value
        lab.graph.wait()
        overlays = [v for v, _ in lab.graph.before.data.overlays()]
        assert "precision" in overlays and "error" in overlays
        panel.start()  # the button is off, and start does nothing without weights either
        assert not panel.running or panel.wait(120)
    finally:
        lab.close()
