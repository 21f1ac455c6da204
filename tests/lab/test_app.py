"""The Lab widget headless: set `.value`, click buttons, watch the plan, the figures and the SVG."""

from __future__ import annotations


import ipywidgets as W
import pytest

import trtlab
from trtlab.lab import Lab, NodeOverrides
from trtlab.views import item_styles


def _statuses(html: str) -> dict[str, str]:
    return {i: st for i, (st, _, _) in item_styles(html).items()}


def test_is_a_vbox_with_reachable_parts(small_model):
    lab = Lab(small_model)
    assert isinstance(lab, W.VBox)
    for part in (lab.graph, lab.coverage_panel, lab.precision, lab.build_panel, lab.sweep,
                 lab.errors):
        assert isinstance(part, W.Widget)
    assert lab.errors.value == ""
    assert "application/vnd.jupyter.widget-view+json" in lab._repr_mimebundle_()
    assert set(lab.precision.options) == {"fp32", "fp16", "bf16", "int8", "fp8"}


def test_ticking_an_unsupported_op_forces_it_in(small_model):
    lab = Lab(small_model)
    box = lab.coverage_panel.op_checks["MaxRoiPool"]
    assert box.value is False
    box.value = True
    assert lab.settings.partition.include_ops == frozenset({"MaxRoiPool"})
    assert lab.plan.coverage_pct == 100.0


def test_min_block_size_and_preset(small_model):
    lab = Lab(small_model)
    engines = lab.plan.engine_count
    lab.coverage_panel.min_block_size.value = lab.coverage_panel.min_block_size.max
    assert lab.plan.engine_count < engines or lab.plan.engine_count == 0
    assert any(st["tip"].startswith("TensorRT: supported, left out") or "min_block_size" in st["tip"]
               for st in lab.graph.before.styles.values())
    lab.coverage_panel.min_block_size.value = 1
    lab.coverage_panel.preset.value = "mxnet-1.3"
    assert lab.settings.source == "mxnet-1.3"
    assert lab.coverage_panel.op_checks["GlobalAveragePool"].value is False  # not on 1.3's list
    assert lab.graph.before.styles["n:pool"]["tip"].startswith("TensorRT: no")


def test_precision_is_part_of_the_settings(small_model):
    lab = Lab(small_model)
    lab.precision.value = "int8"
    assert lab.settings.precision == "int8" and lab.plan.coverage.precision == "int8"
    assert "int8" in lab.build_panel.status.value


def test_errors_show_in_the_widget_and_leave_it_usable(small_model, monkeypatch):
    lab = Lab(small_model)
    session = lab.session

    def broken(source, precision):
        raise trtlab.TrtlabError("The parser preset needs TensorRT.", hint="Install trtlab[rtx].")

    monkeypatch.setattr(session, "base_coverage", broken)
    lab.coverage_panel.preset.value = "parser"
    assert "needs TensorRT" in lab.errors.value
    assert lab.coverage_panel.preset.value == "tensorrt"  # back to what works
    monkeypatch.undo()
    lab.coverage_panel.op_checks["Relu"].value = False
    assert lab.errors.value == "" and "Relu" in lab.settings.partition.exclude_ops


def test_loads_from_a_path_and_from_the_zoo(tmp_path, small_model):
    path = tmp_path / "small.onnx"
    small_model.save(path)
    assert Lab(str(path)).model.name == "small"
    with pytest.raises(trtlab.TrtlabError):
        Lab(str(tmp_path / "missing.onnx"))
    assert Lab("zoo:resnet18").plan.engine_count == 1


def test_inputs_apply_to_a_model_as_trtlab_load_does(small_model):
    # inputs= is not silently dropped when the model is already loaded.
    with pytest.raises(trtlab.TrtlabError, match="fixed dimension"):
        Lab(small_model, inputs={"x": (2, 3, 8, 8)})


def test_precision_and_preset_changes_keep_the_users_exclusions(small_model):
    lab = Lab(small_model, nodes=NodeOverrides(exclude=["conv2"]))
    lab.coverage_panel.op_checks["Add"].value = False
    at_fp32 = lab.plan
    assert "Add" in lab.settings.partition.exclude_ops
    for precision in ("fp16", "int8", "fp32"):
        lab.precision.value = precision
        assert not lab.coverage_panel.op_checks["Add"].value
        assert "Add" in lab.settings.partition.exclude_ops
        assert lab.settings.partition.exclude_nodes == frozenset({"conv2"})
    lab.coverage_panel.min_block_size.value = 2
    lab.coverage_panel.min_block_size.value = 1
    assert "Add" in lab.settings.partition.exclude_ops and lab.plan.engine_count == at_fp32.engine_count
    lab.coverage_panel.preset.value = "mxnet-1.3"
    assert not lab.coverage_panel.op_checks["Add"].value
    lab.coverage_panel.forget_choices()
    lab.precision.value = "fp16"
    assert lab.coverage_panel.op_checks["Add"].value  # back to what the table says
