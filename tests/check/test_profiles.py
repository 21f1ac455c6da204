"""A check over an optimisation profile: engines built for the range, accuracy at min, opt and max."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trtlab.check import check, load_result
from trtlab.check.profiles import load_points, relax, subgraph_profiles
from trtlab.check.settings import CheckSettings
from trtlab.errors import TrtlabError
from trtlab.installed_tensorrt import find_tensorrt
from trtlab.loaders import load
from trtlab.partition import partition

from tests.models import dynamic_cnn

PROFILE = {"x": {"min": [1, 3, 8, 8], "opt": [2, 3, 16, 16], "max": [4, 3, 32, 32]}}
SHAPES = [[2, 3, 16, 16], [1, 3, 8, 8], [4, 3, 32, 32]]


def test_each_subgraph_gets_the_range_of_its_own_inputs_and_its_cut_turns_dynamic():
    settings = CheckSettings(profiles=[PROFILE], partition=CheckSettings().partition.replace(min_block_size=1))
    plan = partition(load(dynamic_cnn(), inputs={"x": (2, 3, 16, 16)}), settings.partition)
    points, why = load_points(dynamic_cnn(), settings, plan)
    assert why == "" and [p.which for p in points] == ["min", "max"]
    (sid, (profile,)), = subgraph_profiles(plan, points).items()
    assert profile.to_dict() == PROFILE
    from trtlab.cut import cut_subgraph

    cut = relax(cut_subgraph(plan, sid), plan, points)
    dims = [d.dim_param or d.dim_value for d in cut.graph.input[0].type.tensor_type.shape.dim]
    assert dims == ["x_dim0", 3, "x_dim2", "x_dim3"] and len(cut.graph.value_info) == 0


def test_a_profile_naming_an_input_the_model_lacks_is_one_clear_error():
    with pytest.raises(TrtlabError, match="no input named .images.. Its inputs are: x"):
        check(dynamic_cnn(), profiles=[{"images": PROFILE["x"]}], timing=False, cache_dir=None, build=False)


def test_accuracy_is_measured_at_min_opt_and_max_and_each_row_says_its_shapes(tmp_path):
    result = check(dynamic_cnn(), precisions=["fp32", "fp16"], profiles=[PROFILE], timing=False,
                   cache_dir=None, min_block_size=1)
    d = json.loads(result.to_json())
    for precision in ("fp32", "fp16"):
        assert [a["shapes"]["x"] for a in d["accuracy"] if a["precision"] == precision] == SHAPES
        assert result.verdict(precision).status == "pass"
    assert d["settings"]["profiles"] == [PROFILE]
    if find_tensorrt() is not None:  # engines built once, for the whole range
        assert [e["profiles"] for e in d["engines"]] == [[PROFILE], [PROFILE]]
        assert all(e["built"] for e in d["engines"])
    path = tmp_path / "r.json"
    path.write_text(result.to_json())
    again = load_result(path)
    assert [dict(r.shapes)["x"] for r in again.accuracy] == [tuple(s) for s in SHAPES] * 2
    assert again.settings.profiles == result.settings.profiles


def fixed_reshape():
    """A model that only accepts batch 2 (a Reshape to a constant shape)."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    shape = numpy_helper.from_array(np.array([2, 48], dtype=np.int64), "shape")
    nodes = [helper.make_node("Relu", ["x"], ["r"], name="relu"),
             helper.make_node("Reshape", ["r", "shape"], ["y"], name="reshape")]
    graph = helper.make_graph(nodes, "fixed", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 4, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 48])], [shape])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = 8
    return proto


def test_a_failure_at_one_end_of_the_range_fails_the_precision():
    """The model fails to run at min: the precision is not measured, saying where."""
    proto = fixed_reshape()
    profile = {"x": {"min": [1, 3, 4, 4], "opt": [2, 3, 4, 4], "max": [2, 3, 4, 4]}}
    result = check(proto, profiles=[profile], timing=False, cache_dir=None, build=False, min_block_size=1)
    assert result.verdict("fp32").status != "pass"
    assert result.verdict("fp32").status == "not measured"
    assert "at the profile's min shapes the fp32 model does not run" in result.verdict("fp32").reason


def test_the_graph_shows_each_dimensions_range():
    from trtlab.views import before_graph

    result = check(dynamic_cnn(), profiles=[PROFILE], timing=False, cache_dir=None, build=False, min_block_size=1)
    model = result.plan.model
    assert model.inputs["x"].shape_text() == "1..4x3x8..32x8..32" and model.inputs["x"].shape == (2, 3, 16, 16)
    assert model.outputs["y"].shape_text() == "1..4x4x1x1"
    assert "1..4x3x8..32x8..32" in before_graph(result.plan).source


PROFILE_2 = {"x": {"min": [4, 3, 16, 16], "opt": [8, 3, 16, 16], "max": [8, 3, 32, 32]}}


