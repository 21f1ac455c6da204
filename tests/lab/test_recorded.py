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


def test_the_status_says_built_and_from_the_cache_apart(tmp_path):
    from dataclasses import replace

    from trtlab.check import EngineRow

    r = check(conv_model(), ["fp32"], cache_dir=False, build=False, timing=False)
    r.engines[:] = [EngineRow(0, "fp32", True, 10, 0.5), EngineRow(0, "fp16", True, 10, 0.0, cache_hit=True),
                    EngineRow(1, "fp32", False, error="parser")]
    r.builder = "TensorRT-RTX 1.7.1"
    lab = Lab.from_result(r)
    try:
        text = lab.build_panel.status.value
        assert "3 engines with TensorRT-RTX 1.7.1: 1 built, 1 from the cache, 1 not built;" in text, text
        r.engines[:] = [replace(r.engines[0])]
        lab.build_panel.show_result(r)
        assert "1 engine with TensorRT-RTX 1.7.1: 1 built;" in lab.build_panel.status.value
    finally:
        lab.close()
