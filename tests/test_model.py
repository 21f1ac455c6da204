from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

import trtlab
from trtlab.errors import TrtlabError


def _dynamic_model() -> onnx.ModelProto:
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 8])
    w = numpy_helper.from_array(np.arange(32, dtype=np.float32).reshape(8, 4), "w")
    nodes = [helper.make_node("MatMul", ["x", "w"], ["h"]), helper.make_node("Relu", ["h"], ["y"]),
             helper.make_node("Relu", ["y"], ["z"], name="dup"), helper.make_node("Relu", ["z"], ["q"], name="dup")]
    g = helper.make_graph(nodes, "g", [x, helper.make_tensor_value_info("w", TensorProto.FLOAT, [8, 4])],
                          [helper.make_tensor_value_info("q", TensorProto.FLOAT, None)], [w])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])


def test_names_unique_inputs_fixed_shapes_inferred():
    m = trtlab.load(_dynamic_model(), inputs={"x": (3, 8)})
    names = [n.name for n in m.nodes]
    assert len(set(names)) == len(names) and all(names)
    assert list(m.inputs) == ["x"]  # the initializer listed as an input is gone
    assert m.inputs["x"].shape == (3, 8)
    assert m.tensors["h"].shape == (3, 4) and m.outputs["q"].shape == (3, 4)


def test_dynamic_input_without_shape_is_an_error_that_says_what_to_do():
    with pytest.raises(TrtlabError, match=r"inputs=\{'x': \(1, 8\)\}.*--input x:1x8"):
        trtlab.load(_dynamic_model())


def test_wrong_input_name_and_rank():
    with pytest.raises(TrtlabError, match="no input named 'y'"):
        trtlab.load(_dynamic_model(), inputs={"y": (1, 8)})
    with pytest.raises(TrtlabError, match="rank 2"):
        trtlab.load(_dynamic_model(), inputs={"x": (1, 8, 1)})


def test_external_data(tmp_path):
    proto = _dynamic_model()
    path = tmp_path / "ext.onnx"
    onnx.save(proto, str(path), save_as_external_data=True, all_tensors_to_one_file=True,
              location="ext.data", size_threshold=0)
    assert (tmp_path / "ext.data").exists()
    m = trtlab.load(path, inputs={"x": (1, 8)})
    assert "w" in m.initializer_names
    (tmp_path / "ext.data").unlink()
    with pytest.raises(TrtlabError, match="external data"):
        trtlab.load(path, inputs={"x": (1, 8)})


def test_corrupt_truncated_missing(tmp_path):
    good = tmp_path / "good.onnx"
    trtlab.load("zoo:tiny").save(good)
    data = good.read_bytes()
    (tmp_path / "trunc.onnx").write_bytes(data[: len(data) // 2])
    (tmp_path / "junk.onnx").write_bytes(b"not a model at all")
    for name in ("trunc.onnx", "junk.onnx"):
        with pytest.raises(TrtlabError, match="corrupt or truncated|not a valid ONNX|holds no ONNX graph"):
            trtlab.load(tmp_path / name)
    with pytest.raises(TrtlabError, match="No such file"):
        trtlab.load(tmp_path / "missing.onnx")


def test_save_is_atomic_and_round_trips(tmp_path):
    m = trtlab.load("zoo:tiny")
    m.save(tmp_path / "t.onnx")
    assert [p.name for p in tmp_path.iterdir()] == ["t.onnx"]  # no temporary left behind
    again = trtlab.load(tmp_path / "t.onnx")
    assert [n.name for n in again.nodes] == [n.name for n in m.nodes]


def test_unknown_object():
    with pytest.raises(TrtlabError, match="Don't know how to load"):
        trtlab.load(42)


def test_params_only_with_an_mxnet_symbol():
    with pytest.raises(TrtlabError, match="MXNet symbol .json file only"):
        trtlab.load("zoo:tiny", params="x-0000.params")
