"""The coverage controls on their own: a checkbox per op type ticked as the source says, the user's
ticks kept across presets and precisions, one change reported per user action, the figures."""

from __future__ import annotations

import trtlab
from trtlab.lab.coverage_panel import CoveragePanel
from trtlab.lab.session import Session

from tests.models import chain_with_unsupported


def _panel(calls: list) -> CoveragePanel:
    session = Session(trtlab.load(chain_with_unsupported()))
    return CoveragePanel(session, source="tensorrt", precision="fp32", min_block_size=1,
                         on_change=lambda kind, change: calls.append(kind))


def test_boxes_follow_the_source_and_say_why_not():
    calls = []
    panel = _panel(calls)
    assert panel.allowed == {"Det": False, "Relu": True, "Add": True} and calls == []  # no change reported yet
    assert list(panel.op_checks) == ["Det", "Relu", "Add"]  # most nodes first
    assert "accepted" in panel._notes["Relu"].value and "no importer for Det" in panel._notes["Det"].value


def test_the_users_ticks_survive_a_preset_or_precision_and_can_be_forgotten():
    calls = []
    panel = _panel(calls)
    panel.op_checks["Relu"].value = False
    panel.op_checks["Det"].value = True
    assert calls == ["ops", "ops"] and panel.user_choices == {"Relu": False, "Det": True}
    panel.set_preset_quietly("mxnet-1.3")  # the Lab's own change: not reported back to it
    assert calls == ["ops", "ops"]
    panel.reset_ops("fp16")
    assert panel.allowed == {"Det": True, "Relu": False, "Add": True} and calls == ["ops", "ops"]
    panel.forget_choices()
    panel.reset_ops("fp16")
    assert panel.allowed == {"Det": False, "Relu": True, "Add": True}  # MXNet 1.3's list has Relu and Add
    panel.preset.value = "tensorrt"  # the user's change of preset is reported
    panel.min_block_size.value = 2
    assert calls[-2:] == ["preset", "ops"]


def test_the_figures_say_the_plan():
    panel = _panel([])
    panel.show_plan(trtlab.partition(trtlab.load(chain_with_unsupported()), "tensorrt"))
    text = panel.figures.value
    assert "60.0%" in text and "3 of 5 nodes in TensorRT" in text
    assert ">2</div><div style='font-size:11px;color:#666'>TensorRT subgraphs" in text
    assert ">2</div><div style='font-size:11px;color:#666'>nodes left to the framework" in text
