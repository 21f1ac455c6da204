"""Build and time from the Lab: a real `trtlab.check` in a background thread."""

from __future__ import annotations

import threading

from trtlab.lab import Lab
from trtlab.lab.figures import shown_figures

FAST = {"cache_dir": False, "timing_options": {"seconds": 0.05, "warmup_ms": 5, "iterations": 3}}


def test_build_runs_in_the_background_and_reports(small_model):
    lab = Lab(small_model, check_options=FAST)
    lab.precision.value = "fp16"
    panel = lab.build_panel
    assert "fp32, fp16" in panel.status.value
    gate = threading.Event()
    seen = panel._on_progress
    panel._on_progress = lambda event: (gate.wait(60), seen(event))  # the check waits for us
    panel.build.click()
    # The click returned while the check is held at its first step: the work is in a thread.
    assert panel.running and panel.build.disabled and not panel.cancel.disabled
    gate.set()
    assert set(panel.bars) == {s.name for s in lab.plan.subgraphs}
    assert panel.wait(120)
    assert panel.error is None and lab.errors.value == ""
    result = panel.result
    assert result is not None and result.precisions == ["fp32", "fp16"]
    assert not panel.build.disabled and panel.cancel.disabled
    assert all(bar.value == 2 for bar in panel.bars.values())
    # The accuracy table has a row per precision and says what was compared with what.
    assert panel.accuracy.value.count("<tr>") == 1 + sum(len(r.outputs) for r in result.accuracy)
    assert "Compared: fp32: " in panel.accuracy.value and "fp16: " in panel.accuracy.value
    # The graphs' precision overlay shows what the check ran: engine nodes in fp16.
    data = lab.graph.before.data
    in_engines = {n for sg in result.plan.subgraphs for n in sg.nodes}
    assert in_engines and all(data.precision[n] == "fp16" for n in in_engines)
    # What the engine builds tell, where engines were built: kernels' precision and fusion savings.
    if result.engines:
        assert "trtlab-engine-precision" in panel.engine_build.value
        assert "counted from the engine build, not timed" in panel.engine_build.value
    # One status per precision, in the status line's table.
    assert "trtlab-verdicts" in panel.status.value
    assert [v.status for v in result.verdicts] == ["pass", "pass"]
    figures = shown_figures(panel.charts)
    titles = [f["layout"]["title"]["text"] for f in figures]
    assert result.timing[0].device in titles[0]  # says where it was measured
    assert any("error" in t for t in titles)
    assert ("What fusion saves (counted from the engine build, not timed)" in titles) == bool(result.fusion)
    # Where no engine can run, the panel says so in words, and what ran instead; stand-ins get
    # no speed-up chart.
    if not result.engines_runnable:
        assert len(figures) == 2 + bool(result.fusion) and "measured instead of TensorRT's speed-up" in titles[0]
        assert not any("Speed-up" in t for t in titles)
        assert "TensorRT&#x27;s speed-up was not measured" in panel.notes.value
        assert "stand-ins (not TensorRT)" in panel.notes.value
        assert "stand-ins (not TensorRT)" in panel.accuracy.value
    # A small model gets its per-node error measured: an overlay of both graphs after the build.
    assert panel.per_node.value and result.settings.per_node and "fp16" in result.node_errors
    for graph in (lab.graph.before, lab.graph.after):
        assert ["error", "accuracy error"] in graph.overlays and graph.data.error


def test_cancel_stops_and_leaves_the_panel_usable(small_model):
    lab = Lab(small_model, check_options=FAST)
    panel = lab.build_panel
    gate = threading.Event()
    seen = panel._on_progress
    panel._on_progress = lambda event: (gate.wait(60), seen(event))
    panel.build.click()
    panel.cancel.click()  # while the check is held at its first step
    gate.set()
    assert panel.wait(120)
    assert panel.error is None and not panel.build.disabled and panel.cancel.disabled
    assert panel.result is not None and panel.result.cancelled
    assert panel.status.value.startswith("Cancelled")
    assert all(v.status == "not measured" for v in panel.result.verdicts)
    panel._on_progress = seen
    panel.options = dict(FAST, timing=False)
    panel.build.click()  # usable again
    assert panel.wait(120) and panel.result is not None and not panel.result.cancelled


def test_a_failing_check_shows_in_the_widget(small_model):
    lab = Lab(small_model, check_options={"no_such_option": 1})
    panel = lab.build_panel
    panel.build.click()
    assert panel.wait(60)
    assert panel.error is not None and "no_such_option" in lab.errors.value
    assert not panel.build.disabled
    # Still usable: the coverage controls work and a corrected build goes through.
    lab.coverage_panel.op_checks["Relu"].value = False
    assert "Relu" in lab.settings.partition.exclude_ops and lab.errors.value == ""
    panel.options = dict(FAST, timing=False)
    panel.build.click()
    assert panel.wait(120) and panel.error is None and panel.result.accuracy


def test_per_node_error_is_on_for_small_models_and_the_users_choice_stays(small_model):
    import trtlab
    from trtlab.lab.build_panel import PER_NODE_UP_TO

    from tests.views.graph_models import numbered_model

    lab = Lab(small_model, check_options=FAST)
    panel = lab.build_panel
    assert panel.per_node.value
    big = trtlab.partition(numbered_model(PER_NODE_UP_TO // 4 + 1))  # 6 nodes a block with its Constants
    assert len(big.model.nodes) > PER_NODE_UP_TO
    panel.plan_changed(big)
    assert not panel.per_node.value  # large: off by default, and said so after a build
    panel.per_node.value = True  # the user's choice
    panel.plan_changed(big)
    assert panel.per_node.value


def test_status_follows_the_compare_checkbox(small_model):
    lab = Lab(small_model, check_options=FAST)
    lab.precision.value = "fp16"
    panel = lab.build_panel
    assert "fp32, fp16" in panel.status.value
    panel.compare_fp32.value = False
    assert panel.precisions() == ["fp16"]
    assert "at fp16," in panel.status.value and "fp32, fp16" not in panel.status.value


def test_a_checks_per_node_error_and_kept_nodes_reach_the_overlays():
    from tests.models import conv_model
    from trtlab.check import check
    from trtlab.views.overlays import check_values

    model = conv_model()
    r = check(model, ["fp16"], per_node=True, build=False, timing=False)
    r.kept_fp32["fp16"] = [{"subgraph": 0, "node": "relu", "op": "Relu", "reason": "user: kept"}]
    overlays = check_values(r)
    assert overlays["precision"]["conv"] == "fp16" and overlays["precision"]["relu"] == "fp32"
    assert overlays["precision_reason"] == {"relu": "user: kept"}
    assert overlays["error"] and set(overlays["error"]) <= {n.name for n in model.nodes}
    lab = Lab(model)
    lab.graph.show_plan(r.plan, **overlays)
    assert lab.graph.before.data.error == {k: float(v) for k, v in overlays["error"].items()}
    assert lab.graph.before.data.precision["relu"] == "fp32"
    lab.close()