def test_several_profiles_each_engine_gets_all_and_each_row_says_its_profile(tmp_path):
    result = check(dynamic_cnn(), precisions=["fp32", "fp16"], profiles=[PROFILE, PROFILE_2], timing=False,
                   cache_dir=None, min_block_size=1)
    d = json.loads(result.to_json())
    rows = [(a["shapes"]["x"], a["profile"], a["point"]) for a in d["accuracy"] if a["precision"] == "fp16"]
    # profile 2's min repeats profile 1's max: measured once, under the first
    assert rows == [([2, 3, 16, 16], 0, "opt"), ([1, 3, 8, 8], 0, "min"), ([4, 3, 32, 32], 0, "max"),
                    ([4, 3, 16, 16], 1, "min"), ([8, 3, 16, 16], 1, "opt"), ([8, 3, 32, 32], 1, "max")]
    assert [v.status for v in result.verdicts] == ["pass", "pass"]
    assert not any("only the first" in n for n in result.not_done)
    assert result.plan.model.inputs["x"].shape_text() == "1..8x3x8..32x8..32"
    assert "with inputs x 8x3x32x32 (profile 2, max)" in result.summary()
    if find_tensorrt() is not None:  # one engine per subgraph and precision, built with both profiles
        assert [e["profiles"] for e in d["engines"]] == [[PROFILE, PROFILE_2]] * 2
        assert all(e["built"] for e in d["engines"]), [e["error"] for e in d["engines"]]
    path = tmp_path / "r.json"
    path.write_text(result.to_json())
    again = load_result(path)
    assert [(r.profile, r.point) for r in again.accuracy] == [(r.profile, r.point) for r in result.accuracy]


def test_profiles_that_name_different_inputs_are_one_clear_error():
    with pytest.raises(TrtlabError, match="Profile 2 names"):
        check(dynamic_cnn(), profiles=[PROFILE, {"y": PROFILE["x"]}], timing=False, cache_dir=None, build=False)


def test_timing_at_every_point_on_request_gives_a_row_per_point_with_its_shapes(tmp_path):
    fast = {"warmup_ms": 0, "iterations": 2, "seconds": 0}
    result = check(dynamic_cnn(), profiles=[PROFILE], timing_options=fast, cache_dir=None, build=False,
                   min_block_size=1, time_shapes="all")
    d = json.loads(result.to_json())
    for stand_in in (False, True):  # the whole model in ONNX Runtime, and the hybrid run with stand-ins
        assert [(t["point"], t["shapes"]["x"]) for t in d["timing"] if t["stand_in"] == stand_in] == [
            ("opt", [2, 3, 16, 16]), ("min", [1, 3, 8, 8]), ("max", [4, 3, 32, 32])]
    assert {t["batch"] for t in d["timing"]} == {1, 2, 4}
    assert "at x 1x3x8x8 (profile 1, min)" in result.summary()
    page = Path(result.save_html(tmp_path / "r.html")).read_text()
    assert "<th>shapes</th>" in page and "x 4x3x32x32 (profile 1, max)" in page
    assert [t.point for t in load_result(_saved(result, tmp_path)).timing] == [t.point for t in result.timing]
    at_opt = check(dynamic_cnn(), profiles=[PROFILE], timing_options=fast, cache_dir=None, build=False,
                   min_block_size=1)
    assert {t.point for t in at_opt.timing} == {"opt"}


def _saved(result, tmp_path):
    path = tmp_path / "r.json"
    path.write_text(result.to_json())
    return path


def test_time_shapes_takes_opt_or_all():
    with pytest.raises(TrtlabError, match="time_shapes is one of opt, all"):
        CheckSettings(time_shapes="max")


def test_a_point_of_the_second_profile_that_does_not_run_is_said_and_the_rest_still_builds():
    """Positions 0..S-1 read from a table of 4 rows: S = 5, profile 2's max, is out of the table
    when the model runs (it loads there): every precision is not measured, saying where."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    consts = [numpy_helper.from_array(np.array(v, np.int64), n) for n, v in (("one", 1), ("zero", 0))]
    consts.append(numpy_helper.from_array(np.arange(8, dtype=np.float32).reshape(4, 2), "table"))
    nodes = [helper.make_node("Shape", ["x"], ["shp"], name="shape"),
             helper.make_node("Gather", ["shp", "one"], ["s"], name="length", axis=0),
             helper.make_node("Range", ["zero", "s", "one"], ["pos"], name="range"),
             helper.make_node("Gather", ["table", "pos"], ["y"], name="positions", axis=0),
             helper.make_node("Relu", ["x"], ["r"], name="relu")]
    graph = helper.make_graph(nodes, "positions", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, "S"])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["S", 2]),
                               helper.make_tensor_value_info("r", TensorProto.FLOAT, [1, "S"])], consts)
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = 8
    short = {"x": {"min": [1, 1], "opt": [1, 2], "max": [1, 4]}}
    longer = {"x": {"min": [1, 2], "opt": [1, 2], "max": [1, 5]}}
    result = check(proto, profiles=[short, longer], timing=False, cache_dir=None, min_block_size=1)
    v = result.verdict("fp32")
    assert v.status == "not measured" and "at profile 2's max shapes the fp32 model does not run" in v.reason
    assert [(a.profile, a.point) for a in result.accuracy] == [(0, "opt"), (0, "min"), (0, "max")]


def test_a_real_transformer_over_two_profiles_every_point_measured_and_engines_built_with_both():
    """Optimum's BERT export (dynamic batch and sequence) over the corpus's two profiles."""
    from trtlab import corpus

    model, _ = corpus.load("optimum-bert-range")
    profiles = corpus.profiles("optimum-bert-range")
    result = check(model, ["fp32", "fp16"], profiles=profiles, timing=False, cache_dir=None)
    assert [v.status for v in result.verdicts] == ["pass", "pass"], [v.reason for v in result.verdicts]
    seen = [(a.profile, a.point, tuple(dict(a.shapes)["input_ids"])) for a in result.accuracy if a.precision == "fp16"]
    assert seen == [(0, "opt", (1, 16)), (0, "min", (1, 8)), (0, "max", (2, 32)), (1, "min", (1, 32)),
                    (1, "opt", (4, 48)), (1, "max", (4, 64))]
    if find_tensorrt() is not None:
        assert [len(e.profiles) for e in result.engines] == [2, 2] and all(e.built for e in result.engines)
