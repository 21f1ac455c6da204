"""A plan as a record: the graph without its weights, every node's coverage, the partition and
its settings, read back equal; damaged records named."""

from __future__ import annotations

import json

import numpy as np
import onnx
import pytest
from onnx import helper, numpy_helper

import trtlab
from trtlab.errors import TrtlabError
from trtlab.plan_record import KEPT_VALUES, graph_without_weights, model_file, plan_from_record, plan_record

from tests.models import chain_model


def _record(plan) -> dict:
    return json.loads(json.dumps({**plan.to_dict(), "record": plan_record(plan)}))


def test_weights_are_left_out_small_constants_kept():
    big = numpy_helper.from_array(np.ones((64, 64), np.float32), "w")
    axes = numpy_helper.from_array(np.array([1], np.int64), "axes")
    graph = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"], name="mm"),
                               helper.make_node("Unsqueeze", ["y", "axes"], ["z"], name="unsq")], "g",
                              [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 64])],
                              [helper.make_tensor_value_info("z", onnx.TensorProto.FLOAT, [1, 1, 64])],
                              [big, axes])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    light = graph_without_weights(proto)
    by_name = {t.name: t for t in light.graph.initializer}
    assert list(by_name["w"].dims) == [64, 64] and by_name["w"].data_type == onnx.TensorProto.FLOAT
    assert not by_name["w"].raw_data and not by_name["w"].float_data  # no data
    assert numpy_helper.to_array(by_name["axes"]).tolist() == [1] and 1 <= KEPT_VALUES
    assert len(proto.graph.initializer[0].raw_data) == 64 * 64 * 4  # the original keeps its weights
    assert len(light.SerializeToString()) < len(proto.SerializeToString()) / 10


def test_a_plan_reads_back_equal_with_its_overrides_and_small_blocks():
    model = chain_model()
    plan = trtlab.partition(model, coverage="tensorrt", min_block_size=3, exclude_nodes=["relu3"])
    assert plan.small_block_nodes or plan.fallback_nodes
    back = plan_from_record(_record(plan))
    assert back.to_dict() == plan.to_dict()
    assert back.small_block_nodes == plan.small_block_nodes and back.settings == plan.settings
    assert [n.name for n in back.model.nodes] == [n.name for n in model.nodes]
    assert back.coverage.verdicts == plan.coverage.verdicts and back.coverage.detail == plan.coverage.detail
    assert [s.op_counts for s in back.subgraphs] == [s.op_counts for s in plan.subgraphs]
    assert plan_record(back) == plan_record(plan)  # a record written again from a record is the same


def test_a_damaged_or_foreign_record_is_one_clear_error():
    d = _record(trtlab.partition(chain_model()))
    with pytest.raises(TrtlabError, match="holds no trtlab record"):
        plan_from_record({k: v for k, v in d.items() if k != "record"})
    d["record"]["model"]["graph"] = "not base64!"
    with pytest.raises(TrtlabError, match="damaged"):
        plan_from_record(d)
    d["record"]["model"]["encoding"] = "pickle"
    with pytest.raises(TrtlabError, match="encoded as 'pickle'"):
        plan_from_record(d)


def test_the_model_file_is_named_by_path_and_sha256(tmp_path):
    path = tmp_path / "m.onnx"
    chain_model().save(path)
    import hashlib

    found = model_file(str(path))
    assert found == {"path": str(path.resolve()), "bytes": path.stat().st_size,
                     "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    assert model_file("zoo:resnet18") is None and model_file(chain_model()) is None
    assert model_file(str(tmp_path / "missing.onnx")) is None
