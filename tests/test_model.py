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


def _model(nodes, inputs, outputs, inits=()):
    g = helper.make_graph(nodes, "g", inputs, [helper.make_tensor_value_info(o, TensorProto.FLOAT, None)
                                                for o in outputs], list(inits))
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 18)])


def test_shapes_onnx_inference_leaves_open_are_read_from_a_run():
    # ReduceMean over computed axes: ONNX inference knows only the rank, and symbolic inference
    # gets it wrong (keeps the reduced dimension); a run reads 3x1.
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])
    consts = [numpy_helper.from_array(np.array(v, np.int64), n) for n, v in (("start", 1), ("limit", 2), ("one", 1))]
    nodes = [helper.make_node("Range", ["start", "limit", "one"], ["axes"]),
             helper.make_node("ReduceMean", ["x", "axes"], ["mean"]),
             helper.make_node("Sub", ["x", "mean"], ["centred"])]
    m = trtlab.load(_model(nodes, [x], ["centred"], consts), inputs={"x": (3, 4)})
    assert m.tensors["mean"].shape == (3, 1) and m.tensors["axes"].shape == (1,)
    assert m.outputs["centred"].shape == (3, 4)
    assert all(i.static for i in m.tensors.values())


def test_data_dependent_sizes_are_marked_not_guessed():
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])
    zero = numpy_helper.from_array(np.zeros((), np.float32), "zero")
    nodes = [helper.make_node("Greater", ["x", "zero"], ["positive"]),
             helper.make_node("NonZero", ["positive"], ["where"]),
             helper.make_node("Transpose", ["where"], ["points"]),
             helper.make_node("Cast", ["points"], ["coords"], to=TensorProto.FLOAT),
             helper.make_node("Relu", ["x"], ["r"])]
    m = trtlab.load(_model(nodes, [x], ["coords", "r"], [zero]), inputs={"x": (3, 4)})
    where, coords = m.tensors["where"], m.outputs["coords"]
    assert where.data_dependent and where.shape_text() == "2xN?"
    assert coords.data_dependent and coords.shape_text() == "N?x2" and not coords.static
    assert not m.outputs["r"].data_dependent and m.outputs["r"].shape == (3, 4)
    assert "coords:float32[N?x2]" in m.summary()


def test_hints_suggest_sizes_that_suit_the_input():
    image = helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", 3, "height", "width"])
    with pytest.raises(TrtlabError, match=r"--input image:1x3x224x224"):
        trtlab.load(_model([helper.make_node("Relu", ["image"], ["y"])], [image], ["y"]))
    ids = helper.make_tensor_value_info("ids", TensorProto.INT64, ["batch", "sequence"])
    nodes = [helper.make_node("Cast", ["ids"], ["y"], to=TensorProto.FLOAT)]
    with pytest.raises(TrtlabError, match=r"inputs=\{'ids': \(1, 128\)\}"):
        trtlab.load(_model(nodes, [ids], ["y"]))


def test_declared_minus_one_output_sizes_are_replaced():
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 8])
    proto = _model([helper.make_node("Relu", ["x"], ["y"])], [x], ["y"])
    proto.graph.output[0].type.tensor_type.shape.dim.add().dim_value = -1
    proto.graph.output[0].type.tensor_type.shape.dim.add().dim_value = 8
    assert trtlab.load(proto, inputs={"x": (2, 8)}).outputs["y"].shape == (2, 8)


def test_origin_is_a_field_that_loading_again_keeps():
    from tests.models import tiny_cnn

    plain = trtlab.load(tiny_cnn())
    assert plain.origin is None
    source = object()
    plain.origin = source  # as a framework loader sets it
    assert trtlab.load(plain, inputs={"x": (2, 3, 8, 8)}).origin is source


def _count_inference(monkeypatch) -> list:
    calls = []
    real = onnx.shape_inference.infer_shapes

    def counted(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(onnx.shape_inference, "infer_shapes", counted)
    return calls


def test_a_valid_file_is_shape_inferred_once_with_the_same_result(monkeypatch, tmp_path):
    nodes = [helper.make_node("Relu", ["x"], ["a"], name="r"), helper.make_node("Shape", ["a"], ["s"], name="s"),
             helper.make_node("Reshape", ["a", "s"], ["y"], name="reshape")]  # data propagation gives y's shape
    g = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    proto = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    onnx.save(proto, tmp_path / "m.onnx")
    calls = _count_inference(monkeypatch)
    loaded = trtlab.load(tmp_path / "m.onnx")
    assert [c.get("strict_mode") for c in calls] == [True]  # validation's strict run, kept
    assert loaded.tensors == trtlab.load(proto).tensors and loaded.outputs["y"].shape == (2, 3)
    assert loaded.node_table.names == ["r", "s", "reshape"] and loaded.consumers["a"] == ["s", "reshape"]


def test_shapes_are_inferred_again_where_normalising_changed_the_graph(monkeypatch, tmp_path):
    onnx.save(_dynamic_model(), tmp_path / "m.onnx")  # its initializer is listed as an input
    calls = _count_inference(monkeypatch)
    m = trtlab.load(tmp_path / "m.onnx", inputs={"x": (3, 8)})
    assert len(calls) == 2 and m.tensors["h"].shape == (3, 4) and m.outputs["q"].shape == (3, 4)


def test_nodes_named_while_loading_keep_their_names_beside_subgraph_shapes(tmp_path):
    body = helper.make_graph([helper.make_node("Relu", ["x"], ["t"])], "then", [],
                             [helper.make_tensor_value_info("t", TensorProto.FLOAT, None)])
    other = helper.make_graph([helper.make_node("Neg", ["x"], ["e"])], "else", [],
                              [helper.make_tensor_value_info("e", TensorProto.FLOAT, None)])
    g = helper.make_graph([helper.make_node("If", ["c"], ["y"], then_branch=body, else_branch=other)], "g",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2]),
                           helper.make_tensor_value_info("c", TensorProto.BOOL, [])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), tmp_path / "if.onnx")
    m = trtlab.load(tmp_path / "if.onnx")
    assert [n.name for n in m.nodes] == ["If_0"] == m.node_table.names
    then = next(a.g for a in m.nodes[0].attribute if a.name == "then_branch")
    assert [d.dim_value for d in then.output[0].type.tensor_type.shape.dim] == [2]  # inferred inside the body


def test_parts_read_from_the_proto_follow_the_proto_the_model_holds():
    # WeightStore.lend swaps a model's proto while a Lab widget may be reading it in another thread.
    model = trtlab.load("zoo:tiny")
    old_proto, old = model.proto, model.initializers
    new_proto = onnx.ModelProto()
    new_proto.CopyFrom(old_proto)
    model.replace_proto(new_proto)
    name = next(iter(old))
    assert model.initializers[name] is not old[name]
    assert any(t is model.initializers[name] for t in new_proto.graph.initializer)
    assert model.nodes[0] is new_proto.graph.node[0] and model.value_infos.keys() == {
        vi.name for vi in [*new_proto.graph.value_info, *new_proto.graph.input, *new_proto.graph.output]}
    # A reader that began on the old proto and kept its answer after the swap: the answer is not served.
    model.__dict__["_initializers_of"] = (old_proto, old)
    assert model.initializers[name] is not old[name]
