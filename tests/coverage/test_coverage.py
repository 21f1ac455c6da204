"""Coverage as a user asks for it: a source by name, a precision, and the user's overrides on top."""

from __future__ import annotations

import pytest

import trtlab
from trtlab.coverage import coverage
from trtlab.errors import TrtlabError

from tests.models import chain_with_unsupported


def test_overrides():
    model = trtlab.load(chain_with_unsupported())
    r = coverage(model, "tensorrt", exclude_ops=["Relu"], include_nodes=["det"], exclude_nodes=["add"])
    assert not r.supported("r1") and "excluded by user (op type Relu)" in r.reason("r1")
    assert r.supported("det") and "forced in by user" in r.reason("det")
    assert not r.supported("add") and "excluded by user (node)" in r.reason("add")
    assert not r.supported("det2")
    with pytest.raises(TrtlabError, match="No node named 'nope'"):
        coverage(model, "tensorrt", exclude_nodes=["nope"])


def test_unknown_source_and_precision():
    model = trtlab.load(chain_with_unsupported())
    with pytest.raises(TrtlabError, match="Unknown coverage source 'tensor'"):
        coverage(model, "tensor")
    with pytest.raises(TrtlabError, match="Unknown precision 'fp9'"):
        coverage(model, "tensorrt", "fp9")


@pytest.mark.parametrize("source", ["tensorrt", "parser"])
def test_what_no_tensorrt_tensor_holds_stays_out_whatever_the_op(source):
    """A sequence and a string tensor have no TensorRT type: an op TensorRT has (Identity) falls
    back where it reads one, with that reason; the Relu after SequenceAt stays in."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    if source == "parser":
        pytest.importorskip("tensorrt_rtx", reason="needs TensorRT-RTX (pip install 'trtlab[rtx]')")
    nodes = [helper.make_node("SplitToSequence", ["x"], ["seq"], name="split", axis=0),
             helper.make_node("Identity", ["seq"], ["seq2"], name="pass_on"),  # an op TensorRT has, on a sequence
             helper.make_node("SequenceAt", ["seq2", "zero"], ["first"], name="at"),
             helper.make_node("Relu", ["first"], ["y"], name="relu"),
             helper.make_node("Identity", ["words"], ["same"], name="copy")]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 4]),
                                           helper.make_tensor_value_info("words", TensorProto.STRING, [3])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4]),
                               helper.make_tensor_value_info("same", TensorProto.STRING, [3])],
                              [numpy_helper.from_array(np.array(0, np.int64), "zero")])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = 8
    report = coverage(trtlab.load(proto), source)
    for name in ("split", "at"):  # ops TensorRT has no importer for: the source's own reason
        assert not report.supported(name) and "no importer" in report.reason(name), report.verdicts[name]
    assert "'seq' is a sequence, not a tensor" in report.reason("pass_on") and not report.supported("pass_on")
    assert "is a string tensor" in report.reason("copy") and not report.supported("copy")
    assert report.supported("relu")
