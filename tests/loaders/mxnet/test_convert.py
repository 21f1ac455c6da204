"""A parsed symbol and its parameters to an ONNX model: names, inputs, outputs and clear errors."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from trtlab.errors import TrtlabError
from trtlab.loaders.mxnet import convert, load_symbol_json

from .helpers import mx, run_both

D4 = {"data": (2, 4, 9, 9)}


def _fc_symbol(extra_nodes=(), head=2):
    nodes = [{"op": "null", "name": "data", "inputs": []},
             {"op": "null", "name": "fc_weight", "inputs": []},
             {"op": "FullyConnected", "name": "fc", "attrs": {"num_hidden": "3", "no_bias": "True"},
              "inputs": [[0, 0, 0], [1, 0, 0]]}, *extra_nodes]
    return load_symbol_json({"nodes": nodes, "heads": [[head, 0, 0]]})


def test_converted_symbol_computes_what_its_parameters_say():
    weight = np.arange(12, dtype=np.float32).reshape(3, 4) / 10
    proto = convert(_fc_symbol(), {"arg:fc_weight": weight}, {"data": (2, 4)})
    x = np.random.default_rng(0).normal(size=(2, 4)).astype(np.float32)
    (y,) = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"data": x})
    np.testing.assert_allclose(y, x @ weight.T, rtol=1e-6)
    assert [i.name for i in proto.graph.input] == ["data"] and [o.name for o in proto.graph.output] == ["fc_output"]
    assert proto.ir_version == onnx.helper.find_min_ir_version_for(list(proto.opset_import))


def test_a_label_variable_is_not_an_input():
    softmax = [{"op": "null", "name": "softmax_label", "inputs": []},
               {"op": "SoftmaxOutput", "name": "softmax", "inputs": [[2, 0, 0], [3, 0, 0]]}]
    proto = convert(_fc_symbol(softmax, head=4), {"fc_weight": np.ones((3, 4), np.float32)}, {"data": (1, 4)})
    assert [i.name for i in proto.graph.input] == ["data"]


def test_unknown_input_and_missing_values_are_clear_errors():
    sym = _fc_symbol()
    with pytest.raises(TrtlabError, match="no input named 'image'") as err:
        convert(sym, {"fc_weight": np.ones((3, 4), np.float32)}, {"image": (1, 4)})
    assert "Its inputs are: data" in err.value.hint
    with pytest.raises(TrtlabError, match="No shape given for the input 'data'"):
        convert(sym, {"fc_weight": np.ones((3, 4), np.float32)}, {})
    with pytest.raises(TrtlabError, match="The parameters have no value for 'fc_weight'"):
        convert(sym, {"other_weight": np.ones((3, 4), np.float32)}, {"data": (1, 4)})


def test_onnx_node_names_are_mxnet_names():
    m = mx()
    s = m.sym
    x = s.Convolution(s.var("data"), kernel=(3, 3), num_filter=4, name="stem_conv")
    x = s.Activation(s.BatchNorm(x, name="stem_bn"), act_type="relu", name="stem_relu")
    x = s.FullyConnected(x, num_hidden=3, name="head")
    _, _, model = run_both(x, D4)
    names = [n.name for n in model.nodes]
    assert names[:3] == ["stem_conv", "stem_bn", "stem_relu"]
    assert "head" in names and len(set(names)) == len(names)
    assert list(model.outputs) == ["head_output"]


def test_op_without_converter_names_op_and_node():
    m = mx()
    sym = m.sym.topk(m.sym.var("data"), k=2, name="pick_best")
    with pytest.raises(TrtlabError, match=r"'topk' \(node 'pick_best'\) has no ONNX converter"):
        run_both(sym, {"data": (2, 5)})
