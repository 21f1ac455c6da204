import numpy as np
import onnx
import pytest

import trtlab
from trtlab.cut import boundary, cut_fallback, cut_nodes, cut_subgraph
from trtlab.ort import make_session
from trtlab.feeds import random_feeds
from trtlab.accuracy import expose_intermediates

from tests.models import chain_model


@pytest.fixture(scope="module")
def plan():
    return trtlab.partition(chain_model(), exclude_nodes=["add1", "relu3", "mm4"])


def test_cut_subgraph_is_a_valid_standalone_model(plan):
    m = plan.model
    for sub in plan.subgraphs:
        proto = cut_subgraph(plan, sub.id)
        onnx.checker.check_model(proto, full_check=True)
        g = proto.graph
        assert [n.name for n in g.node] == sub.nodes
        assert [i.name for i in g.input] == sub.inputs
        assert [o.name for o in g.output] == sub.outputs
        used = {t for n in g.node for t in n.input}
        assert {t.name for t in g.initializer} == used & m.initializer_names
        for vi in list(g.input) + list(g.output):
            info = m.tensors[vi.name]
            assert tuple(d.dim_value for d in vi.type.tensor_type.shape.dim) == info.shape


def test_cut_computes_what_the_whole_model_computes(plan):
    m = plan.model
    feeds = random_feeds(m, seed=4)
    whole = make_session(expose_intermediates(m.proto), "cpu")
    names = [o.name for o in whole.get_outputs()]
    everything = dict(zip(names, whole.run(names, feeds)))
    everything.update(feeds)
    sub = plan.subgraphs[2]  # reads the graph input x and relu3
    assert set(sub.inputs) == {"x", "relu3"}
    sess = make_session(cut_subgraph(plan, sub.id), "cpu")
    out = sess.run(sub.outputs, {t: everything[t] for t in sub.inputs})
    for t, v in zip(sub.outputs, out):
        np.testing.assert_allclose(v, everything[t], rtol=1e-6, atol=1e-6)


def test_cut_fallback_and_boundaries(plan):
    proto = cut_fallback(plan, ["relu3"])
    onnx.checker.check_model(proto)
    assert [i.name for i in proto.graph.input] == ["add3"]
    assert [o.name for o in proto.graph.output] == ["relu3"]
    with pytest.raises(trtlab.TrtlabError, match="inside TensorRT subgraphs"):
        cut_fallback(plan, ["mm0"])
    ins, outs = boundary(plan.model, ["mm1", "add1"], keep=["mm1"])
    assert ins == ["relu0"] and outs == ["mm1", "add1"]


def test_cut_errors_name_what_is_wrong(plan):
    with pytest.raises(trtlab.TrtlabError, match="no subgraph 9"):
        cut_subgraph(plan, 9)
    with pytest.raises(trtlab.TrtlabError, match="No node named 'nope'"):
        cut_nodes(plan.model, ["nope"])
    with pytest.raises(trtlab.TrtlabError, match="empty"):
        cut_nodes(plan.model, [])


def test_cut_parses_in_the_tensorrt_parser(plan):
    trt = pytest.importorskip("tensorrt_rtx", reason="needs tensorrt-rtx (pip install 'trtlab[rtx]')")
    logger = trt.Logger(trt.Logger.ERROR)
    for sub in plan.subgraphs:
        builder = trt.Builder(logger)
        network = builder.create_network(0)
        parser = trt.OnnxParser(network, logger)
        assert parser.parse(cut_subgraph(plan, sub.id).SerializeToString()), sub.id
        assert network.num_inputs == len(sub.inputs) and network.num_outputs == len(sub.outputs)


def test_cuts_are_byte_stable_across_processes():
    # The engine cache keys on a cut's bytes: the same plan must cut the same in every process.
    import os
    import subprocess
    import sys

    code = ("import hashlib, trtlab; from trtlab.cut import cut_subgraph; "
            "p = trtlab.partition(trtlab.load('zoo:mixed')); "
            "print(hashlib.sha256(cut_subgraph(p, 1).SerializeToString()).hexdigest())")
    digests = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env=dict(os.environ, PYTHONHASHSEED=str(seed))).stdout.strip()
               for seed in (1, 2, 3)}
    assert len(digests) == 1
