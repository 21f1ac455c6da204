"""The Lab's shape range: a check over an optimisation profile from three text fields."""

from __future__ import annotations

import trtlab
from trtlab.lab import Lab

from tests.models import dynamic_cnn

FAST = {"cache_dir": False, "timing": False}


def test_the_range_control_checks_over_the_profile():
    lab = Lab(trtlab.load(dynamic_cnn(), inputs={"x": (2, 3, 16, 16)}), check_options=FAST)
    panel, control = lab.build_panel, lab.build_panel.shape_range
    assert control.opt.value == "x:2x3x16x16" and control.profiles() == ()  # off until asked for
    control.toggle.value = True
    control.min.value, control.max.value = "x:1x3x8x8", "x:4x3x32x32"
    assert str(control.profiles()[0]) == "x: 1..4x3x8..32x8..32"
    control.time_all.value = True
    panel.build.click()
    assert panel.wait(180) and panel.error is None, panel.error
    assert [dict(r.shapes)["x"] for r in panel.result.accuracy if r.precision == "fp32"] == [
        (2, 3, 16, 16), (1, 3, 8, 8), (4, 3, 32, 32)]
    assert panel.result.settings.time_shapes == "all"
    assert "x 1x3x8x8 (profile 1, min)" in panel.accuracy.value  # the accuracy table's shapes column


def test_naming_an_input_again_in_the_lab_gives_a_second_profile():
    lab = Lab(trtlab.load(dynamic_cnn(), inputs={"x": (2, 3, 16, 16)}), check_options=FAST)
    control = lab.build_panel.shape_range
    control.toggle.value = True
    control.min.value, control.max.value = "x:1x3x8x8,x:4x3x16x16", "x:4x3x32x32,x:8x3x16x16"
    control.opt.value = "x:2x3x16x16,x:8x3x16x16"
    assert [str(p) for p in control.profiles()] == ["x: 1..4x3x8..32x8..32", "x: 4..8x3x16x16"]
    assert control.describe() == "over the shapes x: 1..4x3x8..32x8..32; x: 4..8x3x16x16"
    assert control.time_shapes() == "opt"


def test_a_wrong_range_is_said_in_the_lab():
    lab = Lab(trtlab.load(dynamic_cnn(), inputs={"x": (2, 3, 16, 16)}), check_options=FAST)
    control = lab.build_panel.shape_range
    control.toggle.value = True
    control.max.value = "x:4x3"
    lab.build_panel.build.click()
    lab.build_panel.wait(60)
    assert "one rank" in lab.errors.value and not lab.build_panel.build.disabled
