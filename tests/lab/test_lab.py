"""The Lab widget headless: set `.value`, click buttons, watch the plan, the figures and the SVG."""

from __future__ import annotations

import re

import ipywidgets as W
import pytest

import trtlab
from trtlab.lab import Lab
from trtlab.lab.figures import shown_figures
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
    assert set(lab.precision.options) == {"fp32", "fp16", "bf16", "int8"}


def test_first_draw_colours_tensorrt_nodes(small_model):
    lab = Lab(small_model)
    before = _statuses(lab.graph.before.value)
    assert before["n-conv1"] == "supported" and before["n-roipool"] == "unsupported"
    assert "trt-engine" in lab.graph.after.value and "<svg" in lab.graph.after.value
    assert lab.plan.engine_count >= 1
    assert "roipool" in {f.name for f in lab.plan.fallback_nodes}


def test_unticking_an_op_changes_plan_figures_and_both_graphs(small_model):
    lab = Lab(small_model)
    plan0, before0, after0 = lab.plan, lab.graph.before.value, lab.graph.after.value
    figures0 = lab.coverage_panel.figures.value
    lab.coverage_panel.op_checks["Add"].value = False
    lab.graph.wait()
    assert lab.plan is not plan0 and lab.settings.partition.exclude_ops == frozenset({"Add"})
    assert _statuses(lab.graph.before.value)["n-add"] == "excluded"
    assert lab.graph.after.value != after0 and "drawing the new plan" not in lab.graph.after.value
    assert lab.coverage_panel.figures.value != figures0
    # The before-graph was re-coloured, not laid out again: same geometry.
    strip = lambda s: re.sub(r'(class|fill)="[^"]*"|xlink:title="[^"]*"', "", s)
    assert strip(lab.graph.before.value) == strip(before0)
    lab.coverage_panel.op_checks["Add"].value = True
    lab.graph.wait()
    assert lab.graph.after.value == after0  # the cached drawing of the first plan


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
    assert "small-block" in set(_statuses(lab.graph.before.value).values())
    lab.coverage_panel.min_block_size.value = 1
    lab.coverage_panel.preset.value = "mxnet-1.3"
    assert lab.settings.source == "mxnet-1.3"
    assert lab.coverage_panel.op_checks["GlobalAveragePool"].value is False  # not on 1.3's list
    assert _statuses(lab.graph.before.value)["n-pool"] == "unsupported"


def test_precision_is_part_of_the_settings(small_model):
    lab = Lab(small_model)
    lab.precision.value = "int8"
    assert lab.settings.precision == "int8" and lab.plan.coverage.precision == "int8"
    assert "int8" in lab.build_panel.status.value


def test_search_highlights_and_picks(small_model):
    lab = Lab(small_model)
    lab.graph.search.value = "relu"
    assert lab.graph.matches == ["relu1", "relu2"]
    assert '[id="n-relu1"]' in lab.graph.style.value and "2 matches" in lab.graph.match_count.value
    lab.graph.search.value = "roipool"
    assert lab.graph.node.value == "roipool"  # a single match is picked
    details = lab.graph.details.value
    assert "MaxRoiPool" in details and "falls back" in details and "1x4x2x2" in details
    assert "pooled_shape" in details and "weight" in details  # the rois initializer
    lab.graph.node.value = "conv1"
    assert "pads" in lab.graph.details.value and "3x4x8x8" not in lab.graph.details.value
    assert "1x4x8x8" in lab.graph.details.value and "trt_engine_" in lab.graph.details.value
    lab.graph.node.value = lab.plan.subgraphs[0].name
    assert "TensorRT engine" in lab.graph.details.value


def test_clicking_a_node_reaches_the_picker(small_model):
    lab = Lab(small_model)
    # The inline handler types the clicked node's data-name into this Lab's picker box.
    assert f"trtlab-pick-{lab.graph.uid}" in lab.graph.node._dom_classes
    assert f".trtlab-pick-{lab.graph.uid} input" in lab.graph.before.value
    assert 'data-name="conv1"' in lab.graph.before.value


def test_zoom_is_css_only(small_model):
    lab = Lab(small_model)
    before = lab.graph.before.value
    lab.graph.zoom_in.click()
    assert lab.graph.zoom.value == 1.25 and "zoom:1.25" in lab.graph.style.value
    lab.graph.zoom_reset.click()
    assert lab.graph.zoom.value == 1.0
    assert lab.graph.before.value == before


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


def test_loads_from_a_path_and_from_the_zoo(tmp_path, small_model):
    path = tmp_path / "small.onnx"
    small_model.save(path)
    assert Lab(str(path)).model.name == "small"
    with pytest.raises(trtlab.TrtlabError):
        Lab(str(tmp_path / "missing.onnx"))
    assert Lab("zoo:resnet18").plan.engine_count == 1


def test_parser_coverage_is_ready_before_the_user_switches(small_model):
    pytest.importorskip("tensorrt_rtx", reason="needs TensorRT-RTX (pip install 'trtlab[rtx]')")
    lab = Lab(small_model)
    pending = lab.session._pending.get(("parser", "fp32"))
    assert pending is not None  # the real parser runs in the background from the start
    pending.join(timeout=60)
    assert ("parser", "fp32") in lab.session._base
    lab.coverage_panel.preset.value = "parser"
    assert lab.plan.coverage.source == "parser" and not lab.errors.value


def test_after_graph_follows_fallback_reasons_when_engines_stay_the_same(small_model):
    lab = Lab(small_model)
    lab.coverage_panel.min_block_size.value = lab.coverage_panel.min_block_size.max
    lab.graph.wait()
    assert lab.plan.engine_count == 0  # every supported node is left out as a small block
    assert re.search(r'class="node trt-fallback fallback small-block" data-name="relu1"',
                     lab.graph.after.value)
    lab.coverage_panel.op_checks["Relu"].value = False  # the same (empty) set of engines
    lab.graph.wait()
    assert lab.plan.engine_count == 0
    assert re.search(r'class="node trt-fallback fallback excluded" data-name="relu1"',
                     lab.graph.after.value)


def test_inputs_apply_to_a_model_as_trtlab_load_does(small_model):
    # inputs= is not silently dropped when the model is already loaded.
    with pytest.raises(trtlab.TrtlabError, match="fixed dimension"):
        Lab(small_model, inputs={"x": (2, 3, 8, 8)})


def test_precision_and_preset_changes_keep_the_users_exclusions(small_model):
    lab = Lab(small_model, exclude_nodes=["conv2"])
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
