"""A partition's result as data: figures, where each node runs, subgraphs turned back into fallback
nodes, the JSON of `trtlab inspect`."""

from __future__ import annotations

import json

import numpy as np
import pytest

import trtlab

from tests.models import chain_model, chain_with_unsupported


def test_figures_and_placement():
    plan = trtlab.partition(trtlab.load(chain_with_unsupported()), "tensorrt")
    assert (plan.total_nodes, plan.supported_nodes, plan.engine_count, plan.nodes_in_engines) == (5, 3, 2, 3)
    assert plan.placement() == {"r1": 0, "det": None, "r2": 0, "det2": None, "add": 1}
    assert plan.subgraph(1).nodes == ["add"] and plan.subgraph(1).name == "trt_engine_1"
    with pytest.raises(KeyError):
        plan.subgraph(7)
    assert repr(plan) == "<trtlab.Plan 'two_dets': 2 engines, 60.0% of nodes in TensorRT>"
    assert "engine 0: 2 nodes: Relu x2" in plan.report()


def test_without_subgraphs_keeps_the_rest_and_the_reason():
    m = chain_model()
    plan = trtlab.partition(m, exclude_nodes=["relu3"])
    reason = "engine build failed (fp16): out of memory while building the engine"
    out = plan.without_subgraphs({0: reason})
    assert [s.id for s in out.subgraphs] == [1]
    fb = {f.name: f.reason for f in out.fallback_nodes}
    assert all(fb[n] == reason for n in plan.subgraphs[0].nodes) and "relu3" in fb
    from trtlab.hybrid import HybridRunner
    from trtlab.feeds import random_feeds
    from trtlab.ort import run_onnxruntime

    feeds = random_feeds(m)
    a, b = HybridRunner(out, provider="cpu").run(feeds), run_onnxruntime(m, feeds, "cpu")
    assert np.abs(a["y"] - b["y"]).max() <= 1e-5


def test_json_shape():
    plan = trtlab.partition(trtlab.load(chain_with_unsupported()), "tensorrt")
    d = plan.to_dict()
    assert set(d) == {"model", "coverage", "partition"}
    assert set(d["model"]) == {"name", "nodes", "inputs", "outputs"}
    assert set(d["coverage"]) == {"source", "supported_nodes", "total_nodes", "unsupported_ops"}
    assert d["coverage"]["unsupported_ops"] == {"Det": 2}
    assert set(d["partition"]) == {"min_block_size", "subgraphs", "fallback_nodes"}
    assert json.loads(plan.to_json())["partition"]["fallback_nodes"][0] == {
        "name": "det", "op": "Det", "reason": plan.fallback_nodes[0].reason}
